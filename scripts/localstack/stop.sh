#!/usr/bin/env bash
# Stop the LocalStack that start.sh started (by its PID file), with its children: kinesis-local
# runs in a session of its own, so a process-group kill alone would miss it.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
[[ -f $LS_PIDFILE ]] || { echo "LocalStack not running (no PID file)"; exit 0; }
pid=$(cat "$LS_PIDFILE")
descendants() {
  local child
  for child in $(pgrep -P "$1"); do echo "$child"; descendants "$child"; done
}
kids=""
if kill -0 "$pid" 2>/dev/null; then
  kids=$(descendants "$pid")  # collected before the parent exits and they are re-parented
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$pid" 2>/dev/null
  for child in $kids; do kill -KILL "$child" 2>/dev/null; done
fi
rm -f "$LS_PIDFILE"
echo "LocalStack stopped (pid $pid${kids:+, children $(echo $kids)})"
