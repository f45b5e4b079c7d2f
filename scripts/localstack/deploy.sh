#!/usr/bin/env bash
# Deploy example stacks to LocalStack with the project's own CDK CLI: `cdk bootstrap` into the
# emulator's account, then `cdk deploy`, outputs written to .local/outputs.json.
# Usage: deploy.sh [STACK ...]   (default: the stacks listed in stacks.txt)
# DEPLOY_APP=<command> deploys another CDK app instead (all its stacks; the e2e suite's own
# stacks), OUTPUTS_FILE=<path> writes its outputs elsewhere, SKIP_BOOTSTRAP=1 skips bootstrap.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/cdk-env.sh"
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
OUTPUTS_FILE=${OUTPUTS_FILE:-.local/outputs.json}
app_args=(--output .local/cdk.out.local)
if [[ -n ${DEPLOY_APP:-} ]]; then
  app_args=(--app "$DEPLOY_APP" --output .local/cdk.out.e2e)
  (($# > 0)) || set -- --all
elif (($# == 0)); then
  mapfile -t stacks < <(grep -v -e '^#' -e '^$' "$HERE/stacks.txt")
  set -- "${stacks[@]}"
fi
mkdir -p .local
: >.local/aws-none  # an empty AWS config/credentials file: the user's real ones are never read
if ! curl -fsS --max-time 2 "$AWS_ENDPOINT_URL/_localstack/health" >/dev/null 2>&1; then
  echo "LocalStack does not answer on $AWS_ENDPOINT_URL: run scripts/localstack/start.sh" >&2
  exit 1
fi
if [[ -z ${SKIP_BOOTSTRAP:-} ]]; then
  SECONDS=0
  cdk --no-notices bootstrap "aws://$LOCAL_ACCOUNT/$AWS_REGION" "${app_args[@]}" \
    >.local/bootstrap.log 2>&1 || { cat .local/bootstrap.log >&2; exit 1; }
  echo "bootstrapped aws://$LOCAL_ACCOUNT/$AWS_REGION on LocalStack (${SECONDS}s)"
fi
SECONDS=0
log=.local/deploy.log
[[ -z ${DEPLOY_APP:-} ]] || log=.local/deploy-e2e.log
cdk --no-notices deploy "$@" "${app_args[@]}" --require-approval never --progress events \
  --outputs-file "$OUTPUTS_FILE" >"$log" 2>&1 || { tail -60 "$log" >&2; exit 1; }
echo "deployed $* on LocalStack (${SECONDS}s); outputs in $OUTPUTS_FILE"
