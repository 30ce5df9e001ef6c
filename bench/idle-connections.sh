#!/usr/bin/env bash
# Memory per idle connection at a kerbpool front-end node: how much the node's resident set grows for each
# client connection that stays open doing nothing, over HTTPS and over plain HTTP.
#
#   bench/idle-connections.sh [-n CONNECTIONS] [-r RUNS] [-b BUILD_DIR]
#
# Builds nothing: expects BUILD_DIR (default ./build) to hold cli/kerbpool. In a temp dir: kerbpool's KDC
# for CONTOSO.TEST and the keytab of POOLKERB$ (bench/lib.sh), a throwaway self-signed certificate for
# pool.contoso.test (openssl req), and one `kerbpool frontend --threads 1` per transport on a free loopback
# port. A Python client opens CONNECTIONS connections (TLS handshake done), sends one anonymous GET on each and
# reads the 401, and leaves them open; the node's VmRSS (/proc/PID/status) is read before the first
# connection and once all are idle, after the node's counters settle. Each run starts a fresh node. The table
# shows the median over RUNS of (after - before) / CONNECTIONS, in KiB per connection.
set -euo pipefail

connections=2000
runs=3
build=build
while getopts "n:r:b:h" opt; do
  case "$opt" in
    n) connections=$OPTARG ;;
    r) runs=$OPTARG ;;
    b) build=$OPTARG ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
kerbpool=$(cd "$build" && pwd)/cli/kerbpool
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_start idle-connections
bench_kerberos "$kerbpool" "$root/examples/contoso.realm.json"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pool.contoso.test \
  -addext subjectAltName=DNS:pool.contoso.test -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >"$tmp/openssl.out" 2>&1
ulimit -n $((connections * 2 + 256))

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# measure TRANSPORT: one run, prints KiB per connection
measure() {
  local transport=$1 port pid before after
  port=$(free_port)
  local tls=()
  [ "$transport" = https ] && tls=(--tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem")
  "$kerbpool" frontend --node fe01 --keytab "$keytab" --port "$port" --threads 1 \
    --max-connections $((connections + 100)) --max-connections-per-source 0 "${tls[@]}" \
    >"$tmp/fe-$transport.out" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_tcp "$port" "$pid" "kerbpool frontend" || { cat "$tmp/fe-$transport.out" >&2; return 1; }
  before=$(rss_kib "$pid")
  python3 - "$transport" "$port" "$connections" "$pid" >"$tmp/client.out" 2>&1 <<'PY' &
import socket, ssl, sys, time
transport, port, count, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
held = []
request = b"GET /idle HTTP/1.1\r\nHost: pool.contoso.test\r\n\r\n"
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    if transport == "https":
        s = ctx.wrap_socket(s, server_hostname="pool.contoso.test")
    s.sendall(request)
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(4096)
    if not got.startswith(b"HTTP/1.1 401"):
        sys.exit("unexpected answer: " + got[:40].decode(errors="replace"))
    # The 401's body (its length is in Content-Length).
    head, _, body = got.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(body) < length:
        body += s.recv(4096)
    held.append(s)
print("open", flush=True)
sys.stdin = open("/dev/null")
time.sleep(3600)
PY
  local client=$!
  pids+=("$client")
  local i=0
  until grep -q '^open' "$tmp/client.out" 2>/dev/null; do
    kill -0 "$client" 2>/dev/null || { cat "$tmp/client.out" >&2; return 1; }
    i=$((i + 1)); [ "$i" -lt 6000 ] || { echo "client did not finish" >&2; return 1; }
    read -r -t 0.05 <> <(:) || true
  done
  # The node has answered every request; its resident set no longer moves once the answers are flushed.
  local prev=0
  after=$(rss_kib "$pid")
  while [ "$after" != "$prev" ]; do
    prev=$after
    read -r -t 0.2 <> <(:) || true
    after=$(rss_kib "$pid")
  done
  kill -TERM "$client" "$pid" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  awk -v a="$after" -v b="$before" -v n="$connections" 'BEGIN { printf "%.2f\n", (a - b) / n }'
}

printf 'kerbpool front-end, %d idle connections (one 401 answered on each), KiB of resident memory per connection\n' \
  "$connections"
printf '%-8s %s\n' transport "runs (median last)"
for transport in https http; do
  values=()
  for _ in $(seq "$runs"); do
    values+=("$(measure "$transport")")
  done
  printf '%-8s %s  median %s\n' "$transport" "${values[*]}" "$(printf '%s\n' "${values[@]}" | median)"
done
