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

# https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html: a stream
# keeps records 24 hours unless told otherwise, at most 8,760 hours (365 days).
KINESIS_RETENTION_DEFAULT_HOURS = 24
KINESIS_RETENTION_MAX_HOURS = 8760
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
