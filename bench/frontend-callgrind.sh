#!/usr/bin/env bash
# Instructions per request of kerbpool's front-end, under valgrind's callgrind: a deterministic figure,
# unlike CPU time on a busy machine, and a profile to read with callgrind_annotate.
#
#   bench/frontend-callgrind.sh [-m spnego|krb5] [-d SECONDS] [-b BUILD_DIR] [-o OUT_FILE]
#
# Starts kerbpool's KDC, exports the POOLKERB$ keytab, kinits alice and fetches the service ticket, starts
# `kerbpool frontend --threads 1 --persistence per-request` under callgrind, zeroes the counters once it is
# ready (keytab loading left out), drives it with bench/http_negotiate_loadgen (2 connections) for SECONDS,
# stops it, and prints
#   frontend-callgrind mech=spnego requests=N instructions=I per_request=P file=OUT_FILE
# Read the profile with: callgrind_annotate --inclusive=yes OUT_FILE | less
set -euo pipefail

mech=spnego
duration=8
build=build
out=
while getopts "m:d:b:o:h" opt; do
  case "$opt" in
    m) mech=$OPTARG ;;
    d) duration=$OPTARG ;;
    b) build=$OPTARG ;;
    o) out=$OPTARG ;;
    *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$PATH:/usr/sbin"
for tool in valgrind callgrind_control python3 kinit kvno; do
  command -v "$tool" >/dev/null || { echo "frontend-callgrind: $tool not found" >&2; exit 2; }
done
kerbpool=$(cd "$build/cli" && pwd)/kerbpool
loadgen=$(cd "$build/bench" && pwd)/http_negotiate_loadgen
[ -x "$kerbpool" ] && [ -x "$loadgen" ] || { echo "frontend-callgrind: build first" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/frontend-callgrind.XXXXXX")
out=${out:-$tmp/callgrind.out}
kdc_pid=
vg_pid=
cleanup() {
  local pid
  for pid in $vg_pid $kdc_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
kdc_port=$(free_port)
"$kerbpool" kdc --realm-file "$here/examples/contoso.realm.json" --port "$kdc_port" --threads 1 --quiet \
  >"$tmp/kdc.out" 2>&1 &
kdc_pid=$!
for _ in $(seq 1 200); do
  grep -q 'ready' "$tmp/kdc.out" && break
  kill -0 "$kdc_pid" 2>/dev/null || { cat "$tmp/kdc.out" >&2; exit 1; }
  sleep 0.05
done
cat >"$tmp/krb5.conf" <<EOF
[libdefaults]
  default_realm = CONTOSO.TEST
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
[realms]
  CONTOSO.TEST = {
    kdc = 127.0.0.1:$kdc_port
  }
[domain_realm]
  .contoso.test = CONTOSO.TEST
EOF
export KRB5_CONFIG=$tmp/krb5.conf KRB5CCNAME=FILE:$tmp/alice.ccache
"$kerbpool" keytab export --realm-file "$here/examples/contoso.realm.json" --account 'POOLKERB$' \
  --out "$tmp/pool.keytab" >/dev/null
printf '%s\n' 'Passw0rd!' | kinit alice@CONTOSO.TEST >/dev/null
kvno HTTP/pool.contoso.test >/dev/null

port=$(free_port)
valgrind --tool=callgrind --callgrind-out-file="$out" "$kerbpool" frontend --node fe01 \
  --keytab "$tmp/pool.keytab" --port "$port" --threads 1 --persistence per-request --quiet \
  >"$tmp/frontend.out" 2>"$tmp/valgrind.err" &
vg_pid=$!
for _ in $(seq 1 600); do
  grep -q 'ready' "$tmp/frontend.out" && break
  kill -0 "$vg_pid" 2>/dev/null || { cat "$tmp/frontend.out" "$tmp/valgrind.err" >&2; exit 1; }
  sleep 0.1
done
callgrind_control -z "$vg_pid" >/dev/null 2>&1
line=$("$loadgen" --port "$port" --threads 2 --duration "$duration" --mech "$mech" | tail -n 1) || true
kill -TERM "$vg_pid"
wait "$vg_pid" || true
vg_pid=
requests=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line")
instructions=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out")
if [ -z "$requests" ] || [ "$requests" -eq 0 ] || [ -z "$instructions" ]; then
  echo "frontend-callgrind: no result: $line" >&2
  exit 1
fi
if [ "$out" = "$tmp/callgrind.out" ]; then
  out=$(mktemp "${TMPDIR:-/tmp}/frontend-callgrind.$mech.XXXXXX")
  cp "$tmp/callgrind.out" "$out"
fi
echo "frontend-callgrind mech=$mech requests=$requests instructions=$instructions" \
  "per_request=$((instructions / requests)) file=$out"
