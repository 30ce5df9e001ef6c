#!/usr/bin/env bash
# kerbpool's KDC against MIT krb5kdc, both driven by bench/kdc_loadgen (MIT libkrb5 on the client side).
#
#   bench/kdc-vs-mit.sh [-r RUNS] [-d SECONDS] [-c CLIENT_THREADS] [-b BUILD_DIR] [-m tgs,as] [-k kerbpool,mit-w2,mit-w1] [-w]
#                       [-R EXCHANGES_PER_SECOND]
#
# Builds nothing: expects BUILD_DIR (default ./build) to hold cli/kerbpool and bench/kdc_loadgen.
# Three KDCs run side by side on free loopback ports, all for the realm CONTOSO.TEST with the same
# principals (alice, pre-authentication required, password Passw0rd!; HTTP/pool.contoso.test; aes256 and
# aes128 keys), and only one is driven at a time:
#   kerbpool  `kerbpool kdc --threads 2` on examples/contoso.realm.json
#   mit-w2    `krb5kdc -n -w 2` (two worker processes: MIT's best setting on a 2-core machine)
#   mit-w1    `krb5kdc -n -w 1` (for reference)
# The two MIT KDCs share one throwaway database (kdb5_util create -s) and differ only in kdc.conf's port
# and -w. SPAKE is disabled on both sides so every AS exchange uses PA-ENC-TIMESTAMP.
# kerbpool's KDC keeps no per-logon state, so MIT's database module (kdc.conf [dbmodules], where these
# options live: under [realms] they are silently ignored) sets disable_last_success and disable_lockout:
# otherwise every pre-authenticated AS exchange for alice (+requires_preauth) writes last-success to the
# database, which caps MIT at a few hundred AS exchanges/s on disk I/O and locking. -w keeps MIT's
# defaults (database writes on) for reference. MIT logs every request to its kdc log file (in the temp
# dir), as deployed; kerbpool counts events in memory.
#
# Modes: tgs (krb5_get_credentials with a TGT, never storing the service ticket: 1 KDC request per
# exchange) and as (krb5_get_init_creds_keytab: PREAUTH_REQUIRED then PA-ENC-TIMESTAMP, 2 KDC requests per
# exchange). Figures are per exchange.
#
# KDC CPU: utime+stime from /proc/PID/stat, sampled right before and after each run, in clock ticks
# (getconf CLK_TCK, usually 10 ms). A process's stat line already sums all of its threads (kerbpool's
# worker threads). krb5kdc -w N forks N worker processes that answer the requests while the parent only
# waits for them; they are found once as the parent's children (pgrep -P) and their stat lines are added
# to the parent's. (cutime/cstime cannot be used: they only count children that have exited.)
#
# -R RATE: a fixed offered load (exchanges/s over all client threads, kdc_loadgen --rate) instead of
# saturation, e.g. -R 2000: at a lower load each request pays more wake-ups and system calls, so CPU per
# exchange is compared there too.
#
# Each (run, mode) round drives the three KDCs one after the other, so slow drift of the noisy machine
# spreads over all of them. The table shows medians over the runs and the kerbpool/MIT ratios
# (throughput: higher is better; CPU per exchange: lower is better).
set -euo pipefail

runs=5
duration=5
clients=4
build=build
modes=tgs,as
# kerbpool keeps no logon state; by default MIT's KDC is told not to write any either (see -w).
mit_db_writes='    disable_last_success = true
    disable_lockout = true'
selected=kerbpool,mit-w2,mit-w1
offered=0
while getopts "r:d:c:b:m:k:R:wh" opt; do
  case "$opt" in
    r) runs=$OPTARG ;;
    d) duration=$OPTARG ;;
    c) clients=$OPTARG ;;
    b) build=$OPTARG ;;
    m) modes=$OPTARG ;;
    k) selected=$OPTARG ;;
    w) mit_db_writes='' ;;
    R) offered=$OPTARG ;;
    *) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done

here=$(cd "$(dirname "$0")/.." && pwd)
kerbpool=$build/cli/kerbpool
loadgen=$build/bench/kdc_loadgen
for f in "$kerbpool" "$loadgen"; do
  if [ ! -x "$f" ]; then
    echo "kdc-vs-mit: $f is missing: build first (cmake -S . -B build -G Ninja && ninja -C build)" >&2
    exit 2
  fi
done
kerbpool=$(cd "$(dirname "$kerbpool")" && pwd)/kerbpool
loadgen=$(cd "$(dirname "$loadgen")" && pwd)/kdc_loadgen
for tool in krb5kdc kdb5_util kadmin.local python3; do
  if ! command -v "$tool" >/dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    echo "kdc-vs-mit: $tool not found: run scripts/install-deps.sh" >&2
    exit 2
  fi
done
export PATH="$PATH:/usr/sbin"

realm=CONTOSO.TEST
service=HTTP/pool.contoso.test
principal=alice@$realm
password='Passw0rd!'
ticks=$(getconf CLK_TCK)

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_start kdc-vs-mit

# The client side: identical for every KDC but the port.
write_krb5_conf() { # file port
  cat >"$1" <<EOF
[libdefaults]
  default_realm = $realm
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
  default_ccache_name = MEMORY:kdc-vs-mit
[realms]
  $realm = {
    kdc = 127.0.0.1:$2
  }
[plugins]
  clpreauth = {
    disable = spake
  }
EOF
}

# --- kerbpool ------------------------------------------------------------------------------------
mkdir -p "$tmp/kerbpool"
kp_port=$(free_port)
write_krb5_conf "$tmp/kerbpool/krb5.conf" "$kp_port"
"$kerbpool" keytab add "$tmp/kerbpool/alice.keytab" -p "$principal" --password "$password" \
  --salt "${realm}alice" --kvno 1 -e aes256-cts-hmac-sha1-96 -e aes128-cts-hmac-sha1-96 >/dev/null
# Without --quiet: its error counters, printed when it stops, tell a failed exchange's answer (see the end).
"$kerbpool" kdc --realm-file "$here/examples/contoso.realm.json" --port "$kp_port" --threads 2 \
  >"$tmp/kerbpool/kdc.out" 2>&1 &
kp_pid=$!
pids+=("$kp_pid")
wait_tcp "$kp_port" "$kp_pid" "kerbpool kdc" || { cat "$tmp/kerbpool/kdc.out" >&2; exit 1; }

# --- MIT ------------------------------------------------------------------------------------------
mit=$tmp/mit
mkdir -p "$mit"
write_kdc_conf() { # file port log
  cat >"$1" <<EOF
[kdcdefaults]
  kdc_listen = 127.0.0.1:$2
  kdc_tcp_listen = 127.0.0.1:$2
[realms]
  $realm = {
    database_name = $mit/principal
    key_stash_file = $mit/stash
    acl_file = $mit/kadm5.acl
    master_key_type = aes256-cts-hmac-sha1-96
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
  }
[dbmodules]
  $realm = {
$mit_db_writes
  }
[plugins]
  kdcpreauth = {
    disable = spake
  }
[logging]
  kdc = FILE:$3
  default = FILE:$mit/krb5.log
EOF
}
mit_env() { # name
  echo "KRB5_CONFIG=$mit/$1.krb5.conf KRB5_KDC_PROFILE=$mit/$1.kdc.conf KRB5RCACHEDIR=$mit"
}
for name in mit-w2 mit-w1; do
  port=$(free_port)
  write_krb5_conf "$mit/$name.krb5.conf" "$port"
  write_kdc_conf "$mit/$name.kdc.conf" "$port" "$mit/$name.kdc.log"
  eval "${name//-/_}_port=$port"
done
(
  export $(mit_env mit-w2)
  kdb5_util create -s -r "$realm" -P master-lab-only >/dev/null
  kadmin.local -r "$realm" -q "addprinc +requires_preauth -pw \"$password\" $principal" >/dev/null
  kadmin.local -r "$realm" -q "addprinc -randkey $service" >/dev/null
  kadmin.local -r "$realm" -q "ktadd -k $mit/alice.keytab -norandkey $principal" >/dev/null
) 2>"$mit/setup.err" || { cat "$mit/setup.err" >&2; exit 1; }

start_mit() { # name workers
  local port_var=${1//-/_}_port
  env $(mit_env "$1") krb5kdc -n -r "$realm" -w "$2" >"$mit/$1.out" 2>&1 &
  local pid=$!
  pids+=("$pid")
  eval "${1//-/_}_pid=$pid"
  wait_tcp "${!port_var}" "$pid" "krb5kdc -w $2" || { cat "$mit/$1.out" >&2; exit 1; }
}
start_mit mit-w2 2
start_mit mit-w1 1

kdcs=()
for kdc in kerbpool mit-w2 mit-w1; do
  if [[ ",$selected," == *",$kdc,"* ]]; then
    kdcs+=("$kdc")
  fi
done
declare -A conf keytab pidlist
conf[kerbpool]=$tmp/kerbpool/krb5.conf
keytab[kerbpool]=$tmp/kerbpool/alice.keytab
pidlist[kerbpool]=$kp_pid
for name in mit-w2 mit-w1; do
  conf[$name]=$mit/$name.krb5.conf
  keytab[$name]=$mit/alice.keytab
  parent_var=${name//-/_}_pid
  parent=${!parent_var}
  # The workers answer the requests; the parent (kept for completeness) only supervises them.
  workers=$(pgrep -P "$parent" | tr '\n' ' ')
  expected=${name#mit-w}
  if [ "$(wc -w <<<"$workers")" -ne "$expected" ]; then
    echo "kdc-vs-mit: krb5kdc -w $expected has workers '$workers'" >&2
    exit 1
  fi
  pidlist[$name]="$parent $workers"
done

# Sum of utime+stime (clock ticks) over the given processes: fields 14 and 15 of /proc/PID/stat,
# counted after the parenthesised command name.
cpu_ticks() {
  local total=0 pid rest
  for pid in "$@"; do
    rest=$(sed 's/.*) //' "/proc/$pid/stat")
    set -- $rest
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

results=$tmp/results.txt
: >"$results"
kp_failed=0
# One run: prints "rate cpu_us_per_exchange errors" and appends a results row.
run_one() { # kdc mode seconds record
  local kdc=$1 mode=$2 seconds=$3 before after line exchanges errors rate us
  before=$(cpu_ticks ${pidlist[$kdc]})
  line=$(KRB5_CONFIG=${conf[$kdc]} "$loadgen" --mode "$mode" --threads "$clients" --duration "$seconds" \
    --principal "$principal" --keytab "${keytab[$kdc]}" --service "$service" --rate "$offered" \
    2>"$tmp/loadgen.err" | tail -n 1) ||
    true
  after=$(cpu_ticks ${pidlist[$kdc]})
  exchanges=$(sed -n 's/.* exchanges=\([0-9]*\).*/\1/p' <<<"$line")
  errors=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$line")
  rate=$(sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<<"$line")
  if [ -z "$exchanges" ] || [ "$exchanges" -eq 0 ]; then
    echo "kdc-vs-mit: $kdc $mode: no exchange completed: $line $(cat "$tmp/loadgen.err")" >&2
    exit 1
  fi
  if [ "$errors" -ne 0 ]; then
    echo "kdc-vs-mit: $kdc $mode: $errors errors: $(head -c 300 "$tmp/loadgen.err")" >&2
    if [ "$kdc" = kerbpool ]; then
      kp_failed=1
    fi
  fi
  us=$(awk -v t=$((after - before)) -v hz="$ticks" -v n="$exchanges" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
  if [ "$4" = record ]; then
    echo "$kdc $mode $rate $us $errors" >>"$results"
    printf '  %-8s %-3s %10s exchanges/s %8s us KDC CPU/exchange  errors %s\n' "$kdc" "$mode" "$rate" "$us" \
      "$errors"
  fi
}

echo "kdc-vs-mit: $runs runs of ${duration}s per KDC and mode, $clients client threads, $(nproc) cores," \
  "$([ "$offered" = 0 ] && echo "as fast as the KDCs answer" || echo "offered $offered exchanges/s")"
echo "kdc-vs-mit: warming up"
for mode in ${modes//,/ }; do
  for kdc in "${kdcs[@]}"; do
    run_one "$kdc" "$mode" 1 skip
  done
done
for r in $(seq 1 "$runs"); do
  echo "run $r/$runs"
  for mode in ${modes//,/ }; do
    for kdc in "${kdcs[@]}"; do
      run_one "$kdc" "$mode" "$duration" record
    done
  done
done

col() { awk -v k="$1" -v m="$2" -v c="$3" '$1 == k && $2 == m { print $c }' "$results"; }

echo
printf '%-9s %-5s %16s %22s %8s\n' KDC mode "exchanges/s" "KDC CPU us/exchange" errors
declare -A rate cpu
for mode in ${modes//,/ }; do
  for kdc in "${kdcs[@]}"; do
    rate[$kdc.$mode]=$(col "$kdc" "$mode" 3 | median)
    cpu[$kdc.$mode]=$(col "$kdc" "$mode" 4 | median)
    errs=$(col "$kdc" "$mode" 5 | awk '{ s += $1 } END { print s + 0 }')
    printf '%-9s %-5s %16.1f %22.1f %8s\n' "$kdc" "$mode" "${rate[$kdc.$mode]}" "${cpu[$kdc.$mode]}" "$errs"
  done
done
echo
printf '%-22s %-5s %18s %18s\n' ratio mode "throughput (x)" "CPU/exchange (x)"
for mode in ${modes//,/ }; do
  for mitkdc in mit-w2 mit-w1; do
    if [ -z "${rate[kerbpool.$mode]:-}" ] || [ -z "${rate[$mitkdc.$mode]:-}" ]; then
      continue
    fi
    printf '%-22s %-5s %18.2f %18.2f\n' "kerbpool/$mitkdc" "$mode" \
      "$(awk -v a="${rate[kerbpool.$mode]}" -v b="${rate[$mitkdc.$mode]}" 'BEGIN { print a / b }')" \
      "$(awk -v a="${cpu[kerbpool.$mode]}" -v b="${cpu[$mitkdc.$mode]}" 'BEGIN { print a / b }')"
  done
done
if [ "$offered" = 0 ]; then
  echo "(medians of $runs runs of ${duration}s; aim: throughput >= 2x mit-w2, CPU/exchange <= 0.25x mit-w2)"
else
  echo "(medians of $runs runs of ${duration}s at a fixed $offered exchanges/s offered: compare CPU/exchange;" \
    "throughput is the offered rate when a KDC keeps up; aim: CPU/exchange <= 0.25x mit-w2)"
fi
if [ "$kp_failed" = 1 ]; then
  # Whether kerbpool's KDC refused the failed exchanges (and with which code) or the client gave up on its
  # answers: the KDC's counters, printed when it stops.
  kill -TERM "$kp_pid" 2>/dev/null || true
  wait "$kp_pid" 2>/dev/null || true
  echo "kdc-vs-mit: kerbpool KDC's counters after the runs with errors:" >&2
  grep -E '^ *(requests|errors) ' "$tmp/kerbpool/kdc.out" >&2 || true
fi
