#!/usr/bin/env bash
# kerbpool's load balancer against HAProxy, in front of the same backends, with the same load generator.
#
#   bench/lb-vs-haproxy.sh [BUILD_DIR]        (default: build)
#   env: RUNS=5 DURATION=5 CONNECTIONS=32 WRK_THREADS=1 LB_THREADS=1 MODES="tcp http negotiate"
#        NEGOTIATE_CLIENTS=4 KP_MODEL=haproxy LAYOUT=shared
#
# Modes:
#   tcp, http   backends: two `kerbpool echo-backend` processes (one thread each) answering every request with
#               a ~50-octet text naming the node (GET /health: "ok"); load: wrk, keep-alive, CONNECTIONS
#               connections. Balancers in tcp mode (layer 4) and http mode (layer 7, X-Forwarded-For,
#               keep-alive to the backends: HAProxy's default http-reuse safe, kerbpool's idle pool).
#   negotiate   backends: two `kerbpool frontend` nodes (one thread each) holding the shared account's keytab
#               (POOLKERB$, HTTP/pool.contoso.test) from kerbpool's KDC; load: bench/http_negotiate_loadgen
#               (MIT GSS-API, SPNEGO), NEGOTIATE_CLIENTS threads with one keep-alive connection each, a fresh
#               AP-REQ on every request, mutual authentication checked. Balancers in http mode; kerbpool lb
#               with --connection-model KP_MODEL (haproxy: what HAProxy does with its server connections, the
#               fair comparison; per-request closes every node connection that carried authentication).
# Layouts (LAYOUT):
#   shared      every process may run on every core; the kernel's scheduler places them. On a small host the
#               balancer, the nodes and the load generator take CPU from each other, and where the scheduler
#               preempts whom moves single runs by up to a third.
#   split       the balancer and the two nodes on the last core, the load generator on the others (taskset).
#               The balancer's core is the bottleneck and the load generator has room to spare, so the
#               throughput measures what the balancer costs next to the nodes it serves; the scheduler's
#               choice of cores is out of the comparison.
# Both balancers: LB_THREADS threads (HAProxy: nbthread), round-robin, health checks every 2 s on /health.
# RUNS runs per balancer and mode, kerbpool and HAProxy alternating. Reported: medians of requests/s and of
# the balancer's CPU time per request (utime+stime from /proc/PID/stat over the run divided by the requests
# that succeeded), and kerbpool/HAProxy. For requests/s a ratio above 1 favours kerbpool; for CPU per request a
# ratio below 1 does.
set -euo pipefail

BUILD_DIR=${1:-build}
RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-1}
LB_THREADS=${LB_THREADS:-1}
MODES=${MODES:-tcp http negotiate}
NEGOTIATE_CLIENTS=${NEGOTIATE_CLIENTS:-4}
KP_MODEL=${KP_MODEL:-haproxy}
LAYOUT=${LAYOUT:-shared}
here=$(cd "$(dirname "$0")/.." && pwd)
KERBPOOL="$BUILD_DIR/cli/kerbpool"
LOADGEN="$BUILD_DIR/bench/http_negotiate_loadgen"
export PATH="$PATH:/usr/sbin"

missing=()
for tool in haproxy wrk python3 kinit kvno; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "lb-vs-haproxy: missing ${missing[*]}: apt-get install haproxy wrk python3 krb5-user" >&2
  exit 2
fi
for f in "$KERBPOOL" "$LOADGEN"; do
  if [ ! -x "$f" ]; then
    echo "lb-vs-haproxy: $f not found: build first (cmake -S . -B $BUILD_DIR -G Ninja && ninja -C $BUILD_DIR)" >&2
    exit 2
  fi
done
KERBPOOL=$(cd "$(dirname "$KERBPOOL")" && pwd)/kerbpool
LOADGEN=$(cd "$(dirname "$LOADGEN")" && pwd)/http_negotiate_loadgen

# Command prefixes that place a process on its cores (empty in the shared layout).
SERVER_CPUS=()
LOAD_CPUS=()
SERVER_CORE=cpu$(($(nproc) - 1))  # whose busy share each run reports (in the split layout: the servers' core)
case "$LAYOUT" in
  shared) ;;
  split)
    cores=$(nproc)
    if [ "$cores" -lt 2 ] || ! command -v taskset >/dev/null 2>&1; then
      echo "lb-vs-haproxy: LAYOUT=split needs taskset (util-linux) and 2 cores or more ($cores here)" >&2
      exit 2
    fi
    SERVER_CPUS=(taskset -c "${SERVER_CORE#cpu}")
    LOAD_CPUS=(taskset -c "0-$((cores - 2))")
    ;;
  *)
    echo "lb-vs-haproxy: LAYOUT must be shared or split, not '$LAYOUT'" >&2
    exit 2
    ;;
esac

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_start lb-vs-haproxy
WORK=$tmp

cpu_ticks() {  # utime + stime of a process, in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

core_ticks() {  # "busy total" clock ticks of one /proc/stat line (cpu = all cores, cpuN = core N)
  # user nice system idle iowait irq softirq steal; guest time is already inside user and nice.
  awk -v line="$1" '$1 == line { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}

ticks_minus() {  # "busy total" less "busy total": the other cores' ticks from all cores' and one core's
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); print x[1] - y[1], x[2] - y[2] }'
}

busy_percent() {  # before after -> percent of the ticks between them that were busy
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
    printf "%.0f", ((y[2] - x[2]) > 0 ? 100 * (y[1] - x[1]) / (y[2] - x[2]) : 0) }'
}

# Backends per mode: "name=host:port" pairs in $backends.
declare -A backends
start_backends() {  # mode
  local p1 p2 pid
  p1=$(free_port)
  p2=$(free_port)
  if [ "$1" = negotiate ]; then
    [ -n "${keytab:-}" ] || bench_kerberos "$KERBPOOL" "$here/examples/contoso.realm.json"
    for node in "fe01 $p1" "fe02 $p2"; do
      set -- $node
      # Nothing expires from the replay cache during a bench: room for 60000 requests/s over every run.
      "${SERVER_CPUS[@]}" "$KERBPOOL" frontend --node "$1" --keytab "$keytab" --port "$2" --threads 1 --persistence per-request \
        --replay-cache-entries $(((RUNS * DURATION + 2) * 60000)) >"$WORK/$1.log" 2>&1 &
      pid=$!
      pids+=("$pid")
      wait_tcp "$2" "$pid" "kerbpool frontend $1" || { cat "$WORK/$1.log" >&2; exit 1; }
    done
    backends[negotiate]="fe01=127.0.0.1:$p1 fe02=127.0.0.1:$p2"
  else
    for node in "fe01 $p1" "fe02 $p2"; do
      set -- $node
      "${SERVER_CPUS[@]}" "$KERBPOOL" echo-backend --name "$1" --listen "127.0.0.1:$2" --threads 1 >"$WORK/$1-echo.log" 2>&1 &
      pid=$!
      pids+=("$pid")
      wait_tcp "$2" "$pid" "kerbpool echo-backend $1" || { cat "$WORK/$1-echo.log" >&2; exit 1; }
    done
    backends[tcp]="fe01=127.0.0.1:$p1 fe02=127.0.0.1:$p2"
    backends[http]=${backends[tcp]}
  fi
}

start_kerbpool() {  # mode port -> pid
  local lbmode=$1 args=()
  [ "$1" = negotiate ] && lbmode=http && args=(--connection-model "$KP_MODEL")
  for b in ${backends[$1]}; do
    args+=(--backend "$b")
  done
  "${SERVER_CPUS[@]}" "$KERBPOOL" lb --mode "$lbmode" --listen "127.0.0.1:$2" "${args[@]}" --threads "$LB_THREADS" \
    --health-interval-ms 2000 --quiet >"$WORK/kerbpool-$1.log" 2>&1 &
  echo $!
}

start_haproxy() {  # mode port -> pid
  local cfg="$WORK/haproxy-$1.cfg" lbmode=$1 http_opts="" check_opts="" servers="" b
  [ "$1" = negotiate ] && lbmode=http
  if [ "$lbmode" = http ]; then
    # The same request octets to the nodes from both: kerbpool's L7 sets X-Forwarded-Proto as well as
    # X-Forwarded-For (as F5 and Citrix ADC are set up in front of Exchange and Lync pools).
    http_opts="  option forwardfor
  http-request set-header X-Forwarded-Proto http
  option http-keep-alive"
    check_opts="  option httpchk GET /health"
  fi
  for b in ${backends[$1]}; do
    servers+="  server ${b%%=*} ${b#*=} check inter 2s
"
  done
  cat >"$cfg" <<CFG
global
  nbthread $LB_THREADS
  maxconn 4096
defaults
  mode $lbmode
  timeout connect 3s
  timeout client 30s
  timeout server 30s
frontend vip
  bind 127.0.0.1:$2
$http_opts
  default_backend pool
backend pool
  balance roundrobin
$check_opts
$servers
CFG
  "${SERVER_CPUS[@]}" "$(command -v haproxy)" -db -f "$cfg" >"$WORK/haproxy-$1.log" 2>&1 &
  echo $!
}

# One run against a port; prints "requests_per_second cpu_us_per_request server_core_busy_% other_cores_busy_%".
measure() {  # mode pid port seconds
  local before after out reqs rps hz
  hz=$(getconf CLK_TCK)
  if ! kill -0 "$2" 2>/dev/null; then
    echo "lb-vs-haproxy: the balancer on port $3 (pid $2) has exited; its log:" >&2
    tail -n 20 "$WORK/kerbpool-$1.log" "$WORK/haproxy-$1.log" >&2
    exit 1
  fi
  before=$(cpu_ticks "$2")
  local server_before all_before
  server_before=$(core_ticks "$SERVER_CORE")
  all_before=$(core_ticks cpu)
  if [ "$1" = negotiate ]; then
    out=$("${LOAD_CPUS[@]}" "$LOADGEN" --port "$3" --path /owa/ --host-header pool.contoso.test --service HTTP@pool.contoso.test \
      --threads "$NEGOTIATE_CLIENTS" --duration "$4" --mech spnego 2>"$WORK/loadgen.err" | tail -n 1) || true
    after=$(cpu_ticks "$2")
    reqs=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$out")
    rps=$(sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<<"$out")
    if [ -z "$reqs" ] || [ "$(sed -n 's/.* failures=\([0-9]*\).*/\1/p' <<<"$out")" != 0 ]; then
      echo "lb-vs-haproxy: negotiate load failed: $out $(head -c 300 "$WORK/loadgen.err")" >&2
      exit 1
    fi
  else
    out=$("${LOAD_CPUS[@]}" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${4}s" "http://127.0.0.1:$3/owa/")
    after=$(cpu_ticks "$2")
    reqs=$(echo "$out" | awk '/requests in/ { print $1 }')
    rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
    if echo "$out" | grep -q "Non-2xx"; then
      echo "lb-vs-haproxy: non-2xx answers:" >&2
      echo "$out" >&2
      exit 1
    fi
  fi
  # The server core's busy share, and the other cores' (all cores' ticks less the server core's).
  local server_after all_after server_busy others_busy
  server_after=$(core_ticks "$SERVER_CORE")
  all_after=$(core_ticks cpu)
  server_busy=$(busy_percent "$server_before" "$server_after")
  others_busy=$(busy_percent "$(ticks_minus "$all_before" "$server_before")" \
    "$(ticks_minus "$all_after" "$server_after")")
  python3 -c "print('%s %.2f %s %s' % ('$rps', ($after - $before) / $hz * 1e6 / max($reqs, 1), '$server_busy', '$others_busy'))"
}

echo "lb-vs-haproxy: $RUNS runs x ${DURATION}s, modes $MODES, wrk -t$WRK_THREADS -c$CONNECTIONS," \
  "negotiate clients $NEGOTIATE_CLIENTS (kerbpool --connection-model $KP_MODEL), balancer threads $LB_THREADS" \
  "($(nproc) cores, layout $LAYOUT)"
printf '%-9s %-9s %12s %14s\n' mode balancer "req/s" "CPU us/req"
RESULTS=()
for mode in $MODES; do
  [ -n "${backends[$mode]:-}" ] || start_backends "$mode"
  KP=$(free_port)
  HP=$(free_port)
  kpid=$(start_kerbpool "$mode" "$KP")
  pids+=("$kpid")
  hpid=$(start_haproxy "$mode" "$HP")
  pids+=("$hpid")
  wait_tcp "$KP" "$kpid" "kerbpool lb" || { cat "$WORK/kerbpool-$mode.log" >&2; exit 1; }
  wait_tcp "$HP" "$hpid" "haproxy" || { cat "$WORK/haproxy-$mode.log" >&2; exit 1; }
  # Warm-up (connection pools, health checks, caches).
  measure "$mode" "$kpid" "$KP" 1 >/dev/null
  measure "$mode" "$hpid" "$HP" 1 >/dev/null
  : >"$WORK/k.txt"
  : >"$WORK/h.txt"
  for run in $(seq 1 "$RUNS"); do
    measure "$mode" "$kpid" "$KP" "$DURATION" >>"$WORK/k.txt"
    measure "$mode" "$hpid" "$HP" "$DURATION" >>"$WORK/h.txt"
  done
  krps=$(cut -d' ' -f1 "$WORK/k.txt" | median)
  kcpu=$(cut -d' ' -f2 "$WORK/k.txt" | median)
  hrps=$(cut -d' ' -f1 "$WORK/h.txt" | median)
  hcpu=$(cut -d' ' -f2 "$WORK/h.txt" | median)
  printf '%-9s %-9s %12.0f %14.2f\n' "$mode" kerbpool "$krps" "$kcpu"
  printf '%-9s %-9s %12.0f %14.2f\n' "$mode" haproxy "$hrps" "$hcpu"
  # Run i of kerbpool and run i of HAProxy ran back to back: the median of their ratios follows a host
  # whose load drifts during the batch better than the ratio of the two medians does.
  prps=$(paste -d' ' "$WORK/k.txt" "$WORK/h.txt" | awk '{ print $1 / $5 }' | median)
  pcpu=$(paste -d' ' "$WORK/k.txt" "$WORK/h.txt" | awk '{ print $2 / $6 }' | median)
  RESULTS+=("$mode $krps $hrps $kcpu $hcpu $prps $pcpu")
  echo "  runs kerbpool: $(tr '\n' ';' <"$WORK/k.txt")"
  echo "  runs haproxy:  $(tr '\n' ';' <"$WORK/h.txt")"
  echo "  busy % of core ${SERVER_CORE#cpu} and of the others (medians): kerbpool runs" \
    "$(cut -d' ' -f3 "$WORK/k.txt" | median) and $(cut -d' ' -f4 "$WORK/k.txt" | median)," \
    "HAProxy runs $(cut -d' ' -f3 "$WORK/h.txt" | median) and $(cut -d' ' -f4 "$WORK/h.txt" | median)"
  kill "$kpid" "$hpid" 2>/dev/null || true
  wait "$kpid" 2>/dev/null || true
  wait "$hpid" 2>/dev/null || true
done

echo
echo "medians of $RUNS runs; ratio = kerbpool / HAProxy; paired = median of the ratios of runs made back to back"
printf '| %-9s | %14s | %14s | %11s | %6s | %15s | %15s | %9s | %6s |\n' mode "kerbpool req/s" "HAProxy req/s" \
  "req/s ratio" paired "kerbpool us/req" "HAProxy us/req" "CPU ratio" paired
printf '|-----------|----------------|----------------|-------------|--------|-----------------|-----------------|-----------|--------|\n'
for r in "${RESULTS[@]}"; do
  read -r mode krps hrps kcpu hcpu prps pcpu <<<"$r"
  python3 -c "print('| %-9s | %14.0f | %14.0f | %11.2f | %6.2f | %15.2f | %15.2f | %9.2f | %6.2f |' % ('$mode', $krps, $hrps, $krps / $hrps, $prps, $kcpu, $hcpu, $kcpu / $hcpu, $pcpu))"
done
