#!/usr/bin/env bash
# Instructions per exchange of kerbpool's KDC, under valgrind's callgrind: a deterministic figure, unlike
# CPU time on a busy machine, and a profile to read with callgrind_annotate.
#
#   bench/kdc-callgrind.sh [-m tgs|as] [-d SECONDS] [-b BUILD_DIR] [-o OUT_FILE]
#
# Starts `kerbpool kdc --threads 1` under callgrind, zeroes the counters once it is ready (so realm loading
# and its string-to-key are left out), drives it with bench/kdc_loadgen for SECONDS, stops it, and prints
#   kdc-callgrind mode=tgs exchanges=N instructions=I per_exchange=P file=OUT_FILE
# Read the profile with: callgrind_annotate --inclusive=yes OUT_FILE | less
set -euo pipefail

mode=tgs
duration=8
build=build
out=
while getopts "m:d:b:o:h" opt; do
  case "$opt" in
    m) mode=$OPTARG ;;
    d) duration=$OPTARG ;;
    b) build=$OPTARG ;;
    o) out=$OPTARG ;;
    *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
for tool in valgrind callgrind_control python3; do
  command -v "$tool" >/dev/null || { echo "kdc-callgrind: $tool not found" >&2; exit 2; }
done
kerbpool=$(cd "$build/cli" && pwd)/kerbpool
loadgen=$(cd "$build/bench" && pwd)/kdc_loadgen
[ -x "$kerbpool" ] && [ -x "$loadgen" ] || { echo "kdc-callgrind: build first" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kdc-callgrind.XXXXXX")
out=${out:-$tmp/callgrind.out}
vg_pid=
cleanup() {
  if [ -n "$vg_pid" ]; then
    kill -TERM "$vg_pid" 2>/dev/null || true
    wait "$vg_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/krb5.conf" <<EOF
[libdefaults]
  default_realm = CONTOSO.TEST
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
[realms]
  CONTOSO.TEST = {
    kdc = 127.0.0.1:$port
  }
[plugins]
  clpreauth = {
    disable = spake
  }
EOF
"$kerbpool" keytab add "$tmp/alice.keytab" -p alice@CONTOSO.TEST --password 'Passw0rd!' --salt CONTOSO.TESTalice \
  --kvno 1 -e aes256-cts-hmac-sha1-96 -e aes128-cts-hmac-sha1-96 >/dev/null
valgrind --tool=callgrind --callgrind-out-file="$out" "$kerbpool" kdc \
  --realm-file "$here/examples/contoso.realm.json" --port "$port" --threads 1 --quiet >"$tmp/kdc.out" \
  2>"$tmp/valgrind.err" &
vg_pid=$!
for _ in $(seq 1 600); do
  grep -q 'kerbpool kdc: ready' "$tmp/kdc.out" && break
  kill -0 "$vg_pid" 2>/dev/null || { cat "$tmp/kdc.out" "$tmp/valgrind.err" >&2; exit 1; }
  sleep 0.1
done
callgrind_control -z "$vg_pid" >/dev/null 2>&1
line=$(KRB5_CONFIG=$tmp/krb5.conf "$loadgen" --mode "$mode" --threads 2 --duration "$duration" \
  --principal alice@CONTOSO.TEST --keytab "$tmp/alice.keytab" --service HTTP/pool.contoso.test | tail -n 1)
kill -TERM "$vg_pid"
wait "$vg_pid" || true
vg_pid=
exchanges=$(sed -n 's/.* exchanges=\([0-9]*\).*/\1/p' <<<"$line")
instructions=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out")
errors=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$line")
if [ -z "$exchanges" ] || [ "$exchanges" -eq 0 ] || [ -z "$instructions" ]; then
  echo "kdc-callgrind: no result: $line" >&2
  exit 1
fi
if [ "${errors:-0}" != 0 ]; then  # a refused exchange costs less: the count would flatter the KDC
  echo "kdc-callgrind: $errors exchanges failed, no count: $line" >&2
  exit 1
fi
if [ "$out" = "$tmp/callgrind.out" ]; then
  out=$(mktemp "${TMPDIR:-/tmp}/kdc-callgrind.$mode.XXXXXX")
  cp "$tmp/callgrind.out" "$out"
fi
echo "kdc-callgrind mode=$mode exchanges=$exchanges instructions=$instructions" \
  "per_exchange=$((instructions / exchanges)) file=$out"
