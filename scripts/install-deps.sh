#!/usr/bin/env bash
# Installs every build and test dependency of kerbpool from Debian 12's archive.
# Idempotent: packages already present are left alone; safe to run repeatedly.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang-format ccache
  # LLVM's linker: links each test suite in a quarter of GNU ld's time (CMakeLists.txt, KERBPOOL_LINKER)
  lld
  # fuzzing (scripts/fuzz.sh): clang 14 with libFuzzer and the sanitizer runtimes, llvm-symbolizer
  clang libclang-rt-14-dev llvm
  # libraries
  libboost-dev libssl-dev nlohmann-json3-dev libcli11-dev catch2 libsqlite3-dev libbenchmark-dev
  # MIT krb5: client tools, a throwaway KDC for interop, libkrb5 for the load generator
  krb5-user krb5-kdc krb5-admin-server libkrb5-dev
  # HTTP and capture peers; setcap for a non-root user's `kerbpool run --pcap` (scripts/grant-capture.sh)
  curl tshark libcap2-bin
  # a real load balancer to compare kerbpool lb with (tests/loadbalancer/lb_haproxy_interop_test.cpp, bench/),
  # and the HTTP load generator of bench/lb-vs-haproxy.sh; GNU time (bench/scale.sh) and valgrind
  # (bench/kdc-callgrind.sh, bench/frontend-callgrind.sh)
  haproxy wrk time valgrind
  # Impacket (getTGT.py, getST.py): a Windows-minded Kerberos client that AD answers and MIT refuses
  python3-impacket
  # the HTML report: npm (below) installs its pinned JavaScript libraries (report-assets/), the build embeds
  # them; headless Chromium renders the page in tests/scenarios/html_report_browser_test.cpp
  nodejs chromium
  # Heimdal's client libraries; its tools are unpacked below (krb5-user conflicts with heimdal-clients)
  libasn1-8-heimdal libgssapi3-heimdal libhcrypto5-heimdal libhdb9-heimdal libheimntlm0-heimdal
  libhx509-5-heimdal libkadm5clnt7-heimdal libkadm5srv8-heimdal libkafs0-heimdal libkrb5-26-heimdal
  libotp0-heimdal libroken19-heimdal libsl0-heimdal libedit2
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  export DEBIAN_FRONTEND=noninteractive
  # wireshark-common asks whether non-root users may capture; answer for it.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  # krb5-config asks for a default realm; kerbpool writes its own krb5.conf per test.
  echo "krb5-config krb5-config/default_realm string CONTOSO.TEST" | $SUDO debconf-set-selections
  echo "krb5-config krb5-config/add_servers_realm string CONTOSO.TEST" | $SUDO debconf-set-selections
  echo "krb5-config krb5-config/add_servers boolean false" | $SUDO debconf-set-selections
  echo "krb5-config krb5-config/read_conf boolean true" | $SUDO debconf-set-selections
  echo "krb5-admin-server krb5-admin-server/newrealm note" | $SUDO debconf-set-selections || true
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Heimdal's kinit/klist/kgetcred as a second real client (tests/interop/heimdal_interop_test.cpp; kinit.heimdal, klist.heimdal, kgetcred). Debian's
# krb5-user conflicts with heimdal-clients (both own /usr/bin/kinit), so the package is unpacked, not
# installed, into its own folder; its libraries are the ordinary packages above.
heimdal_dir=/opt/kerbpool/heimdal
if [ ! -x "$heimdal_dir/usr/bin/kinit.heimdal" ]; then
  echo "install-deps: unpacking heimdal-clients into $heimdal_dir"
  download=$(mktemp -d)
  chmod 0777 "$download"  # apt fetches as its _apt user
  (cd "$download" && apt-get download -qq heimdal-clients 2>/dev/null ||
    { $SUDO apt-get update -qq && apt-get download -qq heimdal-clients; })
  $SUDO mkdir -p "$heimdal_dir"
  $SUDO dpkg-deb -x "$download"/heimdal-clients_*.deb "$heimdal_dir"
  rm -rf "$download"
fi

# The HTML report's JavaScript libraries (Chart.js, its annotation plugin, Mermaid), pinned by
# report-assets/package-lock.json; the build embeds them into kerbpool (scenarios/CMakeLists.txt). npm ci only
# when the installed tree differs from the lock file.
assets_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/report-assets"
if ! command -v npm >/dev/null; then
  # Debian's nodejs comes without npm (NodeSource's includes it).
  echo "install-deps: installing npm"
  $SUDO apt-get install -y -qq --no-install-recommends npm
fi
if ! cmp -s "$assets_dir/package-lock.json" "$assets_dir/node_modules/.package-lock.json.kerbpool" 2>/dev/null; then
  echo "install-deps: npm ci in $assets_dir"
  (cd "$assets_dir" && npm ci --no-audit --no-fund --ignore-scripts)
  cp "$assets_dir/package-lock.json" "$assets_dir/node_modules/.package-lock.json.kerbpool"
fi
