"""Which AWS price-list products a stack's charges are billed under.

A ``RateSpec`` names one product of AWS's price list (the Price List Query API and the Bulk
API offer files publish the same documents): its service code, the attribute values that
pick it out (``productFamily``, ``group``, ``queueType`` ...), and its usage type without the
region prefix (``USE1-``, ``EUW1-`` ...; us-east-1 often has none). The price itself is read
from the price list (``patterns.cost.pricelist``); nothing here holds a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

HOURS_PER_MONTH = 730
"""AWS's monthly hours convention (24 x 365 / 12), used for every hourly charge."""

_REGION_PREFIX = r"^(?:[A-Z]{2,4}[0-9]|EU|[a-z]{2}(?:-[a-z]+)+-[0-9])-"
"""A usage type's region prefix: ``EUW1-``, ``EU-`` (eu-west-1 of old), ``eu-west-1-`` (KMS)."""


@dataclass(frozen=True)
class RateSpec:
    """One product of the price list: ``service`` and the attributes that select it.

    ``usage_type`` is the usage type without its region prefix (matched exactly, with or
    without a prefix such as ``EUW1-``, or anywhere in it where ``usage_type_contains``);
    ``attributes`` are matched exactly; ``unit`` is the unit the line's quantity is counted
    in (AWS's ``unit`` of the rate, e.g. ``Requests``, ``GB``, ``Hrs``), ``what`` says in
    words what the rate is for.
    """

    key: str
    service: str
    what: str
    unit: str
    usage_type: str = ""
    attributes: tuple[tuple[str, str], ...] = field(default=())
    usage_type_contains: bool = False

    def matches(self, attributes: dict[str, str]) -> bool:
        """Whether a product's attributes are the ones this rate is billed under."""
        for name, value in self.attributes:
            if attributes.get(name, "") != value:
                return False
        usage = attributes.get("usagetype", "")
        if self.usage_type_contains:
            return self.usage_type in usage
        if self.usage_type:
            pattern = f"(?:{_REGION_PREFIX})?{re.escape(self.usage_type)}$"
            return re.match(pattern, usage) is not None
        return True

    def filters(self, region: str) -> list[dict[str, str]]:
        """The GetProducts filters that narrow the query to this product in ``region``."""
        filters = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
        # An empty value (an attribute the product must not have) is matched locally only:
        # the API takes no empty filter value.
        filters += [{"Type": "TERM_MATCH", "Field": n, "Value": v} for n, v in self.attributes if v]
        if self.usage_type:
            filters.append({"Type": "CONTAINS", "Field": "usagetype", "Value": self.usage_type})
        return filters


def _spec(key: str, service: str, what: str, unit: str, usage: str = "", **attrs: str) -> RateSpec:
    return RateSpec(key, service, what, unit, usage, tuple(sorted(attrs.items())))


# CloudWatch -------------------------------------------------------------------------------
ALARM_METRIC = _spec(
    "cloudwatch.alarm.standard", "AmazonCloudWatch", "standard-resolution alarm metric-month",
    "Alarms", "AlarmMonitorUsage", productFamily="Alarm", alarmType="Standard",
)  # fmt: skip
ALARM_METRIC = replace(ALARM_METRIC, usage_type_contains=True)
HIGH_RESOLUTION_ALARM_METRIC = _spec(
    "cloudwatch.alarm.high_resolution", "AmazonCloudWatch",
    "high-resolution alarm metric-month", "Alarms", "AlarmMonitorUsage",
    productFamily="Alarm", alarmType="High Resolution",
)  # fmt: skip
HIGH_RESOLUTION_ALARM_METRIC = replace(HIGH_RESOLUTION_ALARM_METRIC, usage_type_contains=True)
COMPOSITE_ALARM = _spec(
    "cloudwatch.alarm.composite", "AmazonCloudWatch", "composite alarm-month", "Alarms",
    "CW:CompositeAlarmMonitorUsage", productFamily="Alarm",
)  # fmt: skip
DASHBOARD = _spec(
    "cloudwatch.dashboard", "AmazonCloudWatch", "custom dashboard-month", "Dashboards",
    "DashboardsUsageHour", productFamily="Dashboard",
)  # fmt: skip
LOGS_INGESTION = _spec(
    "logs.ingestion", "AmazonCloudWatch", "GB of log data ingested (standard class)", "GB",
    "DataProcessing-Bytes", productFamily="Data Payload",
)  # fmt: skip
LOGS_STORAGE = _spec(
    "logs.storage", "AmazonCloudWatch", "GB-month of log data stored", "GB-Mo",
    "TimedStorage-ByteHrs", productFamily="Storage Snapshot",
)  # fmt: skip
VENDED_LOGS = _spec(
    "logs.vended_ingestion", "AmazonCloudWatch", "GB of vended logs (VPC flow logs) delivered",
    "GB", "VendedLog-Bytes", productFamily="Data Payload",
)  # fmt: skip

# KMS, Secrets Manager ---------------------------------------------------------------------
KMS_KEY = _spec("kms.key", "awskms", "customer-managed KMS key-month", "Keys", "KMS-Keys")
KMS_REQUEST = _spec("kms.request", "awskms", "symmetric KMS request", "Requests", "KMS-Requests")
SECRET = _spec(
    "secretsmanager.secret", "AWSSecretsManager", "secret-month", "Secrets",
    productFamily="Secret",
)  # fmt: skip

# SQS, SNS ---------------------------------------------------------------------------------
SQS_STANDARD = _spec(
    "sqs.standard", "AWSQueueService", "standard-queue request (64 KB chunk)", "Requests",
    "Requests-Tier1", productFamily="API Request", queueType="Standard",
)  # fmt: skip
SQS_FIFO = _spec(
    "sqs.fifo", "AWSQueueService", "FIFO-queue request (64 KB chunk)", "Requests",
    "Requests-FIFO-Tier1", productFamily="API Request", queueType="FIFO (first-in, first-out)",
)  # fmt: skip
SNS_PUBLISH = _spec(
    "sns.publish", "AmazonSNS", "standard-topic API request (64 KB chunk)", "Requests",
    "Requests-Tier1", productFamily="API Request",
)  # fmt: skip
SNS_FIFO_PUBLISH = _spec(
    "sns.fifo_publish",
    "AmazonSNS",
    "FIFO-topic publish request",
    "Requests",
    "F-Request-Tier1",
)
SNS_FIFO_PAYLOAD = _spec(
    "sns.fifo_payload",
    "AmazonSNS",
    "GB of FIFO-topic publish payload",
    "GB",
    "F-Ingress-Tier1",
)
SNS_TO_SQS = _spec(
    "sns.delivery.sqs", "AmazonSNS", "notification delivered to an SQS queue", "Notifications",
    "DeliveryAttempts-SQS", productFamily="Message Delivery",
)  # fmt: skip
SNS_TO_LAMBDA = _spec(
    "sns.delivery.lambda", "AmazonSNS", "notification delivered to a Lambda function",
    "Notifications", "DeliveryAttempts-LAMBDA", productFamily="Message Delivery",
)  # fmt: skip

# Kinesis Data Streams, Firehose -----------------------------------------------------------
SHARD_HOUR = _spec(
    "kinesis.shard_hour", "AmazonKinesis", "provisioned shard-hour", "ShardHour",
    "Storage-ShardHour", operation="shardHourStorage",
)  # fmt: skip
EXTENDED_SHARD_HOUR = _spec(
    "kinesis.extended_retention_shard_hour", "AmazonKinesis",
    "shard-hour of retention beyond 24 hours", "ShardHour", "Extended-ShardHour",
    operation="shardHourStorage",
)  # fmt: skip
PUT_PAYLOAD_UNIT = _spec(
    "kinesis.put_payload_unit", "AmazonKinesis", "PUT payload unit (25 KB)", "PutRequest",
    "PutRequestPayloadUnits", operation="PutRequest",
)  # fmt: skip
ON_DEMAND_STREAM_HOUR = _spec(
    "kinesis.on_demand.stream_hour", "AmazonKinesis", "on-demand stream-hour", "Hours",
    "OnDemand-StreamHour", operation="OnDemandStreamHr",
)  # fmt: skip
ON_DEMAND_IN = _spec(
    "kinesis.on_demand.data_in", "AmazonKinesis", "GB written to an on-demand stream", "GB",
    "OnDemand-BilledIncomingBytes", operation="OnDemandDataIngested",
)  # fmt: skip
ON_DEMAND_OUT = _spec(
    "kinesis.on_demand.data_out", "AmazonKinesis", "GB read from an on-demand stream", "GB",
    "OnDemand-BilledOutgoingBytes", operation="OnDemandDataRetrieval",
)  # fmt: skip
EFO_CONSUMER_SHARD_HOUR = _spec(
    "kinesis.efo.consumer_shard_hour", "AmazonKinesis",
    "enhanced fan-out consumer-shard-hour", "ConsumerShardHour", "EnhancedFanoutHour",
    operation="ConsumerHour",
)  # fmt: skip
EFO_DATA = _spec(
    "kinesis.efo.data", "AmazonKinesis", "GB read by an enhanced fan-out consumer", "GB",
    "ReadBytes", operation="EnhancedFanoutDataRetrieval",
)  # fmt: skip
ON_DEMAND_EFO_DATA = _spec(
    "kinesis.on_demand.efo_data", "AmazonKinesis",
    "GB read from an on-demand stream by an enhanced fan-out consumer", "GB",
    "OnDemand-BilledOutgoingEFOBytes", operation="OnDemandEFODataRetrieval",
)  # fmt: skip
FIREHOSE_INGESTION = _spec(
    "firehose.ingestion", "AmazonKinesisFirehose", "GB ingested (records rounded up to 5 KB)",
    "GB", group="Event-by-Event Processing", sourcetype="",
)  # fmt: skip
FIREHOSE_FORMAT_CONVERSION = _spec(
    "firehose.format_conversion", "AmazonKinesisFirehose", "GB converted to Parquet or ORC",
    "GB", operation="DataFormatConversion",
)  # fmt: skip

# Lambda, Fargate --------------------------------------------------------------------------


def lambda_requests(arm: bool) -> RateSpec:
    suffix = "-ARM" if arm else ""
    return _spec(
        f"lambda.requests{suffix.lower()}", "AWSLambda",
        f"Lambda request ({'arm64' if arm else 'x86_64'})", "Requests", f"Request{suffix}",
        group=f"AWS-Lambda-Requests{suffix}",
    )  # fmt: skip


def lambda_duration(arm: bool) -> RateSpec:
    suffix = "-ARM" if arm else ""
    return _spec(
        f"lambda.duration{suffix.lower()}", "AWSLambda",
        f"Lambda GB-second of duration ({'arm64' if arm else 'x86_64'})", "Lambda-GB-Second",
        f"Lambda-GB-Second{suffix}", group=f"AWS-Lambda-Duration{suffix}",
    )  # fmt: skip


def fargate_vcpu(arm: bool) -> RateSpec:
    usage = "Fargate-ARM-vCPU-Hours:perCPU" if arm else "Fargate-vCPU-Hours:perCPU"
    return _spec(
        f"fargate.vcpu{'.arm' if arm else ''}", "AmazonECS",
        f"Fargate vCPU-hour ({'arm64' if arm else 'x86_64'}, Linux)", "hours", usage,
    )  # fmt: skip


def fargate_memory(arm: bool) -> RateSpec:
    usage = "Fargate-ARM-GB-Hours" if arm else "Fargate-GB-Hours"
    return _spec(
        f"fargate.memory{'.arm' if arm else ''}", "AmazonECS",
        f"Fargate GB-hour of memory ({'arm64' if arm else 'x86_64'}, Linux)", "hours", usage,
    )  # fmt: skip


# Networking -------------------------------------------------------------------------------
NAT_HOUR = _spec(
    "nat.hour", "AmazonEC2", "NAT gateway-hour", "Hrs", "NatGateway-Hours",
    productFamily="NAT Gateway",
)  # fmt: skip
NAT_GB = _spec(
    "nat.data", "AmazonEC2", "GB processed by a NAT gateway", "GB", "NatGateway-Bytes",
    productFamily="NAT Gateway",
)  # fmt: skip
ENDPOINT_HOUR = _spec(
    "vpce.interface.hour", "AmazonVPC", "interface endpoint-hour per Availability Zone", "Hrs",
    "VpcEndpoint-Hours", productFamily="VpcEndpoint",
)  # fmt: skip
ENDPOINT_GB = _spec(
    "vpce.interface.data", "AmazonVPC", "GB processed by an interface endpoint", "GB",
    "VpcEndpoint-Bytes", productFamily="VpcEndpoint",
)  # fmt: skip
PUBLIC_IPV4_HOUR = _spec(
    "vpc.public_ipv4", "AmazonVPC", "in-use public IPv4 address-hour", "Hrs",
    "PublicIPv4:InUseAddress",
)  # fmt: skip

# EventBridge, Glue, DynamoDB, S3 ----------------------------------------------------------
EVENTBRIDGE_CUSTOM_EVENT = _spec(
    "events.custom", "AWSEvents", "custom event published (64 KB chunk)", "Events",
    "Event-64K-Chunks", eventType="Custom Event",
)  # fmt: skip
PIPES_REQUEST = _spec(
    "pipes.request", "AWSEvents", "EventBridge Pipes request (64 KB chunk, after filtering)",
    "Requests", "Pipes-Requests",
)  # fmt: skip
GLUE_CATALOG_STORAGE = _spec(
    "glue.catalog.storage", "AWSGlue", "Data Catalog object-month", "Obj-Month",
    group="Data Catalog Storage",
)  # fmt: skip
GLUE_CATALOG_REQUEST = _spec(
    "glue.catalog.request", "AWSGlue", "Data Catalog request", "Requests",
    group="Data Catalog Requests",
)  # fmt: skip
DYNAMODB_WRITE_REQUEST = _spec(
    "dynamodb.on_demand.write", "AmazonDynamoDB", "on-demand write request unit",
    "WriteRequestUnits", productFamily="Amazon DynamoDB PayPerRequest Throughput",
    group="DDB-WriteUnits",
)  # fmt: skip
DYNAMODB_READ_REQUEST = _spec(
    "dynamodb.on_demand.read", "AmazonDynamoDB", "on-demand read request unit",
    "ReadRequestUnits", productFamily="Amazon DynamoDB PayPerRequest Throughput",
    group="DDB-ReadUnits",
)  # fmt: skip
DYNAMODB_WCU_HOUR = _spec(
    "dynamodb.provisioned.wcu", "AmazonDynamoDB", "provisioned write capacity unit-hour",
    "WriteCapacityUnit-Hrs", productFamily="Provisioned IOPS", group="DDB-WriteUnits",
)  # fmt: skip
DYNAMODB_RCU_HOUR = _spec(
    "dynamodb.provisioned.rcu", "AmazonDynamoDB", "provisioned read capacity unit-hour",
    "ReadCapacityUnit-Hrs", productFamily="Provisioned IOPS", group="DDB-ReadUnits",
)  # fmt: skip
DYNAMODB_STORAGE = _spec(
    "dynamodb.storage", "AmazonDynamoDB", "GB-month of table storage (Standard class)",
    "GB-Mo", "TimedStorage-ByteHrs",
)  # fmt: skip
DYNAMODB_PITR = _spec(
    "dynamodb.pitr", "AmazonDynamoDB", "GB-month of point-in-time recovery backup", "GB-Mo",
    "TimedPITRStorage-ByteHrs",
)  # fmt: skip
S3_STORAGE = _spec(
    "s3.storage.standard", "AmazonS3", "GB-month of S3 Standard storage", "GB-Mo",
    "TimedStorage-ByteHrs", volumeType="Standard",
)  # fmt: skip
S3_PUT = _spec(
    "s3.requests.tier1", "AmazonS3", "S3 Standard PUT, COPY, POST or LIST request", "Requests",
    "Requests-Tier1",
)  # fmt: skip

# Amazon MQ --------------------------------------------------------------------------------

MQ_ENGINES = {"ACTIVEMQ": "ActiveMQ", "RABBITMQ": "RabbitMQ"}


def mq_broker_hour(instance_type: str, engine: str, multi_az: bool) -> RateSpec:
    option = "Multi-AZ" if multi_az else "Single-AZ"
    name = MQ_ENGINES.get(engine.upper(), engine)
    spec = _spec(
        f"mq.broker_hour.{name.lower()}.{instance_type}.{option.lower()}", "AmazonMQ",
        f"{name} {instance_type} broker-hour ({option})", "Hrs", instance_type,
        productFamily="Broker Instances", brokerEngine=name, deploymentOption=option,
    )  # fmt: skip
    return replace(spec, usage_type_contains=True)


def mq_storage(engine: str, storage: str) -> RateSpec:
    name = MQ_ENGINES.get(engine.upper(), engine)
    if name == "RabbitMQ":
        usage = "TimedStorage-RabbitMQ-ByteHrs"
    elif storage.upper() == "EBS":
        usage = "TimedStorage-EBS-ByteHrs"
    else:
        usage = "TimedStorage-ByteHrs"
    return _spec(
        f"mq.storage.{name.lower()}.{storage.lower() or 'default'}", "AmazonMQ",
        f"GB-month of {name} broker storage ({storage or 'default'})", "GB-Mo", usage,
        productFamily="Broker Storage",
    )  # fmt: skip
