"""``QueueWithDeadLetterQueue``: the construct, its queues, key, grants and consumers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns import limits
from patterns.compliance import acknowledge, skip_checkov
from patterns.lookups import default_child, stack_of
from patterns.metric_options import MetricOptions
from patterns.naming import physical_name
from patterns.queue_with_dlq import monitoring
from patterns.queue_with_dlq.invariants import Invariants
from patterns.queue_with_dlq.options import (
    DEFAULT_MAX_RECEIVE_COUNT,
    DEFAULT_MESSAGE_AGE_ALARM,
    DEFAULT_RECEIVE_WAIT,
    DEFAULT_RETENTION,
    DEFAULT_VISIBILITY_TIMEOUT,
    FIFO_SUFFIX,
    GENERATED_NAME_MAX_LENGTH,
    QueueSettings,
    derived_dlq_name,
    validate,
)
from patterns.queue_with_dlq.redrive_allow import admit_source, check_shared_dead_letter_queue
from patterns.removal import KEY_PENDING_WINDOW, key_removal_policy

if TYPE_CHECKING:
    from typing import Unpack

    from aws_cdk import aws_lambda as lambda_

    from patterns.consumers.queue_lambda import LambdaQueueConsumer


class QueueWithDeadLetterQueue(Construct):
    """An SQS queue with a dead-letter queue (DLQ) that outlives the messages it receives.

    A message received ``max_receive_count`` times without being deleted moves to the DLQ,
    which keeps it for 14 days (the SQS maximum) so that it can be inspected and redriven.
    Both queues are encrypted alike and refuse requests that do not use TLS; the DLQ only
    admits this queue as a source. Alarms watch the DLQ and the age of the oldest message.

    After construction: grant access with `grant_send_messages`, `grant_consume_messages` and
    `grant_redrive`; connect a function with `add_lambda_consumer`; draw the queue with
    `add_to_dashboard`. The `metric_*` methods take the keyword arguments of
    [`MetricOptions`][patterns.metric_options.MetricOptions] (`period`, `statistic`, `label`,
    ...) to change their defaults.
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
            yearly rotation that follows ``removal_policy`` (see Removal policy on the Lifecycle
            and updates page).
        :param removal_policy: What happens to the queues (and a new key) when they leave
            the stack. Default: ``DESTROY``: queues carry messages in transit, not records,
            and a retained queue keeps its fixed name, so re-creating the stack would fail.
            A new key is destroyed with them after a 30-day KMS waiting period.
        :param alarm_actions: Actions for every alarm, on alarm and on return to OK.
            Default: none (the alarms are still created).
        :param message_age_alarm_threshold: Alarm when the oldest message is at least this old.
            Default: 15 minutes. From 1 minute up to the retention period.
        """
        super().__init__(scope, construct_id)
        # validate: the options with the defaults the checks need, refused before anything exists
        settings = QueueSettings(
            queue_name=queue_name,
            fifo=fifo,
            content_based_deduplication=content_based_deduplication,
            high_throughput_fifo=high_throughput_fifo,
            retention_period=retention_period or DEFAULT_RETENTION,
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
            removal_policy=removal_policy,
            message_age_alarm_threshold=message_age_alarm_threshold or DEFAULT_MESSAGE_AGE_ALARM,
        )
        validate(settings)
        if dead_letter_queue is not None:
            check_shared_dead_letter_queue(self, dead_letter_queue, queue_name)

        # create: the key, the queues, the alarms, the checks over the final state
        node = self.node
        path = node.path  # read once: the key's description and the alarms' name it
        self._encryption_key = _encryption_key(self, settings, path)
        built = _Queues.create(self, stack_of(scope), settings, self._encryption_key)
        self._queue: sqs.IQueue = built.queue
        self._dead_letter_queue: sqs.IQueue = built.dead_letter_queue

        self._alarm_actions = tuple(alarm_actions)
        self._alarms: list[cloudwatch.Alarm] = monitoring.create_alarms(
            self,
            path,
            owns_dead_letter_queue=dead_letter_queue is None,
            message_age_threshold=settings.message_age_alarm_threshold,
            actions=alarm_actions,
        )
        node.add_validation(Invariants(built.checked))

    @property
    def queue(self) -> sqs.IQueue:
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
        """The alarms: DLQ not empty, oldest message age, a Lambda consumer's, those added."""
        return list(self._alarms)

    def add_alarm(self, alarm: cloudwatch.Alarm) -> None:
        """Watch ``alarm`` with this queue: listed in ``alarms``, drawn by ``add_to_dashboard``.

        For alarms on what is built around the queue, for example the subscription
        dead-letter queue alarm that ``SnsToSqsFanOut.add_queue`` adds, or one of your own.
        Call it before ``add_to_dashboard``, which draws the alarms listed at that time.

        :param alarm: The alarm; its actions stay as you created it (this queue's
            ``alarm_actions`` are not added).
        """
        self._alarms.append(alarm)

    # --- metrics: what the alarms and the dashboard watch, as CDK's own queue metrics ---------

    def metric_approximate_number_of_messages_visible(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Messages waiting in the queue (``ApproximateNumberOfMessagesVisible``).

        Default: maximum over 5 minutes.
        """
        return self._queue.metric_approximate_number_of_messages_visible(**props)

    def metric_approximate_number_of_messages_not_visible(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Messages consumers hold, received but not deleted
        (``ApproximateNumberOfMessagesNotVisible``).

        Default: maximum over 5 minutes.
        """
        return self._queue.metric_approximate_number_of_messages_not_visible(**props)

    def metric_approximate_age_of_oldest_message(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Age of the oldest message in the queue, in seconds
        (``ApproximateAgeOfOldestMessage``, the message-age alarm's metric).

        Default: maximum over 5 minutes.
        """
        return self._queue.metric_approximate_age_of_oldest_message(**props)

    def metric_number_of_messages_sent(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Messages sent to the queue (``NumberOfMessagesSent``). Default: sum over 5 minutes."""
        return self._queue.metric_number_of_messages_sent(**props)

    def metric_number_of_messages_received(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Messages consumers received from the queue (``NumberOfMessagesReceived``).

        Default: sum over 5 minutes.
        """
        return self._queue.metric_number_of_messages_received(**props)

    def metric_number_of_messages_deleted(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Messages consumers deleted, that is processed, from the queue
        (``NumberOfMessagesDeleted``).

        Default: sum over 5 minutes.
        """
        return self._queue.metric_number_of_messages_deleted(**props)

    def metric_dead_letter_queue_messages_visible(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Failed messages waiting in the dead-letter queue
        (``ApproximateNumberOfMessagesVisible`` of the DLQ, the DLQ alarm's metric).

        Default: maximum over 5 minutes.
        """
        return self._dead_letter_queue.metric_approximate_number_of_messages_visible(**props)

    def grant_send_messages(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` send messages (and use the key to encrypt them).

        :param grantee: A role, user or function, for example a producer's Lambda function.
        :returns: The grant of the IAM statements added to ``grantee``'s policy.
        """
        return self._queue.grant_send_messages(grantee)

    def grant_consume_messages(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` receive, delete and change the visibility of messages (and decrypt).

        For a consumer of your own, such as a container; ``add_lambda_consumer`` grants its
        function itself.

        :param grantee: A role, user or function that consumes the queue.
        :returns: The grant of the IAM statements added to ``grantee``'s policy.
        """
        return self._queue.grant_consume_messages(grantee)

    def add_lambda_consumer(
        self,
        function: lambda_.IFunction,
        *,
        batch_size: int = limits.LAMBDA_SQS_BATCH_SIZE_DEFAULT,
        max_batching_window: Duration | None = None,
        max_concurrency: int | None = None,
        report_batch_item_failures: bool = True,
    ) -> LambdaQueueConsumer:
        """Let ``function`` consume the queue, with AWS's recommended defaults.

        Partial batch responses on; batch size and window checked against the queue type;
        the visibility timeout checked against the function's timeout; permission to consume
        this queue only; alarms on the function's errors and throttles, with this queue's
        ``alarm_actions``, added to ``alarms``. One Lambda consumer per queue: a second call
        raises ``ValueError``. The options are those of
        [`LambdaQueueConsumer`][patterns.LambdaQueueConsumer].

        :param function: The function to invoke with batches of messages. Its timeout plus
            ``max_batching_window`` must not exceed the queue's visibility timeout.
        :param batch_size: Messages per invocation: 1 to 10,000 for a standard queue (more
            than 10 needs ``max_batching_window``), 1 to 10 for a FIFO queue. Default: 10.
        :param max_batching_window: How long to gather messages before invoking, 0 to
            5 minutes in whole seconds; not for FIFO queues. Default: none (invoke as soon
            as messages arrive).
        :param max_concurrency: Most concurrent invocations this queue may cause, 2 to 1,000.
            Default: no limit beyond the function's reserved concurrency.
        :param report_batch_item_failures: The function returns the ``messageId`` of each
            failed message, so only those are retried. Default: ``True``.
        :returns: The [`LambdaQueueConsumer`][patterns.LambdaQueueConsumer] (child
            ``LambdaConsumer``), with its event source mapping and alarms.
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

        :param grantee: The role or user that runs the redrive, for example an operator's
            role or the role of a redrive job.
        :returns: One grant combining every statement added.
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
        metric with the threshold. Adding it to the same dashboard again adds nothing.
        Call it after ``add_lambda_consumer`` and ``add_alarm``: alarms added later are not
        drawn.

        :param dashboard: The dashboard to add the section to, for example
            ``cloudwatch.Dashboard(stack, "Dashboard")``.
        """
        monitoring.add_section(self, dashboard)


# --- create: the key, the queues, what checkov and cdk-nag are told about them ------------------

_SSE_SQS_REASON = (
    "Encrypted at rest with SSE-SQS (SqsManagedSseEnabled: true); CKV_AWS_27 only recognises "
    "KmsMasterKeyId. Pass encryption=KMS for a customer-managed key."
)
_DLQ_OF_DLQ_REASON = (
    "This queue is itself the dead-letter queue: it keeps failed messages for 14 days for "
    "inspection and redrive, and a DLQ of a DLQ would only move them again."
)


def _encryption_key(scope: Construct, settings: QueueSettings, path: str) -> kms.IKey | None:
    """The key given, a new one (``encryption=KMS`` without a key), or ``None`` (SSE-SQS)."""
    if settings.encryption_key is not None or not settings.uses_kms:
        return settings.encryption_key
    return kms.Key(
        scope,
        "EncryptionKey",
        description=f"Encrypts the queues of {path}",
        enable_key_rotation=True,
        removal_policy=key_removal_policy(settings.removal_policy),
        pending_window=KEY_PENDING_WINDOW,
    )


class _Queues:
    """The queue and its dead-letter queue (new, or the one given), and what synth checks.

    ``checked`` pairs each queue the pattern created with its ``CfnQueue``, read once here for
    the checkov skip and kept for the :class:`Invariants` (each read is a jsii round trip).
    """

    def __init__(
        self,
        queue: sqs.Queue,
        dead_letter_queue: sqs.IQueue,
        checked: list[tuple[sqs.IQueue, sqs.CfnQueue]],
    ) -> None:
        self.queue = queue
        self.dead_letter_queue = dead_letter_queue
        self.checked = checked

    @classmethod
    def create(
        cls, scope: Construct, stack: Stack, settings: QueueSettings, key: kms.IKey | None
    ) -> _Queues:
        """The queues in ``scope`` (the pattern), of ``stack`` (the pattern's)."""
        suffix = FIFO_SUFFIX if settings.fifo else ""
        name = settings.queue_name or physical_name(
            scope, max_length=GENERATED_NAME_MAX_LENGTH + len(suffix), suffix=suffix
        )
        # Fixed at synth, so the DLQ's redrive-allow policy names its source without a cycle.
        source_arn = stack.format_arn(
            service="sqs", resource=name, arn_format=ArnFormat.NO_RESOURCE_NAME
        )
        checked: list[tuple[sqs.IQueue, sqs.CfnQueue]] = []
        dead_letter_queue = settings.dead_letter_queue
        if dead_letter_queue is None:
            new_dlq = _new_dead_letter_queue(scope, settings, name, source_arn, key)
            checked.append((new_dlq, _cfn(new_dlq)))
            dead_letter_queue = new_dlq
        else:
            admit_source(scope, dead_letter_queue, source_arn)
        queue = _new_queue(scope, settings, name, dead_letter_queue, key)
        checked.insert(0, (queue, _cfn(queue)))
        if not settings.uses_kms:
            for _, cfn in checked:  # created here: no checkov metadata to read first
                skip_checkov(cfn, "CKV_AWS_27", _SSE_SQS_REASON, created_here=True)
            if settings.dead_letter_queue is not None and isinstance(
                settings.dead_letter_queue, sqs.Queue
            ):
                skip_checkov(_cfn(settings.dead_letter_queue), "CKV_AWS_27", _SSE_SQS_REASON)
        return cls(queue, dead_letter_queue, checked)


def _cfn(queue: sqs.Queue) -> sqs.CfnQueue:
    cfn = default_child(queue)
    assert isinstance(cfn, sqs.CfnQueue)
    return cfn


def _new_dead_letter_queue(
    scope: Construct, settings: QueueSettings, name: str, source_arn: str, key: kms.IKey | None
) -> sqs.Queue:
    dead_letter_queue = sqs.Queue(
        scope,
        "DeadLetterQueue",
        queue_name=settings.dead_letter_queue_name or derived_dlq_name(name, settings.fifo),
        fifo=settings.fifo or None,
        retention_period=settings.dead_letter_retention,
        encryption=settings.queue_encryption,
        encryption_master_key=key,
        enforce_ssl=True,
        redrive_allow_policy=sqs.RedriveAllowPolicy(
            redrive_permission=sqs.RedrivePermission.BY_QUEUE,
            source_queues=[sqs.Queue.from_queue_arn(scope, "SourceQueueRef", source_arn)],
        ),
        removal_policy=settings.removal_policy,
    )
    acknowledge(dead_letter_queue, "Serverless::Serverless-SQSRedrivePolicy", _DLQ_OF_DLQ_REASON)
    return dead_letter_queue


def _fifo_settings(settings: QueueSettings) -> dict[str, object]:
    if not settings.fifo:
        return {}
    fifo: dict[str, object] = {
        "fifo": True,
        "content_based_deduplication": settings.content_based_deduplication or None,
    }
    if settings.high_throughput_fifo:
        fifo["deduplication_scope"] = sqs.DeduplicationScope.MESSAGE_GROUP
        fifo["fifo_throughput_limit"] = sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID
    return fifo


def _new_queue(
    scope: Construct,
    settings: QueueSettings,
    name: str,
    dead_letter_queue: sqs.IQueue,
    key: kms.IKey | None,
) -> sqs.Queue:
    return sqs.Queue(
        scope,
        "Queue",
        queue_name=name,
        retention_period=settings.retention_period,
        visibility_timeout=settings.visibility_timeout or DEFAULT_VISIBILITY_TIMEOUT,
        delivery_delay=settings.delivery_delay,
        receive_message_wait_time=settings.receive_message_wait_time or DEFAULT_RECEIVE_WAIT,
        max_message_size_bytes=settings.max_message_size_bytes,
        dead_letter_queue=sqs.DeadLetterQueue(
            queue=dead_letter_queue, max_receive_count=settings.max_receive_count
        ),
        encryption=settings.queue_encryption,
        encryption_master_key=key,
        enforce_ssl=True,
        removal_policy=settings.removal_policy,
        **_fifo_settings(settings),  # type: ignore[arg-type]
    )
