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
