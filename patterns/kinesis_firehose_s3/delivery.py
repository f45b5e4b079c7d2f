"""The Firehose delivery stream of ``KinesisToFirehoseToS3``, its role and its error logs.

The delivery role may read only the stream and write only under the two prefixes (never
delete), log only to its log stream, and use the keys only through Kinesis and S3 for these
resources. Transformation, partitioning (``processing``) and conversion (``conversion``) add
their settings and statements here.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Annotations, ArnFormat, Duration, RemovalPolicy, Size, Stack
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
from patterns.naming import physical_name
from patterns.service_statements import via_service

DELIVERY_STREAM_NAME_MAX_LENGTH = 64
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

# What Firehose needs to read a Kinesis data stream (Firehose developer guide).
STREAM_READ_ACTIONS = (
    "kinesis:DescribeStream",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
)
# Object-level actions for delivery, limited to the two prefixes; no s3:DeleteObject*.
OBJECT_WRITE_ACTIONS = ("s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject")
BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads")
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


def delivery_log_group_name(scope: Construct) -> str:
    """A fixed, path-derived name, so that the key policy can name the log group."""
    return "/aws/kinesisfirehose/" + physical_name(scope, max_length=128)


def delivery_log_group(
    scope: Construct,
    *,
    log_group_name: str,
    encryption_key: kms.IKey,
    log_retention: logs.RetentionDays,
) -> tuple[logs.LogGroup, logs.LogStream]:
    """The delivery error log group and stream (``DeliveryLogGroup``, ``DeliveryLogStream``).

    The key policy admits CloudWatch Logs for this one log group only.
    """
    stack = Stack.of(scope)
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
            "patterns:ImportedKeyPolicy",
            f"encryption_key is imported, so its key policy cannot be changed here: allow "
            f"logs.<region>.amazonaws.com to use it for {log_group_name}, or the log group "
            "cannot be created",
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
    stream: kinesis.IStream,
    bucket: s3.IBucket,
    destination_key: kms.IKey | None,
    prefixes: tuple[str, str],
    log_group_name: str,
    schema: SchemaLocation | None,
    function: lambda_.IFunction | None,
) -> tuple[iam.Role, iam.ManagedPolicy]:
    """The role Firehose assumes (child ``DeliveryRole``) and its policy (``DeliveryPolicy``).

    A customer-managed policy (not inline), which the delivery stream waits for: Firehose
    checks its access to the stream when the delivery stream is created.
    """
    stack = Stack.of(scope)
    role = iam.Role(
        scope,
        "DeliveryRole",
        assumed_by=iam.ServicePrincipal(
            "firehose.amazonaws.com",
            conditions={"StringEquals": {"sts:ExternalId": stack.account}},
        ),
        description=f"Lets Amazon Data Firehose deliver {scope.node.path} to S3",
    )
    roots = sorted({static_root(p) for p in prefixes if p})
    object_arns = [f"{bucket.bucket_arn}/{root}*" for root in roots]
    policy = iam.ManagedPolicy(
        scope,
        "DeliveryPolicy",
        roles=[role],
        statements=delivery_statements(
            stack=stack,
            stream=stream,
            bucket=bucket,
            destination_key=destination_key,
            object_arns=object_arns,
            log_stream_arn=stack.format_arn(
                service="logs",
                resource="log-group",
                resource_name=f"{log_group_name}:log-stream:{LOG_STREAM_NAME}",
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            ),
            schema=schema,
            function=function,
        ),
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
            for object_arn in object_arns
        },
    )
    return role, policy


def delivery_statements(
    *,
    stack: Stack,
    stream: kinesis.IStream,
    bucket: s3.IBucket,
    destination_key: kms.IKey | None,
    object_arns: list[str],
    log_stream_arn: str,
    schema: SchemaLocation | None,
    function: lambda_.IFunction | None,
) -> list[iam.PolicyStatement]:
    """Read this stream, write under the prefixes, log errors; with the options, read the
    schema and invoke the function; use the keys only through Kinesis and S3."""
    bucket_arn = bucket.bucket_arn
    statements = [
        iam.PolicyStatement(
            sid="ReadSourceStream",
            actions=list(STREAM_READ_ACTIONS),
            resources=[stream.stream_arn],
        ),
        iam.PolicyStatement(
            sid="ListDestinationBucket",
            actions=list(BUCKET_ACTIONS),
            resources=[bucket_arn],
        ),
        iam.PolicyStatement(
            sid="WriteUnderDeliveryPrefixes",
            actions=list(OBJECT_WRITE_ACTIONS),
            resources=object_arns,
        ),
        iam.PolicyStatement(
            sid="WriteDeliveryErrorLogs",
            actions=["logs:PutLogEvents"],
            resources=[log_stream_arn],
        ),
    ]
    if schema is not None:
        statements.append(
            iam.PolicyStatement(
                sid="ReadConversionSchema",
                actions=list(GLUE_SCHEMA_ACTIONS),
                resources=[schema.catalog_arn, schema.database_arn, schema.table_arn],
            )
        )
    if function is not None:
        statements.append(
            iam.PolicyStatement(
                sid="InvokeTransformationFunction",
                actions=list(LAMBDA_ACTIONS),
                resources=[function.function_arn],
            )
        )
    stream_key = stream.encryption_key
    if stream_key is not None:
        statements.append(
            iam.PolicyStatement(
                sid="DecryptSourceStream",
                actions=["kms:Decrypt"],
                resources=[stream_key.key_arn],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": via_service(stack, "kinesis"),
                        "kms:EncryptionContext:aws:kinesis:arn": stream.stream_arn,
                    }
                },
            )
        )
    if destination_key is not None:
        statements.append(
            iam.PolicyStatement(
                sid="EncryptDeliveredObjects",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[destination_key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": via_service(stack, "s3")},
                    # The bucket ARN is the context when S3 Bucket Keys are on.
                    "StringLike": {
                        "kms:EncryptionContext:aws:s3:arn": [
                            bucket_arn,
                            *object_arns,
                        ]
                    },
                },
            )
        )
    return statements


def new_delivery_stream(
    scope: Construct,
    *,
    stream: kinesis.IStream,
    bucket: s3.IBucket,
    destination_key: kms.IKey | None,
    role: iam.IRole,
    policy: iam.ManagedPolicy,
    log_group: logs.ILogGroup,
    log_stream: logs.ILogStream,
    delivery_stream_name: str | None,
    buffering_interval: Duration,
    buffering_size: Size,
    compression: firehose.Compression,
    prefix: str,
    error_output_prefix: str,
    transformation_function: lambda_.IFunction | None,
    transformation_buffering_interval: Duration | None,
    transformation_buffering_size: Size | None,
    transformation_retries: int | None,
    dynamic_partitioning_keys: Mapping[str, str] | None,
    output_format: firehose.IOutputFormat | None,
    input_format: firehose.IInputFormat | None,
    schema: SchemaLocation | None,
) -> firehose.CfnDeliveryStream:
    """The delivery stream: reads ``stream``, writes to ``bucket``, after ``policy`` exists.

    Dynamic partitioning is fixed when a delivery stream is created: Firehose rejects
    switching it on or off later, although CloudFormation would try an in-place update. A
    partitioned delivery stream therefore has its own ID (``PartitionedDeliveryStream``, else
    ``DeliveryStream``), so that the switch is a replacement (a new delivery stream, then the
    old one deleted) instead of a failure.
    """
    encryption_configuration = (
        firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
            kms_encryption_config=firehose.CfnDeliveryStream.KMSEncryptionConfigProperty(
                awskms_key_arn=destination_key.key_arn
            )
        )
        if destination_key is not None
        else firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
            no_encryption_config="NoEncryption"
        )
    )
    if dynamic_partitioning_keys:
        Annotations.of(scope).add_warning_v2(
            "patterns:DynamicPartitioningCreateOnly",
            "dynamic partitioning can only be set when a delivery stream is created: adding "
            "or removing dynamic_partitioning_keys later replaces the delivery stream "
            "(records buffered in the old one when it is deleted are lost, and a fixed "
            "delivery_stream_name must change at the same time)",
        )
    delivery_stream = firehose.CfnDeliveryStream(
        scope,
        "PartitionedDeliveryStream" if dynamic_partitioning_keys else "DeliveryStream",
        delivery_stream_name=delivery_stream_name,
        delivery_stream_type="KinesisStreamAsSource",
        kinesis_stream_source_configuration=(
            firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
                kinesis_stream_arn=stream.stream_arn, role_arn=role.role_arn
            )
        ),
        extended_s3_destination_configuration=(
            firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=bucket.bucket_arn,
                role_arn=role.role_arn,
                prefix=prefix,
                error_output_prefix=error_output_prefix or None,
                buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                    interval_in_seconds=buffering_interval.to_seconds(),
                    size_in_m_bs=buffering_size.to_mebibytes(),
                ),
                compression_format=compression.value,
                encryption_configuration=encryption_configuration,
                cloud_watch_logging_options=(
                    firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                        enabled=True,
                        log_group_name=log_group.log_group_name,
                        log_stream_name=log_stream.log_stream_name,
                    )
                ),
                s3_backup_mode="Disabled",
                processing_configuration=processing_configuration(
                    role_arn=role.role_arn,
                    function=transformation_function,
                    buffering_interval=transformation_buffering_interval,
                    buffering_size=transformation_buffering_size,
                    retries=transformation_retries,
                    partitioning_keys=dynamic_partitioning_keys,
                ),
                dynamic_partitioning_configuration=(
                    firehose.CfnDeliveryStream.DynamicPartitioningConfigurationProperty(
                        enabled=True
                    )
                    if dynamic_partitioning_keys
                    else None
                ),
                data_format_conversion_configuration=(
                    conversion_configuration(
                        role_arn=role.role_arn,
                        output_format=output_format,
                        input_format=input_format or firehose.InputFormat.OPENX_JSON,
                        schema=schema,
                    )
                    if output_format is not None and schema is not None
                    else None
                ),
            )
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
