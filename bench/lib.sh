# Plumbing shared by the bench scripts (source it; bash only). Nothing here measures anything.
#
#   bench_start NAME   $tmp (a fresh folder, removed on exit unless KEEP_TMP is set) and $pids (every pid
#                      added is sent SIGTERM and reaped on exit); NAME prefixes the messages
#   free_port          a loopback port free for both TCP and UDP (a KDC listens on both), outside the
#                      ephemeral range and never handed out twice in one run
#   wait_tcp PORT PID WHAT   until PORT accepts (0), or PID exits or ~10 s pass (1, with a message)
#   median             the median of the numbers on standard input
#   bench_kerberos KERBPOOL REALM_FILE
#                      kerbpool's KDC for CONTOSO.TEST on a free port ($kdc_port, $kdc_pid), a krb5.conf for
#                      MIT's tools pointing at it (exported as KRB5_CONFIG), the keytab of POOLKERB$
#                      (HTTP/pool.contoso.test) in $keytab, and alice's FILE ccache (exported as KRB5CCNAME)
#                      holding her TGT and the service ticket (kinit, kvno)

bench_start() {
  bench_name=$1
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  pids=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}

free_port() {
  # Outside the kernel's ephemeral range, so no outgoing connection (the load generator's, a balancer's to its
  # nodes) can hold the port between this check and the server's bind; never the same port twice in one run.
  python3 - "$tmp/ports-given" <<'PY'
import random, socket, sys
given_file = sys.argv[1]
try:
    given = set(open(given_file).read().split())
except FileNotFoundError:
    given = set()
low, high = (int(x) for x in open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
# Below the range when there is room (Linux's default starts at 32768), else above it.
span = (10000, low) if low > 11000 else (high + 1, 65536)
for _ in range(200):
    port = random.randrange(*span)
    if str(port) in given:
        continue
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        t.bind(("127.0.0.1", port))
        u.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        t.close()
        u.close()
    with open(given_file, "a") as f:
        f.write("%d\n" % port)
    print(port)
    break
PY
}

wait_tcp() { # port pid what
  local i
  for i in $(seq 1 500); do
    if ! kill -0 "$2" 2>/dev/null; then
      echo "$bench_name: $3 exited while starting" >&2
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    sleep 0.02
  done
  echo "$bench_name: $3 did not listen on 127.0.0.1:$1" >&2
  return 1
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

bench_kerberos() { # kerbpool realm_file
  local kerbpool=$1 realm_file=$2 realm=CONTOSO.TEST
  kdc_port=$(free_port)
  "$kerbpool" kdc --realm-file "$realm_file" --port "$kdc_port" --threads 1 --quiet \
    --krb5-conf "$tmp/kdc.krb5.conf" >"$tmp/kdc.out" 2>&1 &
  kdc_pid=$!
  pids+=("$kdc_pid")
  wait_tcp "$kdc_port" "$kdc_pid" "kerbpool kdc" || { cat "$tmp/kdc.out" >&2; return 1; }
  # The KDC's snippet plus what keeps MIT from resolving pool.contoso.test in DNS on every
  # gss_init_sec_context (hostbased names are canonicalised unless told not to).
  cat >"$tmp/krb5.conf" <<EOF
[libdefaults]
  default_realm = $realm
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
[realms]
  $realm = {
    kdc = 127.0.0.1:$kdc_port
  }
[domain_realm]
  .contoso.test = $realm
  contoso.test = $realm
[plugins]
  clpreauth = {
    disable = spake
  }
EOF
  export KRB5_CONFIG=$tmp/krb5.conf
  export KRB5CCNAME=FILE:$tmp/alice.ccache
  keytab=$tmp/pool.keytab
  "$kerbpool" keytab export --realm-file "$realm_file" --account 'POOLKERB$' \
    --out "$keytab" >"$tmp/export.out" 2>&1 || { cat "$tmp/export.out" >&2; return 1; }
  printf '%s\n' 'Passw0rd!' | kinit "alice@$realm" >"$tmp/kinit.out" 2>&1 || { cat "$tmp/kinit.out" >&2; return 1; }
  kvno HTTP/pool.contoso.test >"$tmp/kvno.out" 2>&1 || { cat "$tmp/kvno.out" >&2; return 1; }
}
