"""Rules on Firehose delivery streams and Amazon MQ brokers (``Messaging-FH*``,
``Messaging-MQ*``).
"""

from __future__ import annotations

from collections.abc import Iterator

from patterns.limits import (
    FIREHOSE_KINESIS_SOURCE_ACTIONS,
    FIREHOSE_S3_BUCKET_ACTIONS,
    FIREHOSE_S3_OBJECT_ACTIONS,
)
from patterns.messaging.model import (
    WILDCARD,
    Resolved,
    StackModel,
    as_bool,
    as_list,
    text_of,
)
from patterns.messaging.permissions import (
    actions_cover,
    customer_key_denies,
    key_info,
    principal_is,
    role_id,
    role_may,
    role_may_decrypt,
    statements,
)
from patterns.messaging.readers import role_allows
from patterns.messaging.rules.base import (
    ERROR,
    INFO,
    KINESIS_KEY_PERMISSIONS,
    WARNING,
    Hit,
    Rule,
    cannot_follow,
    rule,
)
from patterns.messaging.rules.role_checks import missing_grant

_S3_DESTINATION_ACTIONS = sorted(FIREHOSE_S3_BUCKET_ACTIONS + FIREHOSE_S3_OBJECT_ACTIONS)
FIREHOSE_ACCESS = "https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html"
KMS_KEY_POLICY = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
MQ_SECURITY = (
    "https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/using-amazon-mq-securely.html"
)
CFN_DYNAMIC_REFERENCES = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html"
)


@rule(
    "FH1",
    ERROR,
    title="A Firehose delivery stream reads a Kinesis stream encrypted with a customer-managed "
    "key its role may not use.",
    why="Firehose reads the stream with its role; without kms:Decrypt on the stream's key "
    "(from the key policy, or from the role's policies where the key policy delegates to the "
    "account) every read fails and records expire in the stream.",
    fix="Grant the delivery stream's role kms:Decrypt on the key (CDK: key.grant_decrypt(role)).",
    sources=(FIREHOSE_ACCESS, KINESIS_KEY_PERMISSIONS, KMS_KEY_POLICY),
)
def firehose_stream_key(model: StackModel) -> Iterator[Hit]:
    for stream_id, props in model.of_type("AWS::KinesisFirehose::DeliveryStream"):
        source = props.get("KinesisStreamSourceConfiguration")
        if not isinstance(source, dict):
            continue
        target = model.resolve(source.get("KinesisStreamARN"))
        if not (
            isinstance(target, Resolved)
            and model.type_of(target.logical_id) == "AWS::Kinesis::Stream"
        ):
            yield cannot_follow(stream_id, "the source stream", target)
            continue
        encryption = model.props(target.logical_id).get("StreamEncryption")
        if not isinstance(encryption, dict):
            continue
        key = key_info(model, encryption.get("KeyId"))
        if key.kind != "customer" or key.logical_id is None:
            if key.kind == "unknown":
                yield Hit(stream_id, f"not checked: the stream key is {key.detail}", INFO)
            continue
        role = role_id(model, source.get("RoleARN"))
        if role is None:
            yield cannot_follow(stream_id, "the source role", model.resolve(source.get("RoleARN")))
            continue
        if role_may_decrypt(model, role, key.logical_id):
            continue
        yield Hit(stream_id, f"role {role} may not kms:Decrypt with {key.logical_id}")


@rule(
    "FH2",
    WARNING,
    title="A Firehose delivery stream's role may delete objects.",
    why="Firehose only writes and lists what it delivers; a role that may also delete turns a "
    "misconfiguration or a compromised stream into lost data.",
    fix=f"Grant only {', '.join(_S3_DESTINATION_ACTIONS[:-1])} and "
    f"{_S3_DESTINATION_ACTIONS[-1]} (CDK: not bucket.grant_read_write).",
    sources=(FIREHOSE_ACCESS,),
)
def firehose_role_deletes(model: StackModel) -> Iterator[Hit]:
    for stream_id, props in model.of_type("AWS::KinesisFirehose::DeliveryStream"):
        roles = set()
        for key in ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration"):
            config = props.get(key)
            if isinstance(config, dict):
                roles.add(role_id(model, config.get("RoleARN")))
                backup = config.get("S3BackupConfiguration")
                if isinstance(backup, dict):
                    roles.add(role_id(model, backup.get("RoleARN")))
        for role in sorted(r for r in roles if r):
            for action in ("s3:DeleteObject", "s3:DeleteObjectVersion"):
                if role_may(model, role, action, None):
                    yield Hit(stream_id, f"role {role} may {action}")
                    break


@rule(
    "FH3",
    ERROR,
    title="A Firehose delivery stream's role may not read its Kinesis source stream.",
    why="Firehose reads its source stream with the role of its KinesisStreamSourceConfiguration, "
    "which AWS says needs kinesis:DescribeStream, kinesis:GetShardIterator, kinesis:GetRecords "
    "and kinesis:ListShards on the stream; without them nothing is delivered and records "
    "expire from the stream unread.",
    fix="Grant the source role read access to the stream (CDK: stream.grant_read(role)).",
    sources=(FIREHOSE_ACCESS,),
)
def firehose_stream_read(model: StackModel) -> Iterator[Hit]:
    for delivery, props in model.of_type("AWS::KinesisFirehose::DeliveryStream"):
        source = props.get("KinesisStreamSourceConfiguration")
        if not isinstance(source, dict):
            continue
        stream = model.resolve(source.get("KinesisStreamARN"))
        role = role_id(model, source.get("RoleARN"))
        # What cannot be followed is noted by FH1.
        if not isinstance(stream, Resolved) or role is None:
            continue
        missing = [
            a
            for a in FIREHOSE_KINESIS_SOURCE_ACTIONS
            if not role_allows(model, role, a, stream.logical_id)
        ]
        if missing:
            message = f"role {role} may not {', '.join(missing)} on {stream.logical_id}"
            yield missing_grant(model, role, delivery, message)


def _bucket_policy_allows(model: StackModel, bucket: str, role: str, action: str) -> bool:
    """A bucket policy of this template allows the role ``action`` (same account: enough)."""
    for _, props in model.of_type("AWS::S3::BucketPolicy"):
        if not model.points_to(props.get("Bucket"), bucket):
            continue
        for statement in statements(props.get("PolicyDocument")):
            if (
                statement.get("Effect") == "Allow"
                and actions_cover(model, statement, action)
                and principal_is(model, statement, role)
            ):
                return True
    return False


S3_DESTINATIONS = ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration")


def _bucket_key(model: StackModel, config: dict[str, object], bucket: str) -> object:
    """The key Firehose encrypts objects with: its own, else the bucket's default key."""
    encryption = config.get("EncryptionConfiguration")
    if isinstance(encryption, dict):
        kms = encryption.get("KMSEncryptionConfig")
        if isinstance(kms, dict) and kms.get("AWSKMSKeyARN") is not None:
            return kms["AWSKMSKeyARN"]
    bucket_encryption = model.props(bucket).get("BucketEncryption")
    rules = (
        bucket_encryption.get("ServerSideEncryptionConfiguration")
        if isinstance(bucket_encryption, dict)
        else None
    )
    for item in as_list(rules):
        default = item.get("ServerSideEncryptionByDefault") if isinstance(item, dict) else None
        if isinstance(default, dict) and str(default.get("SSEAlgorithm", "")).startswith("aws:kms"):
            return default.get("KMSMasterKeyID")
    return None


@rule(
    "FH4",
    ERROR,
    title="A Firehose delivery stream's role may not write into its S3 bucket or use the key "
    "that encrypts it.",
    why="Firehose writes objects with the role of its S3 destination: without s3:PutObject on "
    "the bucket, or kms:GenerateDataKey on the customer-managed key that encrypts the objects "
    "(the delivery stream's or the bucket's default key), every delivery fails; Firehose "
    "retries for up to 24 hours and then the data is lost.",
    fix="Grant the destination role write access to the bucket and use of its key (CDK: "
    "bucket.grant_put(role) and key.grant_encrypt_decrypt(role)).",
    sources=(FIREHOSE_ACCESS, KMS_KEY_POLICY),
)
def firehose_bucket_write(model: StackModel) -> Iterator[Hit]:
    for delivery, props in model.of_type("AWS::KinesisFirehose::DeliveryStream"):
        for name in S3_DESTINATIONS:
            config = props.get(name)
            if not isinstance(config, dict):
                continue
            bucket = model.resolve(config.get("BucketARN"))
            role = role_id(model, config.get("RoleARN"))
            if not isinstance(bucket, Resolved) or role is None:
                continue
            if not (
                role_allows(model, role, "s3:PutObject", bucket.logical_id)
                or _bucket_policy_allows(model, bucket.logical_id, role, "s3:PutObject")
            ):
                message = f"role {role} may not s3:PutObject into {bucket.logical_id}"
                yield missing_grant(model, role, delivery, message)
            key = key_info(model, _bucket_key(model, config, bucket.logical_id))
            if customer_key_denies(model, key, role, "kms:GenerateDataKey"):
                message = f"role {role} may not kms:GenerateDataKey with {key.logical_id}"
                yield missing_grant(model, role, delivery, message)


@rule(
    "MQ1",
    WARNING,
    title="An Amazon MQ broker is publicly accessible.",
    why="A public broker takes connections from the internet; AWS recommends private brokers "
    "reached through the VPC.",
    fix="Set PubliclyAccessible to false and connect through the VPC (or a VPN / PrivateLink).",
    sources=(MQ_SECURITY,),
)
def broker_public(model: StackModel) -> Iterator[Hit]:
    for broker, props in model.of_type("AWS::AmazonMQ::Broker"):
        if as_bool(props.get("PubliclyAccessible")) is True:
            yield Hit(broker, "PubliclyAccessible is true")


@rule(
    "MQ2",
    WARNING,
    title="An Amazon MQ broker user's password is written in the template.",
    why="A literal password (or a parameter without NoEcho) is readable by anyone who can read "
    "the template or the stack, in the console and in the deployment bucket.",
    fix="Take the password from Secrets Manager with a dynamic reference "
    "({{resolve:secretsmanager:...}}; CDK: SecretValue.secrets_manager).",
    sources=(MQ_SECURITY, CFN_DYNAMIC_REFERENCES),
)
def broker_plain_password(model: StackModel) -> Iterator[Hit]:
    for broker, props in model.of_type("AWS::AmazonMQ::Broker"):
        for user in as_list(props.get("Users")):
            if not isinstance(user, dict) or "Password" not in user:
                continue
            password = user["Password"]
            username = user.get("Username", "?")
            if isinstance(password, dict) and set(password) == {"Ref"}:
                parameter = model.parameters.get(password["Ref"])
                if isinstance(parameter, dict) and as_bool(parameter.get("NoEcho")) is not True:
                    yield Hit(
                        broker,
                        f"password of {username} is parameter {password['Ref']} without NoEcho",
                    )
                continue
            text = text_of(model, password)
            if text is not None and "{{resolve:" not in text and WILDCARD not in text:
                yield Hit(broker, f"password of {username} is a literal in the template")


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (
    firehose_stream_key,
    firehose_role_deletes,
    firehose_stream_read,
    firehose_bucket_write,
    broker_public,
    broker_plain_password,
)
