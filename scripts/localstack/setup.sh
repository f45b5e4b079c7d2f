#!/usr/bin/env bash
# Install LocalStack for host mode (idempotent): a Python 3.13 virtualenv with the exact pins
# of requirements-localstack.txt, and its Kinesis backend (kinesis-local, pinned by
# kinesis-local/package-lock.json) installed ahead and patched to bind 127.0.0.1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
HERE=$LS_ROOT/scripts/localstack

find_python313() {
  if [[ -n ${PYTHON313:-} ]]; then echo "$PYTHON313"; return; fi
  local candidate
  for candidate in "$(command -v python3.13 || true)" /root/.pyenv/versions/3.13*/bin/python3.13 \
      "$HOME"/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13; do
    if [[ -n $candidate && -x $candidate ]] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  echo "LocalStack needs Python 3.13: install it or set PYTHON313=/path/to/python3.13" >&2
  exit 1
}

mkdir -p "$LS_STATE"
stamp=$LS_VENV/.stamp
want=$(sha256sum "$HERE/requirements-localstack.txt" | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  rm -rf "$LS_VENV"
  "$(find_python313)" -m venv "$LS_VENV"
  "$LS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r "$HERE/requirements-localstack.txt" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  echo "$want" > "$stamp"
fi

main_js=$LS_KINESIS_DIR/node_modules/kinesis-local/main.js
kstamp=$LS_KINESIS_DIR/.stamp
kwant=$(cat "$HERE/kinesis-local/package.json" "$HERE/kinesis-local/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ ! -f $kstamp || $(cat "$kstamp") != "$kwant" || ! -f $main_js ]]; then
  rm -rf "$LS_KINESIS_DIR"
  mkdir -p "$LS_KINESIS_DIR"
  cp "$HERE/kinesis-local/package.json" "$HERE/kinesis-local/package-lock.json" "$LS_KINESIS_DIR/"
  npm ci --prefix "$LS_KINESIS_DIR" --no-audit --no-fund --loglevel=error
  echo "$kwant" > "$kstamp"
fi
# kinesis-local hardcodes its bind address "0.0.0.0": loopback instead (idempotent).
sed -i 's/"0\.0\.0\.0"/"127.0.0.1"/' "$main_js"
if grep -q '"0\.0\.0\.0"' "$main_js"; then
  echo "could not patch kinesis-local to bind 127.0.0.1" >&2
  exit 1
fi
