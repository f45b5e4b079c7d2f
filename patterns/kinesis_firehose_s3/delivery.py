"""The Firehose delivery stream of ``KinesisToFirehoseToS3``, its role and its error logs.

The delivery role may read only the stream and write only under the two prefixes (never
delete), log only to its log stream, and use the keys only through Kinesis and S3 for these
resources. Transformation, partitioning (``processing``) and conversion (``conversion``) add
their settings and statements here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import Annotations, ArnFormat, Duration, RemovalPolicy, Size, Stack
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from patterns.compliance import acknowledge, acknowledge_all, flatten_cfn_reference
from patterns.kinesis_firehose_s3.conversion import (
    GLUE_SCHEMA_ACTIONS,
    SchemaLocation,
    conversion_configuration,
)
from patterns.kinesis_firehose_s3.layout import static_root
from patterns.kinesis_firehose_s3.processing import LAMBDA_ACTIONS, processing_configuration
from patterns.kinesis_firehose_s3.validation import mebibytes_of
from patterns.limits import (
    FIREHOSE_KINESIS_SOURCE_ACTIONS,
    FIREHOSE_S3_BUCKET_ACTIONS,
    FIREHOSE_S3_OBJECT_ACTIONS,
)
from patterns.naming import physical_name
from patterns.service_statements import via_service
from patterns.validation import seconds_of
from patterns.warnings import IMPORTED_KEY_POLICY

if TYPE_CHECKING:
    from patterns.kinesis_firehose_s3.options import PipelineOptions

DEFAULT_BUFFERING_INTERVAL = Duration.seconds(60)
DEFAULT_BUFFERING_SIZE = Size.mebibytes(64)
DEFAULT_PREFIX = (
    "data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
)
DEFAULT_ERROR_OUTPUT_PREFIX = (
    "errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}"
    "/day=!{timestamp:dd}/"
)
DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_YEAR
LOG_STREAM_NAME = "DestinationDelivery"

# What CloudWatch Logs needs from the key of an encrypted log group.
LOGS_KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)


@dataclass(frozen=True)
class Delivery:
    """What ``create_delivery`` built."""

    log_group: logs.LogGroup
    role: iam.Role
    delivery_stream: firehose.CfnDeliveryStream


def create_delivery(
    scope: Construct,
    o: PipelineOptions,
    *,
    path: str,
    stream: kinesis.IStream,
    bucket: s3.IBucket,
    encryption_key: kms.IKey,
    destination_key: kms.IKey | None,
    table: glue.ITable | None,
) -> Delivery:
    """Error logs, the role, then the delivery stream that waits for its policy."""
    stack = Stack.of(scope)
    schema = SchemaLocation(table) if table is not None else None
    log_group_name = delivery_log_group_name(scope)
    log_group, log_stream = delivery_log_group(
        scope,
        stack=stack,
        log_group_name=log_group_name,
        encryption_key=encryption_key,
        log_retention=o.log_retention,
    )
    ends = DeliveryEnds.of(
        stack,
        # A new stream is encrypted with the new key: no need to ask the stream.
        stream=stream,
        stream_key=encryption_key if o.stream is None else stream.encryption_key,
        bucket=bucket,
        destination_key=destination_key,
        prefixes=(o.prefix, o.error_output_prefix),
        log_group_name=log_group_name,
    )
    role, policy = delivery_role(
        scope, path=path, ends=ends, schema=schema, function=o.transformation_function
    )
    delivery_stream = new_delivery_stream(
        scope,
        o,
        ends=ends,
        role_arn=role.role_arn,
        policy=policy,
        log_group=log_group,
        log_stream=log_stream,
        schema=schema,
    )
    return Delivery(log_group, role, delivery_stream)


def delivery_log_group_name(scope: Construct) -> str:
    """A fixed, path-derived name, so that the key policy can name the log group."""
    return "/aws/kinesisfirehose/" + physical_name(scope, max_length=128)


@dataclass(frozen=True)
class DeliveryEnds:
    """What the delivery stream reads and writes, each attribute read once from its L2."""

    stack: Stack
    stream_arn: str
    stream_key_arn: str | None
    bucket_arn: str
    destination_key_arn: str | None
    object_arns: list[str]  # one per literal folder of the two prefixes
    log_group_name: str

    @classmethod
    def of(
        cls,
        stack: Stack,
        *,
        stream: kinesis.IStream,
        stream_key: kms.IKey | None,
        bucket: s3.IBucket,
        destination_key: kms.IKey | None,
        prefixes: tuple[str, str],
        log_group_name: str,
    ) -> DeliveryEnds:
        key_arns: dict[int, str] = {}  # the new stream and bucket share one key

        def key_arn(key: kms.IKey | None) -> str | None:
            if key is None:
                return None
            if id(key) not in key_arns:
                key_arns[id(key)] = key.key_arn
            return key_arns[id(key)]

        bucket_arn = bucket.bucket_arn
        roots = sorted({static_root(p) for p in prefixes if p})
        return cls(
            stack=stack,
            stream_arn=stream.stream_arn,
            stream_key_arn=key_arn(stream_key),
            bucket_arn=bucket_arn,
            destination_key_arn=key_arn(destination_key),
            object_arns=[f"{bucket_arn}/{root}*" for root in roots],
            log_group_name=log_group_name,
        )


def delivery_log_group(
    scope: Construct,
    *,
    stack: Stack,
    log_group_name: str,
    encryption_key: kms.IKey,
    log_retention: logs.RetentionDays,
) -> tuple[logs.LogGroup, logs.LogStream]:
    """The delivery error log group and stream (``DeliveryLogGroup``, ``DeliveryLogStream``).

    The key policy admits CloudWatch Logs for this one log group only.
    """
    log_group_arn = stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name=log_group_name,
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    added = encryption_key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchLogsForTheDeliveryLogGroup",
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=list(LOGS_KEY_ACTIONS),
            resources=["*"],
            conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
        )
    )
    if not added.statement_added:
        Annotations.of(scope).add_warning_v2(
            IMPORTED_KEY_POLICY.id,
            IMPORTED_KEY_POLICY.message(
                key="encryption_key",
                principal="logs.<region>.amazonaws.com",
                purpose=f"for the log group {log_group_name}",
                consequence="the log group cannot be created",
                statement="",
            ),
        )
    log_group = logs.LogGroup(
        scope,
        "DeliveryLogGroup",
        log_group_name=log_group_name,
        retention=log_retention,
        encryption_key=encryption_key,
        removal_policy=RemovalPolicy.DESTROY,
    )
    log_stream = logs.LogStream(
        scope,
        "DeliveryLogStream",
        log_group=log_group,
        log_stream_name=LOG_STREAM_NAME,
        removal_policy=RemovalPolicy.DESTROY,
    )
    return log_group, log_stream


def delivery_role(
    scope: Construct,
    *,
    path: str,
    ends: DeliveryEnds,
    schema: SchemaLocation | None,
    function: lambda_.IFunction | None,
) -> tuple[iam.Role, iam.ManagedPolicy]:
    """The role Firehose assumes (child ``DeliveryRole``) and its policy (``DeliveryPolicy``).

    A customer-managed policy (not inline), which the delivery stream waits for: Firehose
    checks its access to the stream when the delivery stream is created.
    """
    stack = ends.stack
    role = iam.Role(
        scope,
        "DeliveryRole",
        assumed_by=iam.ServicePrincipal(
            "firehose.amazonaws.com",
            conditions={"StringEquals": {"sts:ExternalId": stack.account}},
        ),
        description=f"Lets Amazon Data Firehose deliver {path} to S3",
    )
    policy = iam.ManagedPolicy(
        scope,
        "DeliveryPolicy",
        roles=[role],
        statements=delivery_statements(ends, schema=schema, function=function),
    )
    acknowledge_all(
        policy,
        {
            "AwsSolutions::AwsSolutions-IAM5[Resource::"
            + flatten_cfn_reference(stack.resolve(object_arn))
            + "]": (
                "Firehose names every object it writes (timestamp and random suffix), so "
                "object permissions can be limited to this pattern's prefix but not to "
                "single keys."
            )
            for object_arn in ends.object_arns
        },
    )
    return role, policy


def delivery_statements(
    ends: DeliveryEnds,
    *,
    schema: SchemaLocation | None,
    function: lambda_.IFunction | None,
) -> list[iam.PolicyStatement]:
    """Read this stream, write under the prefixes, log errors; with the options, read the
    schema and invoke the function; use the keys only through Kinesis and S3."""
    log_stream_arn = ends.stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name=f"{ends.log_group_name}:log-stream:{LOG_STREAM_NAME}",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    grants: list[tuple[str, tuple[str, ...], list[str]]] = [
        ("ReadSourceStream", FIREHOSE_KINESIS_SOURCE_ACTIONS, [ends.stream_arn]),
        ("ListDestinationBucket", FIREHOSE_S3_BUCKET_ACTIONS, [ends.bucket_arn]),
        # Object actions limited to the two prefixes; never a delete.
        ("WriteUnderDeliveryPrefixes", FIREHOSE_S3_OBJECT_ACTIONS, ends.object_arns),
        ("WriteDeliveryErrorLogs", ("logs:PutLogEvents",), [log_stream_arn]),
    ]
    if schema is not None:
        schema_arns = [schema.catalog_arn, schema.database_arn, schema.table_arn]
        grants.append(("ReadConversionSchema", GLUE_SCHEMA_ACTIONS, schema_arns))
    if function is not None:
        grants.append(("InvokeTransformationFunction", LAMBDA_ACTIONS, [function.function_arn]))
    statements = [
        iam.PolicyStatement(sid=sid, actions=list(actions), resources=resources)
        for sid, actions, resources in grants
    ]
    return statements + _key_statements(ends)


def _key_statements(ends: DeliveryEnds) -> list[iam.PolicyStatement]:
    """Decrypt the stream's records through Kinesis, encrypt objects through S3 only."""
    # via_service's "<service>.<region>.<url suffix>", its Region and suffix read once.
    region_and_suffix = via_service(ends.stack, "")
    statements = []
    if ends.stream_key_arn is not None:
        statements.append(
            iam.PolicyStatement(
                sid="DecryptSourceStream",
                actions=["kms:Decrypt"],
                resources=[ends.stream_key_arn],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": "kinesis" + region_and_suffix,
                        "kms:EncryptionContext:aws:kinesis:arn": ends.stream_arn,
                    }
                },
            )
        )
    if ends.destination_key_arn is not None:
        statements.append(
            iam.PolicyStatement(
                sid="EncryptDeliveredObjects",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[ends.destination_key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": "s3" + region_and_suffix},
                    # The bucket ARN is the context when S3 Bucket Keys are on.
                    "StringLike": {
                        "kms:EncryptionContext:aws:s3:arn": [ends.bucket_arn, *ends.object_arns]
                    },
                },
            )
        )
    return statements


def new_delivery_stream(
    scope: Construct,
    o: PipelineOptions,
    *,
    ends: DeliveryEnds,
    role_arn: str,
    policy: iam.ManagedPolicy,
    log_group: logs.ILogGroup,
    log_stream: logs.ILogStream,
    schema: SchemaLocation | None,
) -> firehose.CfnDeliveryStream:
    """The delivery stream: reads the stream, writes to the bucket, after ``policy`` exists.

    Dynamic partitioning is fixed when a delivery stream is created: Firehose rejects
    switching it on or off later, although CloudFormation would try an in-place update. A
    partitioned delivery stream therefore has its own ID (``PartitionedDeliveryStream``, else
    ``DeliveryStream``), so that the switch is a replacement (a new delivery stream, then the
    old one deleted) instead of a failure.
    """
    partitioned = bool(o.dynamic_partitioning_keys)
    if partitioned:
        Annotations.of(scope).add_warning_v2(
            "patterns:DynamicPartitioningCreateOnly",
            "dynamic partitioning can only be set when a delivery stream is created: adding "
            "or removing dynamic_partitioning_keys later replaces the delivery stream "
            "(records buffered in the old one when it is deleted are lost, and a fixed "
            "delivery_stream_name must change at the same time)",
        )
    logging = firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
        enabled=True,
        log_group_name=log_group.log_group_name,
        log_stream_name=log_stream.log_stream_name,
    )
    delivery_stream = firehose.CfnDeliveryStream(
        scope,
        "PartitionedDeliveryStream" if partitioned else "DeliveryStream",
        delivery_stream_name=o.delivery_stream_name,
        delivery_stream_type="KinesisStreamAsSource",
        kinesis_stream_source_configuration=(
            firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
                kinesis_stream_arn=ends.stream_arn, role_arn=role_arn
            )
        ),
        extended_s3_destination_configuration=_destination(
            o, ends=ends, role_arn=role_arn, logging=logging, schema=schema
        ),
    )
    delivery_stream.node.add_dependency(policy)
    acknowledge(
        delivery_stream,
        "AwsSolutions::AwsSolutions-KDF1",
        "Firehose rejects server-side encryption of the delivery stream when its source is a "
        "Kinesis data stream; records stay encrypted at rest in the stream (KMS) and in the "
        "bucket, and in transit with TLS.",
    )
    return delivery_stream


def _destination(
    o: PipelineOptions,
    *,
    ends: DeliveryEnds,
    role_arn: str,
    logging: firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty,
    schema: SchemaLocation | None,
) -> firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty:
    """The S3 destination: buffers, compression, encryption, logs and the processors."""
    cfn = firehose.CfnDeliveryStream
    seconds, mebibytes = seconds_of(o.buffering_interval), mebibytes_of(o.buffering_size)
    return cfn.ExtendedS3DestinationConfigurationProperty(
        bucket_arn=ends.bucket_arn,
        role_arn=role_arn,
        prefix=o.prefix,
        error_output_prefix=o.error_output_prefix or None,
        buffering_hints=cfn.BufferingHintsProperty(
            interval_in_seconds=o.buffering_interval.to_seconds()
            if seconds is None
            else int(seconds),
            size_in_m_bs=o.buffering_size.to_mebibytes() if mebibytes is None else int(mebibytes),
        ),
        compression_format=o.compression_format,
        encryption_configuration=(
            cfn.EncryptionConfigurationProperty(
                kms_encryption_config=cfn.KMSEncryptionConfigProperty(
                    awskms_key_arn=ends.destination_key_arn
                )
            )
            if ends.destination_key_arn is not None
            else cfn.EncryptionConfigurationProperty(no_encryption_config="NoEncryption")
        ),
        cloud_watch_logging_options=logging,
        s3_backup_mode="Disabled",
        processing_configuration=processing_configuration(
            role_arn=role_arn,
            function=o.transformation_function,
            buffering_interval=o.transformation_buffering_interval,
            buffering_size=o.transformation_buffering_size,
            retries=o.transformation_retries,
            partitioning_keys=o.dynamic_partitioning_keys,
        ),
        dynamic_partitioning_configuration=(
            cfn.DynamicPartitioningConfigurationProperty(enabled=True)
            if o.dynamic_partitioning_keys
            else None
        ),
        data_format_conversion_configuration=(
            conversion_configuration(
                role_arn=role_arn,
                output_format=o.output_format,
                input_format=o.input_format or firehose.InputFormat.OPENX_JSON,
                schema=schema,
            )
            if o.output_format is not None and schema is not None
            else None
        ),
    )
