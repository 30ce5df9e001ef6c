#!/usr/bin/env bash
# kerbpool's front-end against Apache 2.4 with mod_auth_gssapi (Debian's), both driven by
# bench/http_negotiate_loadgen (MIT GSS-API on the client side).
#
#   bench/frontend-vs-apache.sh [-r RUNS] [-d SECONDS] [-c CLIENT_THREADS] [-b BUILD_DIR] [-m spnego|krb5]
#                               [-k kerbpool,apache] [-n] [-R REQUESTS_PER_SECOND]
#
# Builds nothing: expects BUILD_DIR (default ./build) to hold cli/kerbpool and bench/http_negotiate_loadgen.
# Everything lives in a temp dir: kerbpool's KDC for CONTOSO.TEST (examples/contoso.realm.json), the keytab
# of POOLKERB$ (HTTP/pool.contoso.test) exported once and given to BOTH servers, alice's FILE ccache (kinit,
# then kvno HTTP/pool.contoso.test so the service ticket is cached) and the two servers on free loopback
# ports:
#   kerbpool  `kerbpool frontend --threads 2 --persistence per-request`
#   apache    `apache2 -f CONF -DFOREGROUND` with its own ServerRoot: mpm_event (Debian's default sizes),
#             a Location with `AuthType GSSAPI`, `GssapiCredStore keytab:...`, `GssapiAllowedMech krb5`,
#             `GssapiUseSessions Off` (every request carries its own token), `Require valid-user`,
#             KeepAlive On with no request limit per connection, a tiny static body, and an access log
#             (one line per request to a file in the temp dir, as kerbpool's front-end logs every 200 at
#             its default level; its stderr goes to a file there too).
# No system-wide configuration is read or changed. Run as root, Apache's children run as www-data (the
# keytab and replay cache dir are then given to that group/user); otherwise as the calling user.
#
# Replay caches: kerbpool's stays ON (its in-memory cache). Nothing expires from it during a bench (300 s
# window), so it only grows: --replay-cache-entries is sized for 60000 requests/s over all runs (about
# 90 bytes an entry; a full cache would answer 401 replay_cache_full, failing closed). Apache's is MIT's (mod_auth_gssapi
# accepts through libgssapi_krb5): it stays ON too, with KRB5RCACHEDIR set to the temp dir so that its
# file2 cache file lands there rather than in /var/tmp. -n sets KRB5RCACHETYPE=none for Apache (replay
# protection off, for reference only: kerbpool never runs without it).
#
# Each client thread keeps ONE keep-alive connection and sends requests, each with a fresh AP-REQ (a new
# gss_init_sec_context, SPNEGO by default as browsers and curl send it, mutual authentication verified
# from the 200's WWW-Authenticate). -R RATE offers a fixed RATE requests/s over all threads (the load
# generator's --rate) instead of saturating the servers: CPU per request at a lower load. A curl --negotiate
# smoke test runs against each server first.
# Server CPU: utime+stime from /proc/PID/stat before and after each run, in clock ticks (getconf CLK_TCK):
# kerbpool is one process (its threads are summed in its stat line); for Apache the parent and every
# child process (pgrep -P, sampled before and after, threads included), plus the parent's cutime/cstime
# for children reaped meanwhile. Each run drives the servers one after the other, so drift of the noisy
# machine spreads over both. The table shows medians and the kerbpool/Apache ratios.
set -euo pipefail

runs=5
duration=5
clients=4
build=build
mech=spnego
selected=kerbpool,apache
apache_rcache=on
offered=0
while getopts "r:d:c:b:m:k:R:nh" opt; do
  case "$opt" in
    r) runs=$OPTARG ;;
    d) duration=$OPTARG ;;
    c) clients=$OPTARG ;;
    b) build=$OPTARG ;;
    m) mech=$OPTARG ;;
    k) selected=$OPTARG ;;
    n) apache_rcache=none ;;
    R) offered=$OPTARG ;;
    *) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done

here=$(cd "$(dirname "$0")/.." && pwd)
kerbpool=$build/cli/kerbpool
loadgen=$build/bench/http_negotiate_loadgen
for f in "$kerbpool" "$loadgen"; do
  if [ ! -x "$f" ]; then
    echo "frontend-vs-apache: $f is missing: build first (cmake -S . -B build -G Ninja && ninja -C build)" >&2
    exit 2
  fi
done
kerbpool=$(cd "$(dirname "$kerbpool")" && pwd)/kerbpool
loadgen=$(cd "$(dirname "$loadgen")" && pwd)/http_negotiate_loadgen
export PATH="$PATH:/usr/sbin"
for tool in kinit kvno curl python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "frontend-vs-apache: $tool not found: run scripts/install-deps.sh" >&2
    exit 2
  fi
done
apache_modules=/usr/lib/apache2/modules
if ! command -v apache2 >/dev/null || [ ! -f "$apache_modules/mod_auth_gssapi.so" ] ||
  [ ! -f "$apache_modules/mod_mpm_event.so" ]; then
  echo "frontend-vs-apache: Apache 2.4 with mod_auth_gssapi not found:" \
    "apt-get install apache2 libapache2-mod-auth-gssapi" >&2
  exit 2
fi

host=pool.contoso.test
path=/bench
ticks=$(getconf CLK_TCK)

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_start frontend-vs-apache

# --- KDC, keytab, client credentials ---------------------------------------------------------------
bench_kerberos "$kerbpool" "$here/examples/contoso.realm.json"

# --- kerbpool front-end ------------------------------------------------------------------------------
kp_port=$(free_port)
replay_entries=$(((runs * duration + 2) * 60000))
[ "$replay_entries" -ge 1000000 ] || replay_entries=1000000
"$kerbpool" frontend --node fe01 --keytab "$keytab" --port "$kp_port" --threads 2 \
  --persistence per-request --replay-cache-entries "$replay_entries" >"$tmp/frontend.out" 2>&1 &
kp_pid=$!
pids+=("$kp_pid")
wait_tcp "$kp_port" "$kp_pid" "kerbpool frontend" || { cat "$tmp/frontend.out" >&2; exit 1; }

# --- Apache ------------------------------------------------------------------------------------------
ap=$tmp/apache
mkdir -p "$ap/htdocs" "$ap/logs" "$ap/run" "$ap/rcache"
printf 'ok\n' >"$ap/htdocs/bench"
ap_port=$(free_port)
user_lines=
if [ "$(id -u)" -eq 0 ]; then
  # Apache's children drop to www-data: let them reach the keytab and the replay cache dir, nothing more.
  user_lines='User www-data
Group www-data'
  chmod 711 "$tmp"
  chgrp www-data "$keytab"
  chmod 640 "$keytab"
  chown www-data:www-data "$ap/rcache"
  chmod 755 "$ap" "$ap/htdocs"
fi
cat >"$ap/httpd.conf" <<EOF
ServerRoot "$ap"
ServerName $host
Listen 127.0.0.1:$ap_port
PidFile "$ap/run/httpd.pid"
DefaultRuntimeDir "$ap/run"
ErrorLog "$ap/logs/error.log"
LogLevel warn
LogFormat "%h %l %u %t \"%r\" %>s %b" common
CustomLog "$ap/logs/access.log" common
$user_lines
LoadModule mpm_event_module $apache_modules/mod_mpm_event.so
LoadModule authn_core_module $apache_modules/mod_authn_core.so
LoadModule authz_core_module $apache_modules/mod_authz_core.so
LoadModule authz_user_module $apache_modules/mod_authz_user.so
LoadModule auth_gssapi_module $apache_modules/mod_auth_gssapi.so
# Debian's mpm_event.conf sizes; no child is recycled during a run.
StartServers 2
MinSpareThreads 25
MaxSpareThreads 75
ThreadLimit 64
ThreadsPerChild 25
MaxRequestWorkers 150
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 30
DocumentRoot "$ap/htdocs"
<Directory "$ap/htdocs">
  Require all granted
</Directory>
<Location "/">
  AuthType GSSAPI
  AuthName "kerbpool bench"
  GssapiCredStore keytab:$keytab
  GssapiAllowedMech krb5
  GssapiUseSessions Off
  Require valid-user
</Location>
EOF
ap_env=(KRB5_CONFIG="$tmp/krb5.conf" KRB5RCACHEDIR="$ap/rcache")
if [ "$apache_rcache" = none ]; then
  ap_env+=(KRB5RCACHETYPE=none)
fi
env -u KRB5CCNAME "${ap_env[@]}" apache2 -f "$ap/httpd.conf" -DFOREGROUND >"$ap/logs/stdout.log" 2>&1 &
ap_pid=$!
pids+=("$ap_pid")
wait_tcp "$ap_port" "$ap_pid" "apache2" || { cat "$ap/logs/stdout.log" "$ap/logs/error.log" >&2; exit 1; }

servers=()
for s in kerbpool apache; do
  if [[ ",$selected," == *",$s,"* ]]; then
    servers+=("$s")
  fi
done
declare -A port parent
port[kerbpool]=$kp_port
port[apache]=$ap_port
parent[kerbpool]=$kp_pid
parent[apache]=$ap_pid

# --- smoke test: curl --negotiate against each server ------------------------------------------------
for s in "${servers[@]}"; do
  code=$(curl -sS --negotiate -u : --resolve "$host:${port[$s]}:127.0.0.1" -o "$tmp/curl.$s.body" \
    -w '%{http_code}' "http://$host:${port[$s]}$path" 2>"$tmp/curl.$s.err") || true
  if [ "$code" != 200 ]; then
    echo "frontend-vs-apache: curl --negotiate against $s answered '$code': $(cat "$tmp/curl.$s.err")" >&2
    [ "$s" = apache ] && tail -n 5 "$ap/logs/error.log" >&2
    exit 1
  fi
  echo "frontend-vs-apache: curl --negotiate $s: 200 $(head -c 120 "$tmp/curl.$s.body" | tr -d '\n')"
done

# Sum of utime+stime+cutime+cstime (clock ticks) over a server's parent and its current children:
# fields 14-17 of /proc/PID/stat, counted after the parenthesised command name.
cpu_ticks() { # parent
  local total=0 pid rest
  for pid in "$1" $(pgrep -P "$1" || true); do
    rest=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    set -- $rest
    total=$((total + ${12} + ${13} + ${14} + ${15}))
  done
  echo "$total"
}

results=$tmp/results.txt
: >"$results"
# One run: appends "server rate us failures" to the results when asked to record.
run_one() { # server seconds record
  local s=$1 before after line ok failures rate us
  before=$(cpu_ticks "${parent[$s]}")
  line=$("$loadgen" --port "${port[$s]}" --path "$path" --host-header "$host" --service "HTTP@$host" \
    --threads "$clients" --duration "$2" --mech "$mech" --rate "$offered" 2>"$tmp/loadgen.err" | tail -n 1) ||
    true
  after=$(cpu_ticks "${parent[$s]}")
  ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line")
  failures=$(sed -n 's/.* failures=\([0-9]*\).*/\1/p' <<<"$line")
  rate=$(sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<<"$line")
  if [ -z "$ok" ] || [ "$ok" -eq 0 ]; then
    echo "frontend-vs-apache: $s: no request succeeded: $line $(cat "$tmp/loadgen.err")" >&2
    exit 1
  fi
  if [ "$failures" -ne 0 ]; then
    echo "frontend-vs-apache: $s: $failures failures: $(head -c 300 "$tmp/loadgen.err")" >&2
  fi
  us=$(awk -v t=$((after - before)) -v hz="$ticks" -v n="$ok" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
  if [ "$3" = record ]; then
    echo "$s $rate $us $failures" >>"$results"
    printf '  %-8s %10s req/s %8s us server CPU/request  failures %s\n' "$s" "$rate" "$us" "$failures"
  fi
}

echo "frontend-vs-apache: $runs runs of ${duration}s per server, $clients client threads (one keep-alive" \
  "connection each), mech $mech, Apache replay cache $apache_rcache, $(nproc) cores"
echo "frontend-vs-apache: warming up"
for s in "${servers[@]}"; do
  run_one "$s" 1 skip
done
for r in $(seq 1 "$runs"); do
  echo "run $r/$runs"
  for s in "${servers[@]}"; do
    run_one "$s" "$duration" record
  done
done

col() { awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$results"; }

echo
printf '%-9s %14s %24s %9s\n' server "requests/s" "server CPU us/request" failures
declare -A rate cpu
for s in "${servers[@]}"; do
  rate[$s]=$(col "$s" 2 | median)
  cpu[$s]=$(col "$s" 3 | median)
  errs=$(col "$s" 4 | awk '{ s += $1 } END { print s + 0 }')
  printf '%-9s %14.1f %24.1f %9s\n' "$s" "${rate[$s]}" "${cpu[$s]}" "$errs"
done
if [ -n "${rate[kerbpool]:-}" ] && [ -n "${rate[apache]:-}" ]; then
  echo
  printf '%-16s %16s %22s\n' ratio "throughput (x)" "CPU/request (x)"
  printf '%-16s %16.2f %22.2f\n' kerbpool/apache \
    "$(awk -v a="${rate[kerbpool]}" -v b="${rate[apache]}" 'BEGIN { print a / b }')" \
    "$(awk -v a="${cpu[kerbpool]}" -v b="${cpu[apache]}" 'BEGIN { print a / b }')"
fi
if [ "$offered" = 0 ]; then
  echo "(medians of $runs runs of ${duration}s; aim: throughput >= 2x Apache, CPU/request <= 0.2x Apache)"
else
  echo "(medians of $runs runs of ${duration}s at a fixed $offered requests/s offered: compare CPU/request;" \
    "aim: CPU/request <= 0.2x Apache)"
fi
