# Plumbing shared by the bench scripts (source it; bash only). Nothing here measures anything.
#
#   bench_start NAME   $tmp (a fresh folder, removed on exit unless KEEP_TMP is set) and $pids (every pid
#                      added is sent SIGTERM and reaped on exit); NAME prefixes the messages
#   free_port          a loopback port free for both TCP and UDP (a KDC listens on both)
#   wait_tcp PORT PID WHAT   until PORT accepts (0), or PID exits or ~10 s pass (1, with a message)
#   median             the median of the numbers on standard input

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
  python3 - <<'PY'
import socket
for _ in range(50):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close()
        continue
    u.close()
    t.close()
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
