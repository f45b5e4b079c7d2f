#!/usr/bin/env bash
# Start LocalStack in the background on 127.0.0.1:4566 and wait until it is healthy.
# Prints "started" or "already running"; the PID file says whose it is.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# kinesis-local runs on the project's Node (22) when installed, else on the one on PATH.
export PATH=$LS_ROOT/node_modules/.bin:$PATH

if [[ -f $LS_PIDFILE ]] && kill -0 "$(cat "$LS_PIDFILE")" 2>/dev/null; then
  echo "LocalStack already running (pid $(cat "$LS_PIDFILE"))"
  exit 0
fi
if curl -fsS --max-time 2 "$LS_ENDPOINT/_localstack/health" >/dev/null 2>&1; then
  echo "something else already answers on $LS_ENDPOINT: stop it first" >&2
  exit 1
fi
if [[ ! -x $LS_VENV/bin/python || ! -f $LS_KINESIS_DIR/node_modules/kinesis-local/main.js ]]; then
  echo "LocalStack is not installed: run scripts/localstack/setup.sh (make deploy-local does)" >&2
  exit 1
fi
ls_outbound_to_nowhere
mkdir -p "$FILESYSTEM_ROOT" "$TMPDIR" "$CONFIG_DIR" "$LOCALSTACK_VOLUME_DIR"
# setsid: its own process group, so stop.sh can end the whole tree.
setsid "$LS_VENV/bin/python" "$LS_ROOT/scripts/localstack/ls_main.py" >"$LS_LOGFILE" 2>&1 </dev/null &
echo $! >"$LS_PIDFILE"
SECONDS=0
while ((SECONDS < ${LS_START_TIMEOUT:-120})); do
  if curl -fsS --max-time 2 "$LS_ENDPOINT/_localstack/health" >/dev/null 2>&1; then
    echo "LocalStack started on $LS_ENDPOINT (pid $(cat "$LS_PIDFILE"), ${SECONDS}s; log $LS_LOGFILE)"
    exit 0
  fi
  if ! kill -0 "$(cat "$LS_PIDFILE")" 2>/dev/null; then
    echo "LocalStack exited during start-up; last lines of $LS_LOGFILE:" >&2
    tail -30 "$LS_LOGFILE" >&2
    rm -f "$LS_PIDFILE"
    exit 1
  fi
  sleep 0.5
done
echo "LocalStack not healthy after ${SECONDS}s; see $LS_LOGFILE" >&2
"$(dirname "${BASH_SOURCE[0]}")/stop.sh" >&2
exit 1
