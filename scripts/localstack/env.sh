# Environment for localstack-core on the host (no Docker), loopback only. Sourced by the
# other scripts; every path is under the project's git-ignored .local/ folder.
LS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LS_STATE=$LS_ROOT/.local/localstack
LS_VENV=$LS_STATE/venv
LS_PIDFILE=$LS_STATE/localstack.pid
LS_LOGFILE=$LS_STATE/localstack.log
export LS_ENDPOINT=http://127.0.0.1:4566
export KINESIS_MOCK_VERSION=0.5.2
LS_KINESIS_DIR=$LS_STATE/fs/usr/lib/localstack/kinesis-local/$KINESIS_MOCK_VERSION

# Bound to loopback. The default (twisted) gateway ignores the host and binds 0.0.0.0.
export GATEWAY_LISTEN=127.0.0.1:4566
export LOCALSTACK_HOST=127.0.0.1:4566
export GATEWAY_SERVER=hypercorn
# Host mode, state kept out of system folders.
export OVERRIDE_IN_DOCKER=0
export FILESYSTEM_ROOT=$LS_STATE/fs
export LOCALSTACK_VOLUME_DIR=$LS_STATE/fs/var/lib/localstack
export CONFIG_DIR=$LS_STATE/fs/config
export TMPDIR=$LS_STATE/fs/tmp
export PERSISTENCE=0
# Nothing phones home: no DNS server, no certificate download, no analytics or events.
export DNS_ADDRESS=0
export SKIP_SSL_CERT_DOWNLOAD=1
export DISABLE_EVENTS=1
export API_ENDPOINT=http://127.0.0.1:9/v1
export ANALYTICS_API=http://127.0.0.1:9/v1
# For the LocalStack process only (start.sh), not for the installs of setup.sh: any outbound
# HTTP(S) it attempts goes to a closed loopback port.
ls_outbound_to_nowhere() {
  export OUTBOUND_HTTP_PROXY=http://127.0.0.1:9 OUTBOUND_HTTPS_PROXY=http://127.0.0.1:9
  export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
  export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
  export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
}
export SQS_ENDPOINT_STRATEGY=path
export EAGER_SERVICE_LOADING=0
export LS_LOG=${LS_LOG_LEVEL:-info}
