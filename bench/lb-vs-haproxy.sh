#!/usr/bin/env bash
# kerbpool's load balancer against HAProxy, in front of the same two backends, with the same load generator.
#
#   bench/lb-vs-haproxy.sh [BUILD_DIR]        (default: build)
#   env: RUNS=5 DURATION=5 CONNECTIONS=32 WRK_THREADS=1 LB_THREADS=1
#
# Backends: two `kerbpool echo-backend` processes (frontend::HttpServer + EchoBackendHandler, one thread each),
# answering every request with a ~50-octet text naming the node (GET /health: "ok").
# Balancers: `kerbpool lb` and HAProxy, each with LB_THREADS threads (HAProxy: nbthread), round-robin, health
# checks every 2 s on /health, in tcp mode (layer 4) and http mode (layer 7, X-Forwarded-For, keep-alive to the
# backends: HAProxy's default http-reuse safe, kerbpool's idle pool).
# Load: wrk, keep-alive, CONNECTIONS connections, DURATION seconds per run; RUNS runs per balancer and mode,
# kerbpool and HAProxy alternating. Reported: medians of requests/s and of the balancer's CPU time per request
# (utime+stime from /proc/PID/stat over the run divided by the requests wrk completed), and kerbpool/HAProxy.
# For requests/s a ratio above 1 favours kerbpool; for CPU per request a ratio below 1 does.
set -euo pipefail

BUILD_DIR=${1:-build}
RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-1}
LB_THREADS=${LB_THREADS:-1}
KERBPOOL="$BUILD_DIR/cli/kerbpool"

missing=()
for tool in haproxy wrk python3; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "lb-vs-haproxy: missing ${missing[*]}: apt-get install haproxy wrk python3" >&2
  exit 2
fi
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
if [ ! -x "$KERBPOOL" ]; then
  echo "lb-vs-haproxy: $KERBPOOL not found: build first (cmake -S . -B $BUILD_DIR -G Ninja && ninja -C $BUILD_DIR)" >&2
  exit 2
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits (bounded) until a TCP port accepts connections.
wait_port() {
  for _ in $(seq 1 500); do
    if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))"; then
      return 0
    fi
    sleep 0.02
  done
  echo "lb-vs-haproxy: nothing listens on port $1" >&2
  exit 1
}

cpu_ticks() {  # utime + stime of a process, in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

P1=$(free_port)
P2=$(free_port)
"$KERBPOOL" echo-backend --name fe01 --listen "127.0.0.1:$P1" --threads 1 >"$WORK/fe01.log" 2>&1 &
PIDS+=($!)
"$KERBPOOL" echo-backend --name fe02 --listen "127.0.0.1:$P2" --threads 1 >"$WORK/fe02.log" 2>&1 &
PIDS+=($!)
wait_port "$P1"
wait_port "$P2"

start_kerbpool() {  # mode port -> pid
  "$KERBPOOL" lb --mode "$1" --listen "127.0.0.1:$2" --backend "fe01=127.0.0.1:$P1" \
    --backend "fe02=127.0.0.1:$P2" --threads "$LB_THREADS" --health-interval-ms 2000 --quiet \
    >"$WORK/kerbpool-$1.log" 2>&1 &
  echo $!
}

start_haproxy() {  # mode port -> pid
  local cfg="$WORK/haproxy-$1.cfg" http_opts="" check_opts=""
  if [ "$1" = http ]; then
    http_opts="  option forwardfor
  option http-keep-alive"
    check_opts="  option httpchk GET /health"
  fi
  cat >"$cfg" <<CFG
global
  nbthread $LB_THREADS
  maxconn 4096
defaults
  mode $1
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
  server fe01 127.0.0.1:$P1 check inter 2s
  server fe02 127.0.0.1:$P2 check inter 2s
CFG
  "$HAPROXY" -db -f "$cfg" >"$WORK/haproxy-$1.log" 2>&1 &
  echo $!
}

# One wrk run against a port; prints "requests_per_second cpu_us_per_request".
measure() {  # pid port
  local before after out reqs rps hz
  hz=$(getconf CLK_TCK)
  before=$(cpu_ticks "$1")
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$2/owa/")
  after=$(cpu_ticks "$1")
  reqs=$(echo "$out" | awk '/requests in/ { print $1 }')
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  if echo "$out" | grep -q "Non-2xx"; then
    echo "lb-vs-haproxy: non-2xx answers:" >&2
    echo "$out" >&2
    exit 1
  fi
  python3 -c "print('%s %.2f' % ('$rps', ($after - $before) / $hz * 1e6 / max($reqs, 1)))"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "lb-vs-haproxy: $RUNS runs x ${DURATION}s, wrk -t$WRK_THREADS -c$CONNECTIONS, balancer threads $LB_THREADS," \
  "backends fe01=:$P1 fe02=:$P2 ($(nproc) cores)"
printf '%-5s %-9s %12s %12s %14s %14s\n' mode balancer "req/s" "" "CPU us/req" ""
RESULTS=()
for mode in tcp http; do
  KP=$(free_port)
  HP=$(free_port)
  kpid=$(start_kerbpool "$mode" "$KP")
  PIDS+=("$kpid")
  hpid=$(start_haproxy "$mode" "$HP")
  PIDS+=("$hpid")
  wait_port "$KP"
  wait_port "$HP"
  # Warm-up (connection pools, health checks, caches).
  wrk -t1 -c"$CONNECTIONS" -d1s "http://127.0.0.1:$KP/" >/dev/null
  wrk -t1 -c"$CONNECTIONS" -d1s "http://127.0.0.1:$HP/" >/dev/null
  : >"$WORK/k.txt"
  : >"$WORK/h.txt"
  for run in $(seq 1 "$RUNS"); do
    measure "$kpid" "$KP" >>"$WORK/k.txt"
    measure "$hpid" "$HP" >>"$WORK/h.txt"
  done
  krps=$(cut -d' ' -f1 "$WORK/k.txt" | median)
  kcpu=$(cut -d' ' -f2 "$WORK/k.txt" | median)
  hrps=$(cut -d' ' -f1 "$WORK/h.txt" | median)
  hcpu=$(cut -d' ' -f2 "$WORK/h.txt" | median)
  printf '%-5s %-9s %12.0f %12s %14.2f %14s\n' "$mode" kerbpool "$krps" "" "$kcpu" ""
  printf '%-5s %-9s %12.0f %12s %14.2f %14s\n' "$mode" haproxy "$hrps" "" "$hcpu" ""
  RESULTS+=("$mode $krps $hrps $kcpu $hcpu")
  echo "  runs kerbpool: $(tr '\n' ';' <"$WORK/k.txt")"
  echo "  runs haproxy:  $(tr '\n' ';' <"$WORK/h.txt")"
  kill "$kpid" "$hpid" 2>/dev/null || true
  wait "$kpid" 2>/dev/null || true
  wait "$hpid" 2>/dev/null || true
done

echo
echo "medians of $RUNS runs; ratio = kerbpool / HAProxy"
printf '| %-4s | %14s | %14s | %11s | %15s | %15s | %11s |\n' mode "kerbpool req/s" "HAProxy req/s" "req/s ratio" \
  "kerbpool us/req" "HAProxy us/req" "CPU ratio"
printf '|------|----------------|----------------|-------------|-----------------|-----------------|-------------|\n'
for r in "${RESULTS[@]}"; do
  read -r mode krps hrps kcpu hcpu <<<"$r"
  python3 -c "print('| %-4s | %14.0f | %14.0f | %11.2f | %15.2f | %15.2f | %11.2f |' % ('$mode', $krps, $hrps, $krps / $hrps, $kcpu, $hcpu, $kcpu / $hcpu))"
done
