#!/usr/bin/env bash
# The simulator's own speed: `kerbpool run SCENARIO --clients N` over each transport (loopback: every exchange
# on real sockets; in-process: the workstations' Kerberos exchanges handed to the KDC service without a socket,
# docs/scenario-file.md#transport), the runs of the transports interleaved so that a busy machine weighs on
# both alike.
#
#   bench/scale.sh [-c CLIENTS] [-r RUNS] [-s SCENARIO] [-t TRANSPORTS] [-b BUILD_DIR]
#
# Defaults: -c 10000 -r 3 -s scale -t loopback,in-process -b build. Each run is timed by GNU time (the whole
# process: set-up, clients, report); a run that does not pass (exit status other than 0) stops the script.
# Prints one line per run, then per transport the medians of wall time, user and system CPU and peak RSS, and
# each transport's median wall time and CPU against the first transport's.
set -euo pipefail

clients=10000
runs=3
scenario=scale
transports=loopback,in-process
build=build
while getopts "c:r:s:t:b:h" opt; do
  case "$opt" in
    c) clients=$OPTARG ;;
    r) runs=$OPTARG ;;
    s) scenario=$OPTARG ;;
    t) transports=$OPTARG ;;
    b) build=$OPTARG ;;
    *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
kerbpool=$(cd "$build" && pwd)/cli/kerbpool
[ -x /usr/bin/time ] || { echo "scale: GNU time (/usr/bin/time) not found" >&2; exit 2; }
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_start scale
IFS=, read -r -a kinds <<<"$transports"

div() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

for ((run = 1; run <= runs; run++)); do
  for t in "${kinds[@]}"; do
    out="$tmp/$t.$run"
    if ! /usr/bin/time -f "%e %U %S %M" -o "$out.time" "$kerbpool" run "$scenario" --clients "$clients" \
      --transport "$t" --quiet >"$out.report" 2>&1; then
      echo "scale: $scenario over $t did not pass (run $run):" >&2
      tail -5 "$out.report" >&2
      exit 1
    fi
    read -r wall user sys rss <"$out.time"
    echo "$wall $user $sys $rss" >>"$tmp/$t.all"
    printf 'run %d %-11s %6.2f s wall %6.2f s user %6.2f s sys %6.1f MB\n' "$run" "$t" "$wall" "$user" "$sys" \
      "$(div "$rss" 1000)"
  done
done

column_median() { awk -v c="$1" '{print $c}' "$2" | median; }
echo
printf '%-11s %10s %10s %10s %10s %12s %10s\n' transport "wall s" "user s" "sys s" "RSS MB" "wall ratio" "CPU ratio"
base_wall=
base_cpu=
for t in "${kinds[@]}"; do
  wall=$(column_median 1 "$tmp/$t.all")
  user=$(column_median 2 "$tmp/$t.all")
  sys=$(column_median 3 "$tmp/$t.all")
  rss=$(column_median 4 "$tmp/$t.all")
  cpu=$(awk '{print $2 + $3}' "$tmp/$t.all" | median)
  base_wall=${base_wall:-$wall}
  base_cpu=${base_cpu:-$cpu}
  printf '%-11s %10.2f %10.2f %10.2f %10.1f %11.2fx %9.2fx\n' "$t" "$wall" "$user" "$sys" \
    "$(div "$rss" 1000)" "$(div "$wall" "$base_wall")" "$(div "$cpu" "$base_cpu")"
done
