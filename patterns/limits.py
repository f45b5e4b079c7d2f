"""AWS's limits and rules that both the constructs and the messaging checks read, written once.

Imports no CDK (only the standard library): the constructs' validation, the shard planner and
the rules of ``patterns.messaging`` (which read templates, not constructs) all import it. Each
number sits next to the AWS page that documents it.
"""

from __future__ import annotations

import enum
import re

# --- Kinesis -----------------------------------------------------------------------------------

# https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html: enhanced fan-out
# consumers registered per stream (provisioned and On-demand Standard streams); an on-demand
# stream of an account using On-demand Advantage (an account-level mode) takes 50.
KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX = 20
KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX_ON_DEMAND_ADVANTAGE = 50

# https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html: each shard
# serves 5 GetRecords calls and 2 MB per second, shared by every classic (non-fan-out) reader,
# and takes 1 MB or 1,000 records per second of writes.
KINESIS_SHARD_READS_PER_SECOND = 5
KINESIS_SHARD_READ_MB_PER_SECOND = 2.0
KINESIS_SHARD_WRITE_MB_PER_SECOND = 1.0
KINESIS_SHARD_WRITE_RECORDS_PER_SECOND = 1000.0

# --- SQS ---------------------------------------------------------------------------------------

# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html:
# a queue's (or a received message's) visibility timeout is 0 seconds to 12 hours.
SQS_VISIBILITY_TIMEOUT_MAX_SECONDS = 43_200
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
# (the CreateQueue attributes): what SQS uses when a queue does not set an attribute, and the
# range it accepts for each.
SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30
SQS_RETENTION_MIN_SECONDS = 60  # 1 minute
SQS_RETENTION_MAX_SECONDS = 1_209_600  # 14 days
SQS_DEFAULT_RETENTION_SECONDS = 345_600  # 4 days
SQS_DELIVERY_DELAY_MAX_SECONDS = 900  # 15 minutes
SQS_RECEIVE_WAIT_MAX_SECONDS = 20
SQS_MESSAGE_SIZE_MIN_BYTES = 1_024
SQS_MESSAGE_SIZE_MAX_BYTES = 1_048_576  # 1 MiB
SQS_KMS_DATA_KEY_REUSE_MIN_SECONDS = 60
SQS_KMS_DATA_KEY_REUSE_MAX_SECONDS = 86_400  # 24 hours
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
# (RedrivePolicy): a message moves to the dead-letter queue after 1 to 1,000 receives.
SQS_MAX_RECEIVE_COUNT_MIN = 1
SQS_MAX_RECEIVE_COUNT_MAX = 1_000
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
# (RedriveAllowPolicy.sourceQueueArns): "You can specify up to 10 source queues".
SQS_REDRIVE_ALLOW_MAX_SOURCES = 10
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html:
# a queue name has up to 80 characters: letters, digits, hyphens and underscores; a FIFO
# queue's name ends in ".fifo" (counted in the 80).
SQS_QUEUE_NAME_MAX_LENGTH = 80

# --- SNS ---------------------------------------------------------------------------------------

# https://docs.aws.amazon.com/general/latest/gr/sns.html: the largest message SNS publishes
# (256 KiB); a subscribed queue that accepts less rejects the rest.
SNS_MAX_MESSAGE_BYTES = 262_144
# https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html: a topic name has up to 256
# letters, digits, hyphens and underscores; a FIFO topic's name ends in ".fifo" (counted).
SNS_TOPIC_NAME_MAX_LENGTH = 256
# https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html: a
# filter policy has at most 5 keys and 150 combinations of values.
SNS_FILTER_POLICY_MAX_KEYS = 5
SNS_FILTER_POLICY_MAX_COMBINATIONS = 150
# https://docs.aws.amazon.com/general/latest/gr/sns.html: filter policies per topic (default
# quota, adjustable: beyond it Subscribe calls fail) and subscriptions per FIFO topic.
SNS_FILTER_POLICIES_PER_TOPIC_QUOTA = 200
SNS_FIFO_TOPIC_SUBSCRIPTIONS_MAX = 100
# https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html:
# a topic policy statement names 1 to 200 principals.
SNS_TOPIC_POLICY_PRINCIPALS_MAX = 200

# --- names of queues and topics ----------------------------------------------------------------

# What ends the name of a FIFO queue or topic, and only theirs (the two pages above).
FIFO_SUFFIX = ".fifo"
_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")


class NameProblem(enum.Enum):
    """What is wrong with a queue or topic name (:func:`name_problems`)."""

    TOO_LONG = "too long"
    BAD_CHARACTERS = "characters other than letters, digits, hyphens and underscores"
    MISSING_FIFO_SUFFIX = "a FIFO name that does not end in .fifo"
    FIFO_SUFFIX_ON_STANDARD = "a standard name that ends in .fifo"


def name_problems(name: str, *, fifo: bool, max_length: int) -> list[NameProblem]:
    """What SQS (``max_length`` :data:`SQS_QUEUE_NAME_MAX_LENGTH`) or SNS
    (:data:`SNS_TOPIC_NAME_MAX_LENGTH`) refuses in the literal ``name``, in this order.

    The characters are checked without the ``.fifo`` of a FIFO name; a standard name ending in
    ``.fifo`` has both :attr:`NameProblem.FIFO_SUFFIX_ON_STANDARD` and the dot as a bad character.
    """
    problems = []
    ends_fifo = name.endswith(FIFO_SUFFIX)
    if fifo and not ends_fifo:
        problems.append(NameProblem.MISSING_FIFO_SUFFIX)
    if not fifo and ends_fifo:
        problems.append(NameProblem.FIFO_SUFFIX_ON_STANDARD)
    if len(name) > max_length:
        problems.append(NameProblem.TOO_LONG)
    base = name.removesuffix(FIFO_SUFFIX) if fifo else name
    if not _NAME_CHARACTERS.fullmatch(base):
        problems.append(NameProblem.BAD_CHARACTERS)
    return problems


# --- Consumers and fleets (patterns.consumers; rules in patterns.messaging.rules) -----------

# https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (Timeout): a function
# that sets no timeout stops after 3 seconds.
LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3

# https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html: BatchSize
# per event source (its default, and its range), MaximumBatchingWindowInSeconds (0 to 300
# whole seconds, every source we connect).
LAMBDA_BATCHING_WINDOW_MAX_SECONDS = 300
LAMBDA_SQS_BATCH_SIZE_DEFAULT = 10
LAMBDA_SQS_BATCH_SIZE_RANGE = (1, 10_000)
LAMBDA_SQS_FIFO_BATCH_SIZE_RANGE = (1, 10)
LAMBDA_KINESIS_BATCH_SIZE_DEFAULT = 100
LAMBDA_KINESIS_BATCH_SIZE_RANGE = (1, 10_000)
LAMBDA_MQ_BATCH_SIZE_DEFAULT = 100
LAMBDA_MQ_BATCH_SIZE_RANGE = (1, 10_000)
# https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html: a standard
# queue's batch of more than 10 messages needs a batching window of at least 1 second, and
# ScalingConfig.MaximumConcurrency is 2 to 1,000.
LAMBDA_SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX = 10
LAMBDA_SQS_MAX_CONCURRENCY_RANGE = (2, 1000)
# https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html: "set the source
# queue's visibility timeout to at least six times the timeout that you configure on your
# function" (plus the batching window).
LAMBDA_SQS_VISIBILITY_TIMEOUT_FACTOR = 6
# https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html:
# ParallelizationFactor 1 to 10, MaximumRetryAttempts 0 to 10,000 (-1: until the records
# expire), MaximumRecordAgeInSeconds 60 to 604,800 (-1: never).
LAMBDA_KINESIS_PARALLELIZATION_FACTOR_RANGE = (1, 10)
LAMBDA_KINESIS_RETRY_ATTEMPTS_RANGE = (0, 10_000)
LAMBDA_KINESIS_RECORD_AGE_RANGE_SECONDS = (60, 604_800)
# https://docs.aws.amazon.com/lambda/latest/api/API_SourceAccessConfiguration.html: a
# VIRTUAL_HOST URI is 1 to 200 characters; https://docs.aws.amazon.com/lambda/latest/api/
# API_CreateEventSourceMapping.html: an Amazon MQ queue name is 1 to 1,000.
LAMBDA_MQ_QUEUE_NAME_MAX_LENGTH = 1000
LAMBDA_MQ_VIRTUAL_HOST_MAX_LENGTH = 200

# https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html: an on-demand
# stream starts with 4 shards (a write capacity of 4 MB/s).
KINESIS_ON_DEMAND_INITIAL_SHARDS = 4

# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html: tasks per
# service (default quota).
ECS_TASKS_PER_SERVICE_MAX = 5000
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html
# (task CPU and memory): Fargate CPU units -> the memory sizes (MiB) they allow.
FARGATE_TASK_MEMORY_MIB: dict[int, range | tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: range(1024, 4096 + 1, 1024),
    1024: range(2048, 8192 + 1, 1024),
    2048: range(4096, 16384 + 1, 1024),
    4096: range(8192, 30720 + 1, 1024),
    8192: range(16384, 61440 + 1, 4096),
    16384: range(32768, 122880 + 1, 8192),
}
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-container-definition.html
# (stopTimeout): at most 120 seconds on Fargate.
FARGATE_STOP_TIMEOUT_MAX_SECONDS = 120
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateTaskProtection.html:
# ExpiresInMinutes is 1 to 2,880 (48 hours).
ECS_TASK_PROTECTION_MINUTES_RANGE = (1, 2880)

# ---------------------------------------------------------------------------------------------
# Amazon S3 event notifications, Amazon EventBridge (S3EventFanOut) and Amazon MQ
# (AmazonMqBroker): read by those packages' validation, by patterns.messaging's rules and by
# patterns.cost.
# ---------------------------------------------------------------------------------------------

# https://docs.aws.amazon.com/AmazonS3/latest/API/API_FilterRule.html: a key filter's value
# (prefix or suffix) "The maximum length is 1,024 characters".
S3_FILTER_VALUE_MAX_LENGTH = 1024

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html: general purpose
# buckets are named with 3 to 63 lowercase letters, digits, dots and hyphens, beginning and
# ending with a letter or digit, without two adjacent dots.
S3_BUCKET_NAME_MIN_LENGTH = 3
S3_BUCKET_NAME_MAX_LENGTH = 63
S3_BUCKET_NAME_PATTERN = r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$"

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html ("Using
# EventBridge"): the detail-types of the object events S3 itself sends to EventBridge for a
# bucket that has EventBridge notifications on (CloudTrail's "AWS API Call via CloudTrail"
# events of source aws.s3 arrive without that setting). Replication and lost
# reduced-redundancy objects are notification-only. (EventBridge's own reference,
# https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-s3.html, also lists "Async
# Copy Completion", which is no object event of a bucket's notification settings.)
S3_EVENT_BRIDGE_SOURCE = "aws.s3"
S3_EVENT_BRIDGE_DETAIL_TYPES = frozenset(
    {
        "Object Created",
        "Object Deleted",
        "Object Restore Initiated",
        "Object Restore Completed",
        "Object Restore Expired",
        "Object Tags Added",
        "Object Tags Deleted",
        "Object ACL Updated",
        "Object Storage Class Changed",
        "Object Access Tier Changed",
    }
)

# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html ("Event pattern
# size"): 2,048 characters by default, adjustable up to 4,096.
EVENT_BRIDGE_PATTERN_SIZE_DEFAULT = 2048
EVENT_BRIDGE_PATTERN_SIZE_MAX = 4096
# https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html: Name, 1 to 64
# characters of [.\-_A-Za-z0-9].
EVENT_BRIDGE_RULE_NAME_MAX_LENGTH = 64

# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-resourcepolicy.html:
# PolicyName, 1 to 255 characters.
LOGS_RESOURCE_POLICY_NAME_MAX_LENGTH = 255

# Amazon MQ, keyed by CloudFormation's EngineType (AWS::AmazonMQ::Broker).
# https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/amazon-mq-limits.html and
# https://docs.aws.amazon.com/amazon-mq/latest/api-reference/brokers.html (CreateBroker):
# broker names are 1 to 50 letters, digits, hyphens and underscores; user names 2 to 100
# letters, digits and _ . ~ -.
AMAZON_MQ_BROKER_NAME_MAX_LENGTH = 50
AMAZON_MQ_BROKER_NAME_PATTERN = r"^[0-9A-Za-z_-]{1,50}$"
AMAZON_MQ_USERNAME_PATTERN = r"^[A-Za-z0-9_.~-]{2,100}$"

# Broker instances per DeploymentMode (active/standby: two; a RabbitMQ cluster: three nodes),
# and the subnets each takes (CreateBroker subnetIds: one, exactly two, or one per AZ up to
# three for a cluster). https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/
# amazon-mq-broker-architecture.html and rabbitmq-broker-architecture.html.
AMAZON_MQ_SINGLE_INSTANCE = "SINGLE_INSTANCE"
AMAZON_MQ_HIGH_AVAILABILITY_MODES = {
    "ACTIVEMQ": "ACTIVE_STANDBY_MULTI_AZ",
    "RABBITMQ": "CLUSTER_MULTI_AZ",
}
AMAZON_MQ_BROKER_INSTANCES = {
    AMAZON_MQ_SINGLE_INSTANCE: 1,
    "ACTIVE_STANDBY_MULTI_AZ": 2,
    "CLUSTER_MULTI_AZ": 3,
}
AMAZON_MQ_SUBNET_COUNTS: dict[str, tuple[int, int]] = {
    AMAZON_MQ_SINGLE_INSTANCE: (1, 1),
    "ACTIVE_STANDBY_MULTI_AZ": (2, 2),
    "CLUSTER_MULTI_AZ": (1, 3),
}

# The TLS listener ports per engine and protocol, and the web console's (developer guide,
# "Amazon MQ for ActiveMQ/RabbitMQ" > "Listener ports"). RabbitMQ speaks AMQP 0-9-1 over TLS
# (AMQPS) only.
AMAZON_MQ_PROTOCOL_PORTS: dict[str, dict[str, int]] = {
    "ACTIVEMQ": {"OPENWIRE": 61617, "AMQP": 5671, "STOMP": 61614, "MQTT": 8883, "WSS": 61619},
    "RABBITMQ": {"AMQP": 5671},
}
AMAZON_MQ_CONSOLE_PORTS = {"ACTIVEMQ": 8162, "RABBITMQ": 443}

# Engine versions Amazon MQ supports for new brokers, newest first, with the host instance
# types each accepts (developer guide, "Version management" and "Broker instance types").
# ActiveMQ runs on mq.m5 (and mq.t3.micro, single instance only); RabbitMQ 4 only on mq.m7g.
AMAZON_MQ_MICRO_INSTANCE_TYPE = "mq.t3.micro"
_MQ_M5: tuple[str, ...] = ("mq.m5.large", "mq.m5.xlarge", "mq.m5.2xlarge", "mq.m5.4xlarge")
_MQ_M7G: tuple[str, ...] = (
    "mq.m7g.medium",
    "mq.m7g.large",
    "mq.m7g.xlarge",
    "mq.m7g.2xlarge",
    "mq.m7g.4xlarge",
    "mq.m7g.8xlarge",
    "mq.m7g.12xlarge",
    "mq.m7g.16xlarge",
)
AMAZON_MQ_SUPPORTED_VERSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "ACTIVEMQ": {
        "5.19": (AMAZON_MQ_MICRO_INSTANCE_TYPE, *_MQ_M5),
        "5.18": (AMAZON_MQ_MICRO_INSTANCE_TYPE, *_MQ_M5),
    },
    "RABBITMQ": {
        "4.2": _MQ_M7G,
        "3.13": (AMAZON_MQ_MICRO_INSTANCE_TYPE, *_MQ_M5, *_MQ_M7G),
    },
}

# AWS::AmazonMQ::Broker MaintenanceWindow: a day of the week, a 24-hour HH:MM time and a time
# zone: "Country/City" (IANA) or a UTC offset (an optional UTC or GMT, a sign, 0 to 14 hours
# and optional minutes: UTC+02:00, -05:30).
AMAZON_MQ_DAYS_OF_WEEK = (
    "MONDAY",
    "TUESDAY",
    "WEDNESDAY",
    "THURSDAY",
    "FRIDAY",
    "SATURDAY",
    "SUNDAY",
)
AMAZON_MQ_TIME_OF_DAY_PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$"
AMAZON_MQ_UTC_OFFSET_PATTERN = r"^(UTC|GMT)?[+-](0?[0-9]|1[0-4])(:[0-5][0-9])?$"

# --- Kinesis Data Streams and Amazon Data Firehose -----------------------------------------
# Read by patterns.kinesis_firehose_s3 (validation and the resources it builds), the stream
# consumers and the Firehose rules of patterns.messaging.

# https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html: a stream
# keeps records 24 hours (the default, no extended-retention charge) to 365 days, set in
# whole hours (RetentionPeriodHours).
KINESIS_RETENTION_MIN_HOURS = 24
KINESIS_RETENTION_MAX_HOURS = 8760
KINESIS_RETENTION_DEFAULT_HOURS = KINESIS_RETENTION_MIN_HOURS
# https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html: shards per
# account and Region, 500 in us-east-1, us-west-2 and eu-west-1, 200 elsewhere (adjustable).
KINESIS_SHARD_QUOTA_DEFAULT = 200
KINESIS_SHARD_QUOTA_LARGEST_REGIONS = 500
# https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html: StreamName.
KINESIS_STREAM_NAME_MAX_LENGTH = 128

# https://docs.aws.amazon.com/firehose/latest/APIReference/API_CreateDeliveryStream.html:
# DeliveryStreamName, 1-64 characters of [a-zA-Z0-9_.-].
FIREHOSE_DELIVERY_STREAM_NAME_MAX_LENGTH = 64
# https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html: S3
# destinations buffer 0-900 seconds and 1-128 MiB.
FIREHOSE_BUFFERING_INTERVAL_MAX_SECONDS = 900
FIREHOSE_BUFFERING_SIZE_MIB_RANGE = (1, 128)
# Record format conversion and dynamic partitioning both need buffers of at least 64 MiB
# (https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html,
# https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html); dynamic
# partitioning has no zero buffering: intervals from 60 seconds.
FIREHOSE_LARGE_BUFFERING_SIZE_MIN_MIB = 64
FIREHOSE_DYNAMIC_PARTITIONING_BUFFERING_INTERVAL_MIN_SECONDS = 60
# https://docs.aws.amazon.com/firehose/latest/APIReference/API_ExtendedS3DestinationConfiguration.html:
# Prefix and ErrorOutputPrefix, up to 1,024 characters; CompressionFormat's values for S3.
FIREHOSE_PREFIX_MAX_LENGTH = 1024
FIREHOSE_S3_COMPRESSION_FORMATS = ("UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY")
# https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html: a Lambda
# transformation gets buffers of 0.2-3 MB (whole MiB here) after 0-900 seconds, 0-300 retries,
# and invocations of at most 5 minutes.
FIREHOSE_TRANSFORMATION_BUFFERING_SIZE_MIB_RANGE = (1, 3)
FIREHOSE_TRANSFORMATION_BUFFERING_INTERVAL_MAX_SECONDS = 900
FIREHOSE_TRANSFORMATION_RETRIES_RANGE = (0, 300)
FIREHOSE_TRANSFORMATION_TIMEOUT_MAX_SECONDS = 300
# https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html: what the role of a
# delivery stream needs on its S3 destination (on the bucket, on its objects; never a delete)
# and on its Kinesis data stream source.
FIREHOSE_S3_BUCKET_ACTIONS = (
    "s3:GetBucketLocation",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
)
FIREHOSE_S3_OBJECT_ACTIONS = ("s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject")
FIREHOSE_KINESIS_SOURCE_ACTIONS = (
    "kinesis:DescribeStream",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
)
