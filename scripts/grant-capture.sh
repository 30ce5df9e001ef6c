#!/usr/bin/env bash
# `kerbpool run --pcap` and tests/capture capture on the loopback interface, which needs CAP_NET_RAW. Root has
# it; for a user (with sudo, as the README's set-up expects) this gives it to the built binaries, as one would
# to dumpcap. Usage: scripts/grant-capture.sh BUILD_DIR
set -euo pipefail
build_dir=${1:?usage: scripts/grant-capture.sh BUILD_DIR}
if [ "$(id -u)" -ne 0 ]; then
  sudo setcap cap_net_raw+ep "$build_dir/cli/kerbpool" "$build_dir/tests/capture_tests"
fi
