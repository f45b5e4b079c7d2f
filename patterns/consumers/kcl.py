"""What the Kinesis Client Library (KCL) needs from AWS, written once (imports no CDK).

Read by :class:`~patterns.StreamWorkerFleet` (the tables it creates, the permissions it
grants, the metric it scales on) and available to the checks. Every fact names its source:

- the metadata tables, their keys and the lease table's index:
  https://docs.aws.amazon.com/streams/latest/dev/kcl-dynamoDB.html (KCL 3.x: a lease table
  with the global secondary index ``LeaseOwnerToLeaseKeyIndex`` on ``leaseOwner``, a worker
  metrics table ``<application>-WorkerMetricStats`` and a coordinator state table
  ``<application>-CoordinatorState``; KCL 2.x: the lease table only);
- the permissions: https://docs.aws.amazon.com/streams/latest/dev/kcl-iam-permissions.html
  (stream: ``DescribeStream``, ``DescribeStreamSummary``, ``RegisterStreamConsumer``;
  ``GetRecords``, ``GetShardIterator``, ``ListShards``; ``SubscribeToShard`` and
  ``DescribeStreamConsumer`` on the stream's consumers for enhanced fan-out only; the lease
  table, the two KCL 3.x tables, ``Query`` on the lease table's index, and
  ``cloudwatch:PutMetricData``);
- the metrics: https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-kcl.html (the
  namespace is the application name) and the application-level ``MillisBehindLatest``
  (dimension ``Operation=ApplicationLevelMetrics``, the maximum over the application's
  shards: https://github.com/awslabs/amazon-kinesis-client/pull/868);
- enhanced fan-out: https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html
  (at most 20 registered consumers per stream).
"""

from __future__ import annotations

KCL_TABLES_DOC = "https://docs.aws.amazon.com/streams/latest/dev/kcl-dynamoDB.html"
KCL_IAM_DOC = "https://docs.aws.amazon.com/streams/latest/dev/kcl-iam-permissions.html"
KCL_METRICS_DOC = "https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-kcl.html"
ENHANCED_FAN_OUT_DOC = "https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html"

KCL_VERSIONS = (2, 3)
DEFAULT_KCL_VERSION = 3

# The metadata tables (string partition keys, as KCL creates them).
LEASE_KEY = "leaseKey"
LEASE_OWNER = "leaseOwner"
LEASE_OWNER_INDEX = "LeaseOwnerToLeaseKeyIndex"  # KCL 3.x: leaseOwner HASH, leaseKey RANGE
WORKER_METRICS_SUFFIX = "-WorkerMetricStats"
WORKER_METRICS_KEY = "wid"
COORDINATOR_STATE_SUFFIX = "-CoordinatorState"
COORDINATOR_STATE_KEY = "key"

# Kinesis actions on the stream, per retrieval mode. RegisterStreamConsumer is not granted:
# the stack registers the enhanced fan-out consumer itself and passes its ARN, so KCL finds
# it with DescribeStreamConsumer and never registers one of its own.
POLLING_STREAM_ACTIONS = (
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
)
FAN_OUT_STREAM_ACTIONS = (
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:ListShards",
)
FAN_OUT_CONSUMER_ACTIONS = ("kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard")

# DynamoDB actions, per table. CreateTable is left out on purpose: the stack creates the
# tables (encrypted, with point-in-time recovery), and KCL calls CreateTable only when
# DescribeTable finds no table, so a table deleted out of band fails loudly instead of being
# recreated without the stack's settings.
_ITEM_ACTIONS = (
    "dynamodb:DescribeTable",
    "dynamodb:Scan",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
)
LEASE_TABLE_ACTIONS: dict[int, tuple[str, ...]] = {
    2: _ITEM_ACTIONS,
    3: (*_ITEM_ACTIONS, "dynamodb:UpdateTable"),
}
METADATA_TABLE_ACTIONS = _ITEM_ACTIONS  # KCL 3.x worker metrics and coordinator state
LEASE_INDEX_ACTIONS = ("dynamodb:Query",)  # KCL 3.x, on LeaseOwnerToLeaseKeyIndex

METRICS_ACTION = "cloudwatch:PutMetricData"
LAG_METRIC = "MillisBehindLatest"
LAG_METRIC_DIMENSIONS = {"Operation": "ApplicationLevelMetrics"}

# What the workers read from their environment (the fleet sets them; users may not).
ENV_APPLICATION_NAME = "KCL_APPLICATION_NAME"
ENV_STREAM_NAME = "KCL_STREAM_NAME"
ENV_STREAM_ARN = "KCL_STREAM_ARN"
ENV_REGION = "KCL_REGION"
ENV_LEASE_TABLE = "KCL_LEASE_TABLE"
ENV_WORKER_METRICS_TABLE = "KCL_WORKER_METRICS_TABLE"
ENV_COORDINATOR_STATE_TABLE = "KCL_COORDINATOR_STATE_TABLE"
ENV_METRICS_NAMESPACE = "KCL_METRICS_NAMESPACE"
ENV_RETRIEVAL_MODE = "KCL_RETRIEVAL_MODE"  # POLLING or FANOUT
ENV_CONSUMER_ARN = "KCL_CONSUMER_ARN"
ENV_CONSUMER_NAME = "KCL_CONSUMER_NAME"
RESERVED_ENVIRONMENT = (
    ENV_APPLICATION_NAME,
    ENV_STREAM_NAME,
    ENV_STREAM_ARN,
    ENV_REGION,
    ENV_LEASE_TABLE,
    ENV_WORKER_METRICS_TABLE,
    ENV_COORDINATOR_STATE_TABLE,
    ENV_METRICS_NAMESPACE,
    ENV_RETRIEVAL_MODE,
    ENV_CONSUMER_ARN,
    ENV_CONSUMER_NAME,
)


def worker_metrics_table_name(application_name: str) -> str:
    """KCL 3.x's default name of the worker metrics table."""
    return f"{application_name}{WORKER_METRICS_SUFFIX}"


def coordinator_state_table_name(application_name: str) -> str:
    """KCL 3.x's default name of the coordinator state table."""
    return f"{application_name}{COORDINATOR_STATE_SUFFIX}"
