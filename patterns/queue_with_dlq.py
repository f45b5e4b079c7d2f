"""``QueueWithDeadLetterQueue``: an SQS queue whose failed messages land in a dead-letter queue."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict

import jsii
from aws_cdk import Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IValidation

if TYPE_CHECKING:
    from aws_cdk import aws_lambda as lambda_

    from patterns.consumers.queue_lambda import LambdaQueueConsumer

from patterns import dashboards
from patterns.alarms import create_alarm, create_dead_letter_queue_alarm
from patterns.compliance import acknowledge, skip_checkov
from patterns.keys import is_aws_managed, key_name, literal_text, names_aws_managed_key
from patterns.naming import check_name_length, physical_name
from patterns.removal import KEY_PENDING_WINDOW, key_removal_policy
from patterns.validation import (
    check_duration,
    check_exclusive_with_existing,
    check_range,
    check_whole_number,
    seconds_of,
)

# Ranges as the SQS developer guide documents them (CreateQueue attributes).
RETENTION_MIN = Duration.seconds(60)
RETENTION_MAX = Duration.days(14)
VISIBILITY_MAX = Duration.hours(12)
DELIVERY_DELAY_MAX = Duration.minutes(15)
RECEIVE_WAIT_MAX = Duration.seconds(20)
MAX_RECEIVE_COUNT_RANGE = (1, 1000)
MESSAGE_SIZE_RANGE = (1024, 1_048_576)
QUEUE_NAME_MAX_LENGTH = 80
FIFO_SUFFIX = ".fifo"
DLQ_SUFFIX = "-dlq"
# Room for both suffixes, so the derived DLQ name of a generated name always fits. Changing it
# would rename (and so replace) the queues of existing stacks.
GENERATED_NAME_MAX_LENGTH = QUEUE_NAME_MAX_LENGTH - len(FIFO_SUFFIX) - len(DLQ_SUFFIX)
# Source queues one byQueue redrive-allow policy may name (SQS SetQueueAttributes,
# RedriveAllowPolicy.sourceQueueArns: "You can specify up to 10 source queues").
REDRIVE_ALLOW_MAX_SOURCES = 10
_QUEUE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")

ZERO = Duration.seconds(0)
MESSAGE_AGE_ALARM_MIN = Duration.minutes(1)
DEFAULT_RETENTION = Duration.days(4)
DEFAULT_DLQ_RETENTION = RETENTION_MAX
DEFAULT_VISIBILITY_TIMEOUT = Duration.seconds(30)
DEFAULT_RECEIVE_WAIT = RECEIVE_WAIT_MAX
DEFAULT_MAX_RECEIVE_COUNT = 5
DEFAULT_MESSAGE_AGE_ALARM = Duration.minutes(15)


class QueueOptions(TypedDict, total=False):
    """The keyword options of :class:`QueueWithDeadLetterQueue`, for patterns that pass them on."""

    queue_name: str | None
    fifo: bool
    content_based_deduplication: bool
    high_throughput_fifo: bool
    retention_period: Duration | None
    visibility_timeout: Duration | None
    delivery_delay: Duration | None
    receive_message_wait_time: Duration | None
    max_message_size_bytes: int | None
    max_receive_count: int
    dead_letter_queue: sqs.IQueue | None
    dead_letter_queue_name: str | None
    dead_letter_retention_period: Duration | None
    encryption: sqs.QueueEncryption | None
    encryption_key: kms.IKey | None
    removal_policy: RemovalPolicy
    alarm_actions: Sequence[cloudwatch.IAlarmAction]
    message_age_alarm_threshold: Duration | None


class QueueWithDeadLetterQueue(Construct):
    """An SQS queue with a dead-letter queue (DLQ) that outlives the messages it receives.

    A message received ``max_receive_count`` times without being deleted moves to the DLQ,
    which keeps it for 14 days (the SQS maximum) so that it can be inspected and redriven.
    Both queues are encrypted alike and refuse requests that do not use TLS; the DLQ only
    admits this queue as a source. Alarms watch the DLQ and the age of the oldest message.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queue_name: str | None = None,
        fifo: bool = False,
        content_based_deduplication: bool = False,
        high_throughput_fifo: bool = False,
        retention_period: Duration | None = None,
        visibility_timeout: Duration | None = None,
        delivery_delay: Duration | None = None,
        receive_message_wait_time: Duration | None = None,
        max_message_size_bytes: int | None = None,
        max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT,
        dead_letter_queue: sqs.IQueue | None = None,
        dead_letter_queue_name: str | None = None,
        dead_letter_retention_period: Duration | None = None,
        encryption: sqs.QueueEncryption | None = None,
        encryption_key: kms.IKey | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.DESTROY,
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
        message_age_alarm_threshold: Duration | None = None,
    ) -> None:
        """Define the queue, its dead-letter queue, their encryption, policies and alarms.

        :param queue_name: Physical name of the queue; a FIFO name must end in ``.fifo``.
            Default: a name generated from the construct path (unique in the stack). The name
            is fixed at synth time so the DLQ's redrive-allow policy can name its source
            without a circular reference.
        :param fifo: Make a FIFO queue (and a FIFO dead-letter queue). Default: ``False``.
        :param content_based_deduplication: FIFO only: deduplicate on a SHA-256 of the body,
            so producers need not send a deduplication ID. Default: ``False``.
        :param high_throughput_fifo: FIFO only: deduplicate per message group and apply the
            throughput quota per message group ID (high-throughput mode). Default: ``False``.
        :param retention_period: How long the queue keeps a message, 60 s to 14 days.
            Default: 4 days (the SQS default). May not exceed the DLQ's retention.
        :param visibility_timeout: How long a received message stays hidden, 0 s to 12 h.
            Default: 30 seconds (the SQS default).
        :param delivery_delay: Delay before a new message becomes visible (a delay queue),
            0 s to 15 min. Default: no delay.
        :param receive_message_wait_time: Long-polling wait of ``ReceiveMessage``, 0 to 20 s.
            Default: 20 seconds, which cuts empty receives (and their cost) to a minimum.
        :param max_message_size_bytes: Largest message accepted, 1,024 to 1,048,576 bytes.
            Default: the SQS default (not set in the template).
        :param max_receive_count: Receives after which a message moves to the DLQ, a whole
            number from 1 to 1,000. Default: 5.
        :param dead_letter_queue: An existing queue to use as the DLQ, for example one shared
            by several queues. It must be FIFO exactly when this queue is. Its settings and
            encryption stay the owner's. A DLQ of this app whose redrive-allow policy names its
            sources (``byQueue``, such as the DLQ of another ``QueueWithDeadLetterQueue``) is
            made to admit this queue too, up to the SQS limit of 10 sources; one that denies
            all sources is refused; an imported one gets a warning, as its owner must admit
            this queue. Default: a new DLQ.
        :param dead_letter_queue_name: Physical name of the new DLQ. Default: the queue's
            name followed by ``-dlq`` (checked against the 80-character limit).
            Not allowed with ``dead_letter_queue``.
        :param dead_letter_retention_period: How long the new DLQ keeps a message, 60 s to
            14 days. Default: 14 days (the maximum). Not allowed with ``dead_letter_queue``.
        :param encryption: ``SQS_MANAGED`` (SSE-SQS) or ``KMS`` (a customer-managed key).
            Default: ``SQS_MANAGED``, or ``KMS`` when ``encryption_key`` is given. Unencrypted
            queues and the AWS-managed ``alias/aws/sqs`` key are refused: the latter cannot be
            granted to AWS services, so SNS and S3 could never deliver to the queue.
        :param encryption_key: The customer-managed key for both queues; an AWS-managed key
            (``alias/aws/...``) is refused. Default: with ``KMS`` encryption, a new key with
            yearly rotation that follows ``removal_policy`` (see ``patterns.removal``).
        :param removal_policy: What happens to the queues (and a new key) when they leave
            the stack. Default: ``DESTROY``: queues carry messages in transit, not records,
            and a retained queue keeps its fixed name, so re-creating the stack would fail.
            A new key is destroyed with them after a 30-day KMS waiting period.
        :param alarm_actions: Actions for every alarm, on alarm and on return to OK.
            Default: none (the alarms are still created).
        :param message_age_alarm_threshold: Alarm when the oldest message is at least this old.
            Default: 15 minutes. Must be shorter than the retention period.
        """
        super().__init__(scope, construct_id)

        effective_retention = retention_period or DEFAULT_RETENTION
        message_age_threshold = message_age_alarm_threshold or DEFAULT_MESSAGE_AGE_ALARM
        _validate(
            queue_name=queue_name,
            fifo=fifo,
            content_based_deduplication=content_based_deduplication,
            high_throughput_fifo=high_throughput_fifo,
            retention_period=effective_retention,
            visibility_timeout=visibility_timeout,
            delivery_delay=delivery_delay,
            receive_message_wait_time=receive_message_wait_time,
            max_message_size_bytes=max_message_size_bytes,
            max_receive_count=max_receive_count,
            dead_letter_queue=dead_letter_queue,
            dead_letter_queue_name=dead_letter_queue_name,
            dead_letter_retention_period=dead_letter_retention_period,
            encryption=encryption,
            encryption_key=encryption_key,
            message_age_alarm_threshold=message_age_threshold,
        )
        if dead_letter_queue is not None:
            _check_shared_dead_letter_queue(self, dead_letter_queue, queue_name)

        self._encryption_key: kms.IKey | None = None
        uses_kms = encryption_key is not None or encryption == sqs.QueueEncryption.KMS
        if uses_kms:
            self._encryption_key = encryption_key or kms.Key(
                self,
                "EncryptionKey",
                description=f"Encrypts the queues of {self.node.path}",
                enable_key_rotation=True,
                removal_policy=key_removal_policy(removal_policy),
                pending_window=KEY_PENDING_WINDOW,
            )
        queue_encryption = sqs.QueueEncryption.KMS if uses_kms else sqs.QueueEncryption.SQS_MANAGED

        suffix = FIFO_SUFFIX if fifo else ""
        name = queue_name or physical_name(
            self, max_length=GENERATED_NAME_MAX_LENGTH + len(suffix), suffix=suffix
        )
        source_arn = Stack.of(self).format_arn(
            service="sqs", resource=name, arn_format=ArnFormat.NO_RESOURCE_NAME
        )

        if dead_letter_queue is None:
            dlq_name = dead_letter_queue_name or _derived_dlq_name(name, fifo)
            new_dlq = sqs.Queue(
                self,
                "DeadLetterQueue",
                queue_name=dlq_name,
                fifo=fifo or None,
                retention_period=dead_letter_retention_period or DEFAULT_DLQ_RETENTION,
                encryption=queue_encryption,
                encryption_master_key=self._encryption_key,
                enforce_ssl=True,
                redrive_allow_policy=sqs.RedriveAllowPolicy(
                    redrive_permission=sqs.RedrivePermission.BY_QUEUE,
                    source_queues=[sqs.Queue.from_queue_arn(self, "SourceQueueRef", source_arn)],
                ),
                removal_policy=removal_policy,
            )
            acknowledge(
                new_dlq,
                "Serverless::Serverless-SQSRedrivePolicy",
                "This queue is itself the dead-letter queue: it keeps failed messages for 14 days "
                "for inspection and redrive, and a DLQ of a DLQ would only move them again.",
            )
            self._dead_letter_queue: sqs.IQueue = new_dlq
        else:
            self._dead_letter_queue = dead_letter_queue
            _admit_source(self, dead_letter_queue, source_arn)

        fifo_settings: dict[str, object] = {}
        if fifo:
            fifo_settings["fifo"] = True
            fifo_settings["content_based_deduplication"] = content_based_deduplication or None
            if high_throughput_fifo:
                fifo_settings["deduplication_scope"] = sqs.DeduplicationScope.MESSAGE_GROUP
                fifo_settings["fifo_throughput_limit"] = (
                    sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID
                )

        self._queue = sqs.Queue(
            self,
            "Queue",
            queue_name=name,
            retention_period=effective_retention,
            visibility_timeout=visibility_timeout or DEFAULT_VISIBILITY_TIMEOUT,
            delivery_delay=delivery_delay,
            receive_message_wait_time=receive_message_wait_time or DEFAULT_RECEIVE_WAIT,
            max_message_size_bytes=max_message_size_bytes,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self._dead_letter_queue, max_receive_count=max_receive_count
            ),
            encryption=queue_encryption,
            encryption_master_key=self._encryption_key,
            enforce_ssl=True,
            removal_policy=removal_policy,
            **fifo_settings,  # type: ignore[arg-type]
        )

        if queue_encryption == sqs.QueueEncryption.SQS_MANAGED:
            for created in (self._queue, self._dead_letter_queue):
                if isinstance(created, sqs.Queue):
                    skip_checkov(
                        created.node.default_child,  # type: ignore[arg-type]
                        "CKV_AWS_27",
                        "Encrypted at rest with SSE-SQS (SqsManagedSseEnabled: true); CKV_AWS_27 "
                        "only recognises KmsMasterKeyId. Pass encryption=KMS for a "
                        "customer-managed key.",
                    )

        self._alarm_actions = tuple(alarm_actions)
        self._alarms: list[cloudwatch.Alarm] = []
        if dead_letter_queue is None:
            self._alarms.append(
                create_dead_letter_queue_alarm(
                    self,
                    "DeadLetterQueueNotEmptyAlarm",
                    queue=self._dead_letter_queue,
                    description=(
                        f"Messages failed processing and wait in the DLQ of {self.node.path}. "
                        "The alarm returns to OK only when the DLQ reports no visible message; "
                        "while the DLQ reports nothing (SQS stops reporting inactive queues) it "
                        "keeps its state"
                    ),
                    actions=alarm_actions,
                )
            )
        self._alarms.append(
            create_alarm(
                self,
                "OldestMessageAgeAlarm",
                metric=self._queue.metric_approximate_age_of_oldest_message(
                    period=Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
                ),
                threshold=message_age_threshold.to_seconds(),
                description=(
                    f"The oldest message in {self.node.path} is at least "
                    f"{message_age_threshold.to_human_string()} old: consumers are falling behind"
                ),
                actions=alarm_actions,
            )
        )
        self._owns_dead_letter_queue = dead_letter_queue is None
        self.node.add_validation(_Invariants(self))

    @property
    def queue(self) -> sqs.Queue:
        """The queue producers send to and consumers receive from."""
        return self._queue

    @property
    def dead_letter_queue(self) -> sqs.IQueue:
        """The dead-letter queue: new, or the existing one that was passed in."""
        return self._dead_letter_queue

    @property
    def encryption_key(self) -> kms.IKey | None:
        """The customer-managed key of both queues, or ``None`` with SSE-SQS."""
        return self._encryption_key

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """The alarms: DLQ not empty, oldest message age, a Lambda consumer's errors/throttles."""
        return list(self._alarms)

    def grant_send_messages(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` send messages (and use the key to encrypt them)."""
        return self._queue.grant_send_messages(grantee)

    def grant_consume_messages(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` receive, delete and change the visibility of messages (and decrypt)."""
        return self._queue.grant_consume_messages(grantee)

    def add_lambda_consumer(
        self,
        function: lambda_.IFunction,
        *,
        batch_size: int = 10,
        max_batching_window: Duration | None = None,
        max_concurrency: int | None = None,
        report_batch_item_failures: bool = True,
    ) -> LambdaQueueConsumer:
        """Let ``function`` consume the queue, with AWS's recommended defaults.

        Partial batch responses on; batch size and window checked against the queue type;
        the visibility timeout checked against the function's timeout; permission to consume
        this queue only; alarms on the function's errors and throttles, with this queue's
        ``alarm_actions``, added to :attr:`alarms`. One Lambda consumer per queue. See
        :class:`~patterns.LambdaQueueConsumer` for the options.
        """
        from patterns.consumers.queue_lambda import LambdaQueueConsumer

        if self.node.try_find_child("LambdaConsumer") is not None:
            raise ValueError(
                f"{self.node.path} already has a Lambda consumer; a second one would compete "
                "for the same messages. Consume from one function, or fan out with SNS"
            )
        consumer = LambdaQueueConsumer(
            self,
            "LambdaConsumer",
            queue=self,
            function=function,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            max_concurrency=max_concurrency,
            report_batch_item_failures=report_batch_item_failures,
            alarm_actions=self._alarm_actions,
        )
        self._alarms.extend(consumer.alarms)
        return consumer

    def grant_redrive(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` move messages from the DLQ back to the queue (a message move task).

        The task reads and deletes from the DLQ with the caller's permissions and sends to
        the queue, so it needs all three, plus the key where the queues use one. The grant
        returned covers every statement added, the key statements included (the queues' own
        grants add those but do not return them; asking the keys again adds nothing new, as
        identical statements render once).
        """
        grants = [
            self._dead_letter_queue.grant_consume_messages(grantee),
            self._queue.grant_send_messages(grantee),
            self._dead_letter_queue.grant(
                grantee,
                "sqs:StartMessageMoveTask",
                "sqs:CancelMessageMoveTask",
                "sqs:ListMessageMoveTasks",
            ),
        ]
        dlq_key = self._dead_letter_queue.encryption_master_key
        if dlq_key is not None:
            grants.append(dlq_key.grant_decrypt(grantee))  # what consuming needs
        queue_key = self._queue.encryption_master_key
        if queue_key is not None:
            grants.append(queue_key.grant_encrypt_decrypt(grantee))  # what sending needs
        combined = grants[0]
        for grant in grants[1:]:
            combined = combined.combine(grant)
        return combined

    def add_to_dashboard(self, dashboard: cloudwatch.Dashboard) -> None:
        """Add this queue's section to ``dashboard``: backlog, throughput and the alarms.

        Backlog is what waits (visible), what consumers hold (in flight) and what failed (the
        DLQ); throughput is sent, received and deleted per minute. Each alarm is drawn as its
        metric with the threshold.
        """
        queue, dlq = self._queue, self._dead_letter_queue
        maximum, total = cloudwatch.Stats.MAXIMUM, cloudwatch.Stats.SUM
        dashboards.section(
            dashboard,
            f"Queue {self.node.path}",
            "Backlog, throughput and the alarms of the queue and its dead-letter queue.",
            [
                dashboards.graph(
                    "Backlog (messages)",
                    [
                        queue.metric_approximate_number_of_messages_visible(
                            statistic=maximum, label="waiting"
                        ),
                        queue.metric_approximate_number_of_messages_not_visible(
                            statistic=maximum, label="in flight"
                        ),
                        dlq.metric_approximate_number_of_messages_visible(
                            statistic=maximum, label="in the DLQ"
                        ),
                    ],
                ),
                dashboards.graph(
                    "Throughput (messages per minute)",
                    [
                        queue.metric_number_of_messages_sent(statistic=total, label="sent"),
                        queue.metric_number_of_messages_received(statistic=total, label="received"),
                        queue.metric_number_of_messages_deleted(statistic=total, label="deleted"),
                    ],
                ),
                *dashboards.alarm_graphs(self._alarms),
            ],
        )


@jsii.implements(IValidation)
class _Invariants:
    """At synth, over the final state: what the pattern promises still holds.

    Users can change the queues after construction (``pattern.queue.node.default_child``);
    SNS and S3 cannot use an AWS-managed key, SQS refuses names over 80 characters and a
    redrive-allow policy with more than 10 sources.
    """

    def __init__(self, pattern: QueueWithDeadLetterQueue) -> None:
        self._pattern = pattern

    def validate(self) -> list[str]:
        pattern = self._pattern
        queues: list[sqs.IQueue] = [pattern.queue]
        if pattern._owns_dead_letter_queue:
            queues.append(pattern.dead_letter_queue)
        errors: list[str] = []
        for queue in queues:
            cfn = queue.node.default_child
            if not isinstance(cfn, sqs.CfnQueue):
                continue
            key_id = cfn.kms_master_key_id
            if isinstance(key_id, str) and names_aws_managed_key(queue, key_id):
                errors.append(
                    f"{queue.node.path} uses the AWS-managed key {literal_text(queue, key_id)}: "
                    "SNS and S3 cannot be granted it, so their messages would be lost. Use a "
                    "customer-managed key (encryption=KMS) or SSE-SQS"
                )
            name = cfn.queue_name
            if (
                isinstance(name, str)
                and not Token.is_unresolved(name)
                and len(name) > QUEUE_NAME_MAX_LENGTH
            ):
                errors.append(
                    f"{queue.node.path} has the name {name!r} of {len(name)} characters; "
                    f"SQS allows at most {QUEUE_NAME_MAX_LENGTH}"
                )
        if pattern._owns_dead_letter_queue:
            sources = _redrive_sources(pattern.dead_letter_queue)
            if sources is not None and len(sources) > REDRIVE_ALLOW_MAX_SOURCES:
                errors.append(
                    f"{pattern.dead_letter_queue.node.path} admits {len(sources)} source queues; "
                    f"SQS allows at most {REDRIVE_ALLOW_MAX_SOURCES} in a byQueue redrive-allow "
                    "policy"
                )
        return errors


def _derived_dlq_name(name: str, fifo: bool) -> str:
    return f"{_strip_fifo(name)}{DLQ_SUFFIX}{FIFO_SUFFIX if fifo else ''}"


def _redrive_policy_of(queue: sqs.IQueue) -> Any:
    """The redrive-allow policy of a queue of this app as its template holds it, else None."""
    cfn = queue.node.default_child if isinstance(queue, sqs.Queue) else None
    return cfn.redrive_allow_policy if isinstance(cfn, sqs.CfnQueue) else None


def _redrive_sources(queue: sqs.IQueue) -> list[Any] | None:
    """The source queue ARNs of a ``byQueue`` redrive-allow policy, or ``None``."""
    policy = _redrive_policy_of(queue)
    if not isinstance(policy, dict) or policy.get("redrivePermission") != "byQueue":
        return None
    sources = policy.get("sourceQueueArns")
    return list(sources) if isinstance(sources, list) else None


def _check_shared_dead_letter_queue(
    scope: Construct, dead_letter_queue: sqs.IQueue, queue_name: str | None
) -> None:
    """Refuse a given DLQ whose redrive-allow policy cannot admit another source."""
    if not isinstance(dead_letter_queue, sqs.Queue):
        return
    path = dead_letter_queue.node.path
    policy = _redrive_policy_of(dead_letter_queue)
    if isinstance(policy, dict) and policy.get("redrivePermission") == "denyAll":
        raise ValueError(
            f"dead_letter_queue {path} denies every source (redrivePermission denyAll), so SQS "
            "would reject this queue's redrive policy: allow sources on that queue, or omit "
            "dead_letter_queue to give this queue its own DLQ"
        )
    sources = _redrive_sources(dead_letter_queue)
    if sources is None:
        return
    if len(sources) >= REDRIVE_ALLOW_MAX_SOURCES:
        raise ValueError(
            f"dead_letter_queue {path} already admits {len(sources)} source queues; SQS allows "
            f"at most {REDRIVE_ALLOW_MAX_SOURCES} in a byQueue redrive-allow policy: omit "
            "dead_letter_queue to give this queue its own DLQ, or share a DLQ created with "
            "RedrivePermission.ALLOW_ALL"
        )
    if (
        queue_name is not None
        and Token.is_unresolved(queue_name)
        and Stack.of(dead_letter_queue).node.path != Stack.of(scope).node.path
    ):
        raise ValueError(
            f"queue_name is only known at deploy time, in stack {Stack.of(scope).stack_name}, "
            f"so dead_letter_queue {path} of stack {Stack.of(dead_letter_queue).stack_name} "
            "cannot name this queue as a source (its template would resolve the name in the "
            "wrong stack or refer back to this one): pass a literal queue_name, or omit "
            "dead_letter_queue"
        )


def _admit_source(scope: Construct, dead_letter_queue: sqs.IQueue, source_arn: str) -> None:
    """Let a shared DLQ name this queue as a source (checked by the shared-DLQ check)."""
    if not isinstance(dead_letter_queue, sqs.Queue):
        Annotations.of(scope).add_warning_v2(
            "patterns:ImportedDeadLetterQueue",
            f"The redrive-allow policy of imported dead_letter_queue "
            f"{dead_letter_queue.node.path} is not in this app, yet it must admit this queue "
            "(redrivePermission allowAll, or byQueue naming this queue's ARN); otherwise SQS "
            "rejects this queue's redrive policy at deploy",
        )
        return
    sources = _redrive_sources(dead_letter_queue)
    if sources is None:
        return  # no policy (SQS allows every source) or allowAll
    cfn = dead_letter_queue.node.default_child
    assert isinstance(cfn, sqs.CfnQueue)
    cfn.redrive_allow_policy = {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [*sources, source_arn],
    }


def _strip_fifo(name: str) -> str:
    return name[: -len(FIFO_SUFFIX)] if name.endswith(FIFO_SUFFIX) else name


def _check_queue_name(argument: str, name: str | None, fifo: bool) -> None:
    if name is None or Token.is_unresolved(name):
        return
    if fifo and not name.endswith(FIFO_SUFFIX):
        raise ValueError(f"{argument} {name!r} must end in '.fifo' because fifo is True")
    if not fifo and name.endswith(FIFO_SUFFIX):
        raise ValueError(
            f"{argument} {name!r} ends in '.fifo', which SQS reserves for FIFO queues; "
            "set fifo=True or choose another name"
        )
    base = _strip_fifo(name)
    if len(name) > QUEUE_NAME_MAX_LENGTH or not _QUEUE_NAME_PATTERN.match(base):
        raise ValueError(
            f"{argument} {name!r} must be 1 to {QUEUE_NAME_MAX_LENGTH} characters of "
            "letters, digits, hyphens and underscores (plus '.fifo' for FIFO queues)"
        )


def _validate(
    *,
    queue_name: str | None,
    fifo: bool,
    content_based_deduplication: bool,
    high_throughput_fifo: bool,
    retention_period: Duration,
    visibility_timeout: Duration | None,
    delivery_delay: Duration | None,
    receive_message_wait_time: Duration | None,
    max_message_size_bytes: int | None,
    max_receive_count: int,
    dead_letter_queue: sqs.IQueue | None,
    dead_letter_queue_name: str | None,
    dead_letter_retention_period: Duration | None,
    encryption: sqs.QueueEncryption | None,
    encryption_key: kms.IKey | None,
    message_age_alarm_threshold: Duration,
) -> None:
    check_duration("retention_period", retention_period, RETENTION_MIN, RETENTION_MAX)
    check_duration(
        "dead_letter_retention_period", dead_letter_retention_period, RETENTION_MIN, RETENTION_MAX
    )
    check_duration("visibility_timeout", visibility_timeout, ZERO, VISIBILITY_MAX)
    check_duration("delivery_delay", delivery_delay, ZERO, DELIVERY_DELAY_MAX)
    check_duration("receive_message_wait_time", receive_message_wait_time, ZERO, RECEIVE_WAIT_MAX)
    check_range("max_message_size_bytes", max_message_size_bytes, *MESSAGE_SIZE_RANGE, " bytes")
    check_whole_number("max_receive_count", max_receive_count, *MAX_RECEIVE_COUNT_RANGE)
    check_duration(
        "message_age_alarm_threshold",
        message_age_alarm_threshold,
        MESSAGE_AGE_ALARM_MIN,
        retention_period,
    )

    if not fifo:
        for option, value in (
            ("content_based_deduplication", content_based_deduplication),
            ("high_throughput_fifo", high_throughput_fifo),
        ):
            if value:
                raise ValueError(f"{option}=True applies to FIFO queues only; set fifo=True")
    _check_queue_name("queue_name", queue_name, fifo)
    _check_queue_name("dead_letter_queue_name", dead_letter_queue_name, fifo)
    if (
        dead_letter_queue is None
        and dead_letter_queue_name is None
        and queue_name is not None
        and not Token.is_unresolved(queue_name)
    ):
        check_name_length(
            "queue_name without dead_letter_queue_name",
            _derived_dlq_name(queue_name, fifo),
            QUEUE_NAME_MAX_LENGTH,
            "the dead-letter queue name",
        )

    check_exclusive_with_existing(
        "dead_letter_queue",
        dead_letter_queue,
        {
            "dead_letter_queue_name": dead_letter_queue_name,
            "dead_letter_retention_period": dead_letter_retention_period,
        },
    )
    if dead_letter_queue is not None and dead_letter_queue.fifo != fifo:
        kind = "a FIFO" if dead_letter_queue.fifo else "a standard"
        raise ValueError(
            f"dead_letter_queue is {kind} queue but fifo is {fifo}: SQS requires the "
            "dead-letter queue of a FIFO queue to be FIFO, and of a standard queue standard"
        )

    dlq_retention = dead_letter_retention_period or DEFAULT_DLQ_RETENTION
    source_seconds, dlq_seconds = seconds_of(retention_period), seconds_of(dlq_retention)
    if (
        dead_letter_queue is None
        and source_seconds is not None
        and dlq_seconds is not None
        and source_seconds > dlq_seconds
    ):
        raise ValueError(
            f"retention_period ({retention_period.to_human_string()}) may not exceed "
            f"dead_letter_retention_period ({dlq_retention.to_human_string()}): a message keeps "
            "its original enqueue time in a standard DLQ and would expire there before anyone "
            "saw it"
        )

    if encryption not in (None, sqs.QueueEncryption.SQS_MANAGED, sqs.QueueEncryption.KMS):
        raise ValueError(
            f"encryption {encryption} is not allowed: use SQS_MANAGED (SSE-SQS) or KMS (a "
            "customer-managed key). Unencrypted queues fail compliance, and the AWS-managed "
            "key (KMS_MANAGED) cannot be granted to SNS or S3, so their messages would be lost"
        )
    if encryption_key is not None and is_aws_managed(encryption_key):
        raise ValueError(
            f"encryption_key {key_name(encryption_key)} is an AWS-managed key: its policy "
            "cannot be changed, so it cannot be granted to SNS or S3 and their messages would "
            "be lost. Pass a customer-managed key, or encryption=KMS without encryption_key "
            "for a new one"
        )
    if encryption_key is not None and encryption == sqs.QueueEncryption.SQS_MANAGED:
        raise ValueError(
            "encryption_key was given with encryption=SQS_MANAGED; drop encryption_key or use "
            "encryption=KMS"
        )
