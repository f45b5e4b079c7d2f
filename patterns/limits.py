"""AWS's limits that both the constructs and the messaging checks read, written once.

Imports nothing: the constructs' validation, the shard planner and the rules of
``patterns.messaging`` (which read templates, not constructs) all import it."""

from __future__ import annotations

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

# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html:
# a queue's (or a received message's) visibility timeout is 0 seconds to 12 hours.
SQS_VISIBILITY_TIMEOUT_MAX_SECONDS = 43_200

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
