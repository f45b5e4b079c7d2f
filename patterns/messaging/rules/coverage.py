"""What the rules check per kind of hop, and what they knowingly leave alone (with the reason):
the table of ``docs/messaging-checks.md`` ("What is checked, per kind of hop").

Data only; a test holds it to the rules: every rule ID named here exists, and every rule of
``RULES`` is named under at least one kind of hop.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotChecked:
    """A trap of this kind of hop that no rule looks for, and why."""

    what: str
    reason: str


@dataclass(frozen=True)
class Hop:
    """A kind of hop: the rules (ID suffixes) that check it, and what they do not."""

    kind: str
    checked: tuple[str, ...]
    not_checked: tuple[NotChecked, ...] = ()


OTHER_ACCOUNT = "its policy lives in the other account, outside the cloud assembly"
OUTSIDE_POLICIES = NotChecked(
    "grants from managed policies outside the template (AWS-managed, or another stack's)",
    "their statements are not in the cloud assembly: a grant missing from a role that has such "
    "a policy is reported as a note, not an error",
)
RUNTIME = "it depends on the messages and the code at run time, not on the templates"

COVERAGE: tuple[Hop, ...] = (
    Hop(
        "SNS subscription to an SQS queue",
        (
            "SNS1",
            "SNS2",
            "SNS3",
            "SNS4",
            "SNS5",
            "SNS6",
            "SNS9",
            "SNS12",
            "SNS13",
            "SNS14",
            "SUB3",
            "DENY1",
        ),
        (
            NotChecked("a queue of another account admitting the topic", OTHER_ACCOUNT),
            NotChecked(
                "whether a filter policy matches the messages published, beyond S3 events "
                "under an attribute filter (SNS13, SNS14)",
                RUNTIME,
            ),
        ),
    ),
    Hop(
        "SNS subscription to a Lambda function",
        ("SNS4", "SNS6", "SNS8", "SNS11", "SNS12", "SNS13", "SNS14", "ASYNC2"),
        (
            NotChecked(
                "a function throttled to zero (ReservedConcurrentExecutions 0)",
                "it is how a consumer is paused on purpose",
            ),
        ),
    ),
    Hop(
        "SNS subscription to a Firehose delivery stream",
        ("SUB1", "SNS4", "SNS6", "FHPUT1"),
    ),
    Hop(
        "SNS subscription to an HTTP/S endpoint",
        ("SUB2", "SNS4"),
        (
            NotChecked("the endpoint confirming the subscription", RUNTIME),
            NotChecked(
                "a custom delivery policy longer than SNS's 3,600 s limit",
                "SNS rejects it at deploy time with its own message; no message is lost",
            ),
        ),
    ),
    Hop(
        "SNS subscription by email, SMS or mobile push",
        ("SNS4", "SNS11", "SNS12", "SNS13", "SNS14"),
        (
            NotChecked(
                "SMS spending limits, opt-outs and mobile platform credentials",
                "they are account settings and application credentials, not in the templates",
            ),
        ),
    ),
    Hop("SNS subscription dead-letter queue", ("SNS7", "DENY1")),
    Hop("SNS topic settings", ("SNS10",)),
    Hop(
        "SQS redrive to a dead-letter queue",
        ("SQS1", "SQS2", "SQS3", "SQS5", "SQS7"),
        (NotChecked("a dead-letter queue of another account", OTHER_ACCOUNT),),
    ),
    Hop("SQS queue settings", ("SQS4", "SQS5")),
    Hop(
        "S3 event notification to a topic, queue or function",
        ("S3N1", "S3N2", "S3N3", "S3N4", "S3N5", "DENY1", "ASYNC2"),
        (
            NotChecked(
                "notifications written by a custom resource other than CDK's",
                "their configuration is an API call at deploy time, not a template property",
            ),
        ),
    ),
    Hop(
        "EventBridge rule to a topic, queue or function (S3 events to EventBridge included)",
        ("EB1", "EB2", "EB3", "EB4", "EB5", "EBT3", "S3N6", "DENY1", "ASYNC2", "EBBUS1"),
        (
            NotChecked("whether an event pattern matches the events sent", RUNTIME),
            NotChecked("an input transformer producing a payload the target refuses", RUNTIME),
        ),
    ),
    Hop(
        "EventBridge rule to a role-based target (Kinesis, Firehose, Step Functions, ECS, "
        "CodeBuild, CodePipeline, Batch, API destinations, event buses)",
        ("EBT1", "EBT2", "EBBUS2", "FHPUT1"),
        (
            OUTSIDE_POLICIES,
            NotChecked(
                "whether an event bus of another account admits the events, when the bus is "
                "not in the app (EBBUS2 judges a bus of the app)",
                "its resource policy lives in the other account, outside the cloud assembly",
            ),
        ),
    ),
    Hop(
        "Lambda event source mapping on an SQS queue",
        (
            "LAMBDA1",
            "LAMBDA2",
            "LAMBDA3",
            "LAMBDA5",
            "LAMBDA6",
            "LAMBDA7",
            "LAMBDA8",
            "LAMBDA9",
            "SQS6",
        ),
        (
            NotChecked(
                "messages that FilterCriteria do not match, unless every sender the app shows "
                "wraps them in an SNS or S3 envelope the filter cannot match (LAMBDA8)",
                "Lambda deletes them by design: the filter says they are not wanted",
            ),
            NotChecked(
                "a handler that returns batchItemFailures from code outside the template "
                "(an asset, an image) while the mapping does not report them",
                "only inline code (Code.ZipFile) is in the template; LAMBDA3 warns for every "
                "such mapping",
            ),
            NotChecked(
                "an execution role without sqs:ReceiveMessage",
                "Lambda refuses to create the mapping, so the deploy fails with its own "
                "message; no message is lost",
            ),
        ),
    ),
    Hop(
        "Lambda event source mapping on a Kinesis or DynamoDB stream",
        ("LAMBDA4", "LAMBDA7", "LAMBDA11", "KIN1", "KIN2"),
        (NotChecked("iterator age and shard throughput", RUNTIME),),
    ),
    Hop(
        "Lambda event source mapping on an Amazon MQ broker",
        ("LAMBDA10",),
        (
            NotChecked(
                "the broker's redelivery and dead-letter settings",
                "they live in the broker's engine configuration (XML), not in template "
                "properties the rules read",
            ),
        ),
    ),
    Hop(
        "Workers reading an SQS queue (any role allowed sqs:ReceiveMessage: ECS tasks, instances)",
        ("SQS6",),
        (NotChecked("whether the worker deletes what it has processed", RUNTIME),),
    ),
    Hop(
        "Kinesis stream readers other than Lambda (KCL workers and any role allowed "
        "kinesis:GetRecords; enhanced fan-out consumers)",
        ("KIN1", "KIN2", "KCL1"),
        (NotChecked("how often each reader polls and how much it reads", RUNTIME),),
    ),
    Hop(
        "Lambda asynchronous invocation (EventInvokeConfig, destinations, dead-letter queue)",
        ("ASYNC1", "ASYNC2", "ASYNC3"),
        (OUTSIDE_POLICIES,),
    ),
    Hop("Kinesis stream to a Firehose delivery stream", ("FH1", "FH3", "KIN2")),
    Hop(
        "Firehose delivery stream to S3",
        ("FH2", "FH4"),
        (
            NotChecked(
                "a bucket policy Deny against the delivery stream's role",
                "Deny statements are judged for service principals only; a role's requests "
                "carry keys (VPC, IP, tags) the templates do not fix",
            ),
        ),
    ),
    Hop(
        "EventBridge pipe (source, enrichment, target, dead-letter target, role)",
        ("PIPE1", "PIPE2", "PIPE3", "PIPE4", "PIPE5", "PIPE6", "PIPE7", "PIPE8", "PIPE9", "FHPUT1"),
        (
            OUTSIDE_POLICIES,
            NotChecked(
                "Kafka (MSK, self-managed) sources",
                "their access goes through cluster settings and secrets the rules do not model",
            ),
            NotChecked(
                "an Amazon MQ source's credentials and redelivery",
                "the secret's content and the broker's engine configuration are not in the "
                "templates; Pipes retries a broker's failures until they succeed",
            ),
            NotChecked(
                "targets and enrichments other than SQS, SNS, Lambda, Kinesis, Firehose, "
                "event buses and Step Functions (API destinations, API Gateway, ECS, Batch, ...)",
                "their permissions are not modelled",
            ),
        ),
    ),
    Hop("CloudWatch alarm to an SNS topic", ("CW1", "CW2", "DENY1")),
    Hop(
        "KMS key policies on a hop's queue, topic or stream",
        (
            "SNS1",
            "SNS2",
            "S3N2",
            "S3N3",
            "EB1",
            "EB2",
            "CW1",
            "CW2",
            "LAMBDA7",
            "FH1",
            "FH4",
            "EB5",
            "PIPE2",
            "PIPE4",
            "PIPE7",
            "ASYNC1",
            "DENY1",
        ),
        (
            NotChecked(
                "a key that is disabled or pending deletion",
                "it is the key's state in the account, not in the templates",
            ),
            NotChecked(
                "grants made outside the templates (kms:CreateGrant)",
                "they are API calls at run time",
            ),
        ),
    ),
    Hop(
        "Queue and topic resource policies, with their Deny statements",
        ("SNS3", "SNS7", "S3N1", "EB3", "EB5", "DENY1"),
        (
            NotChecked(
                "a Deny whose condition the templates cannot decide (aws:SourceIp, tags, "
                "custom keys)",
                "the rules never guess, so such a Deny is not reported",
            ),
            NotChecked(
                "a Deny that refuses a consumer's or a pipe's role (polling through a VPC "
                "endpoint condition, an organization condition)",
                "a role's request carries keys (organization, VPC, tags) whose values the "
                "templates do not fix",
            ),
            NotChecked(
                "service control policies and permission boundaries",
                "they belong to the organization and the account, outside the cloud assembly",
            ),
        ),
    ),
    Hop(
        "Amazon MQ broker",
        ("MQ1", "MQ2"),
        (
            NotChecked(
                "the broker's dead-letter queue and redelivery policy",
                "they live in the broker's engine configuration (XML)",
            ),
        ),
    ),
)


def named_rules() -> set[str]:
    """Every rule ID suffix the table names."""
    return {suffix for hop in COVERAGE for suffix in hop.checked}
