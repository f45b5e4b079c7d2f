#!/usr/bin/env bash
# Deploy example stacks to LocalStack with the project's own CDK CLI: `cdk bootstrap` into the
# emulator's account, then `cdk deploy`, outputs written to .local/outputs.json.
# Usage: deploy.sh [STACK ...]   (default: the stacks listed in stacks.txt)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/cdk-env.sh"
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
if (($# == 0)); then
  mapfile -t stacks < <(grep -v -e '^#' -e '^$' "$HERE/stacks.txt")
  set -- "${stacks[@]}"
fi
mkdir -p .local
: >.local/aws-none  # an empty AWS config/credentials file: the user's real ones are never read
if ! curl -fsS --max-time 2 "$AWS_ENDPOINT_URL/_localstack/health" >/dev/null 2>&1; then
  echo "LocalStack does not answer on $AWS_ENDPOINT_URL: run scripts/localstack/start.sh" >&2
  exit 1
fi
SECONDS=0
cdk --no-notices bootstrap "aws://$LOCAL_ACCOUNT/$AWS_REGION" --output .local/cdk.out.local >.local/bootstrap.log 2>&1 \
  || { cat .local/bootstrap.log >&2; exit 1; }
echo "bootstrapped aws://$LOCAL_ACCOUNT/$AWS_REGION on LocalStack (${SECONDS}s)"
SECONDS=0
cdk --no-notices deploy "$@" --require-approval never --progress events \
  --output .local/cdk.out.local --outputs-file .local/outputs.json >.local/deploy.log 2>&1 \
  || { tail -60 .local/deploy.log >&2; exit 1; }
echo "deployed $* on LocalStack (${SECONDS}s); outputs in .local/outputs.json"
