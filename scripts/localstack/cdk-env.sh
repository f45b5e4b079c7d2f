# Source me: point the project's own CDK CLI (and boto3) at LocalStack on 127.0.0.1:4566.
# Fake credentials, and the user's real AWS config and credential files are never read.
_CDK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The project's pinned CLI, Node and virtualenv first (as the Makefile sets them).
export PATH=$_CDK_ROOT/node_modules/.bin:$_CDK_ROOT/.venv/bin:$PATH
export JSII_NODE=$_CDK_ROOT/node_modules/.bin/node
export AWS_ENDPOINT_URL=http://127.0.0.1:4566
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=$_CDK_ROOT/.local/aws-none AWS_SHARED_CREDENTIALS_FILE=$_CDK_ROOT/.local/aws-none
export CDK_DISABLE_CLI_TELEMETRY=true CDK_DISABLE_VERSION_CHECK=true
export CDK_HOME=$_CDK_ROOT/.local/cdk-home
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
# The account LocalStack reports for the test credentials.
export LOCAL_ACCOUNT=000000000000
unset _CDK_ROOT
