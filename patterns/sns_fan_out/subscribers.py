"""The subscribers of a fan-out: queues (``add_queue``) and other protocols (``add_subscription``).

Each subscription has a subscription dead-letter queue for what SNS could not deliver, with
its own topic-scoped policy and an alarm, and is created only after the policies it needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

import jsii
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IDependable, Node

from patterns import limits
from patterns.alarms import create_dead_letter_queue_alarm
from patterns.compliance import acknowledge_all, skip_checkov
from patterns.metric_options import MetricOptions
from patterns.naming import physical_name
from patterns.queue_with_dlq import (
    DEFAULT_DLQ_RETENTION,
    FIFO_SUFFIX,
    QUEUE_NAME_MAX_LENGTH,
    QueueOptions,
    QueueWithDeadLetterQueue,
)
from patterns.sns_fan_out.key_checks import check_queue_key_usable
from patterns.sns_fan_out.topic_statements import (
    TopicRef,
    admit_topic,
    admit_topic_to_key,
    depend_on_policy,
    sns_send_statement,
    warn_imported_key,
    warn_imported_queue,
)
from patterns.sns_fan_out.validation import validate_filter_policies

if TYPE_CHECKING:
    from aws_cdk import aws_lambda as lambda_

    from patterns.consumers.queue_lambda import LambdaQueueConsumer

_RAW_PROTOCOLS = (
    sns.SubscriptionProtocol.SQS,
    sns.SubscriptionProtocol.HTTP,
    sns.SubscriptionProtocol.HTTPS,
    sns.SubscriptionProtocol.FIREHOSE,
)


@dataclass(frozen=True)
class SubscriptionDeadLetterQueue:
    """A subscription DLQ with what a subscription reads of it, read once when it is made."""

    queue: sqs.Queue
    arn: str
    policy: IDependable | None


class SubscriptionOptions:
    """The per-subscriber subscription settings that ``add_queue`` passes to a subscriber.

    ``shared_dead_letter_queue`` is the fan-out's shared subscription DLQ when
    :func:`keeps_own_subscription_dead_letter_queue` says the subscriber may share it;
    ``None``: the subscriber gets its own.
    """

    def __init__(
        self,
        *,
        topic: TopicRef,
        filter_policy: Mapping[str, sns.SubscriptionFilter] | None,
        filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None,
        raw_message_delivery: bool,
        shared_dead_letter_queue: SubscriptionDeadLetterQueue | None = None,
    ) -> None:
        self.topic = topic
        self.filter_policy = filter_policy
        self.filter_policy_with_message_body = filter_policy_with_message_body
        self.raw_message_delivery = raw_message_delivery
        self.shared_dead_letter_queue = shared_dead_letter_queue


def keeps_own_subscription_dead_letter_queue(
    queue: sqs.IQueue | None, queue_options: QueueOptions
) -> bool:
    """Whether a queue subscriber keeps a subscription DLQ of its own (the one decision).

    A new queue under a customer-managed key does, under that key: a shared subscription DLQ
    is SSE-SQS, and its messages must not rest under weaker encryption than the queue's. An
    existing queue's subscription DLQ is SSE-SQS either way, so it may share.
    """
    if queue is not None:
        return False
    encryption = queue_options.get("encryption")
    return queue_options.get("encryption_key") is not None or encryption == sqs.QueueEncryption.KMS


class QueueSubscriber:
    """A queue subscribed to a fan-out: what
    [`SnsToSqsFanOut.add_queue`][patterns.SnsToSqsFanOut.add_queue] returns.

    One type for both kinds of subscriber. It holds what a subscriber has: its ``queue``, the
    ``QueueWithDeadLetterQueue`` the fan-out made for it (``None`` for an existing queue),
    its ``subscription``, its ``subscription_dead_letter_queue`` and its ``alarms``. It is a
    plain object, not a construct: the subscription and its DLQ live under the
    ``QueueWithDeadLetterQueue`` (new queue) or under a construct of their own, named by the
    subscriber's ID (existing queue).
    """

    def __init__(
        self,
        *,
        queue: sqs.IQueue,
        queue_with_dead_letter_queue: QueueWithDeadLetterQueue | None,
        subscription: sns.Subscription,
        subscription_dead_letter_queue: sqs.IQueue,
        alarms: Sequence[cloudwatch.Alarm] = (),
    ) -> None:
        """Hold a subscriber's parts. ``add_queue`` creates them; you do not need to.

        :param queue: The queue SNS delivers to.
        :param queue_with_dead_letter_queue: The pattern that owns ``queue``, or ``None`` for
            an existing queue.
        :param subscription: The SNS subscription of ``queue``.
        :param subscription_dead_letter_queue: Where SNS puts what it could not deliver.
        :param alarms: The alarms of a subscriber without a ``QueueWithDeadLetterQueue``; with
            one, the subscriber's alarms are that pattern's (see ``alarms``). Default: none.
        """
        self._queue = queue
        self._queue_with_dead_letter_queue = queue_with_dead_letter_queue
        self._subscription = subscription
        self._subscription_dead_letter_queue = subscription_dead_letter_queue
        self._alarms = list(alarms)

    @property
    def queue(self) -> sqs.IQueue:
        """The queue SNS delivers to: new, or the existing one that was passed in."""
        return self._queue

    @property
    def queue_with_dead_letter_queue(self) -> QueueWithDeadLetterQueue | None:
        """The queue pattern the fan-out made (DLQ, key, grants); ``None`` for an existing queue."""
        return self._queue_with_dead_letter_queue

    @property
    def subscription(self) -> sns.Subscription:
        """The SNS subscription (created after the policies and key it needs)."""
        return self._subscription

    @property
    def subscription_dead_letter_queue(self) -> sqs.IQueue:
        """Where SNS puts messages it could not deliver to the queue (kept 14 days)."""
        return self._subscription_dead_letter_queue

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """Its alarms: DLQ, oldest message age, subscription DLQ, a Lambda consumer's.

        For a new queue, those of ``queue_with_dead_letter_queue`` (which lists the
        subscription DLQ's alarm too); for an existing queue, the subscription DLQ's alarm
        (none with a shared subscription DLQ).
        """
        if self._queue_with_dead_letter_queue is not None:
            return self._queue_with_dead_letter_queue.alarms
        return list(self._alarms)

    def metric_approximate_number_of_messages_visible(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Messages waiting in the queue (``ApproximateNumberOfMessagesVisible``, the fan-out
        dashboard's backlog line).

        Default: maximum over 5 minutes.
        """
        return self._queue.metric_approximate_number_of_messages_visible(**props)

    def metric_approximate_age_of_oldest_message(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Age of the oldest message in the queue, in seconds (``ApproximateAgeOfOldestMessage``).

        Default: maximum over 5 minutes.
        """
        return self._queue.metric_approximate_age_of_oldest_message(**props)

    def metric_subscription_dead_letter_queue_messages_visible(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Undelivered messages waiting in the subscription dead-letter queue
        (``ApproximateNumberOfMessagesVisible`` of that queue).

        Default: maximum over 5 minutes.
        """
        return self._subscription_dead_letter_queue.metric_approximate_number_of_messages_visible(
            **props
        )

    def grant_consume_messages(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` receive, delete and change the visibility of messages (and decrypt).

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
        """Let ``function`` consume the queue: ``QueueWithDeadLetterQueue.add_lambda_consumer``.

        Raises ``ValueError`` for an existing queue: its settings (visibility timeout, DLQ)
        are its owner's, so connect the function where the queue is defined.

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
        :returns: The [`LambdaQueueConsumer`][patterns.LambdaQueueConsumer], whose alarms
            join this subscriber's ``alarms``.
        """
        pattern = self._queue_with_dead_letter_queue
        if pattern is None:
            raise ValueError(
                f"add_lambda_consumer needs a queue the fan-out created; {self._queue.node.path} "
                "was passed in with add_queue(queue=...). Connect the function where that "
                "queue is defined (QueueWithDeadLetterQueue.add_lambda_consumer or "
                "LambdaQueueConsumer)"
            )
        return pattern.add_lambda_consumer(
            function,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            max_concurrency=max_concurrency,
            report_batch_item_failures=report_batch_item_failures,
        )


def subscribe_new_queue(
    pattern: QueueWithDeadLetterQueue,
    subscription: SubscriptionOptions,
    *,
    path: str,
    alarm_actions: Sequence[cloudwatch.IAlarmAction],
    removal_policy: RemovalPolicy,
) -> QueueSubscriber:
    """Subscribe the queue of ``pattern`` (at ``path``); its subscription and DLQ go under it.

    The subscription DLQ uses the queues' key and ``removal_policy``; its alarm joins the
    pattern's alarms (and dashboard section) through ``add_alarm``.
    """
    queue, key = pattern.queue, pattern.encryption_key
    parts = _subscribe_queue(
        pattern,
        queue=queue,
        queue_key=key,
        dead_letter_queue_key=key,
        options=subscription,
        path=path,
        alarm_actions=alarm_actions,
        removal_policy=removal_policy,
    )
    if not parts.key_policy_added and key is not None:
        warn_imported_key(pattern, key, queue, subscription.topic)
    if parts.alarm is not None:
        pattern.add_alarm(parts.alarm)
    return QueueSubscriber(
        queue=queue,
        queue_with_dead_letter_queue=pattern,
        subscription=parts.subscription,
        subscription_dead_letter_queue=parts.dead_letter_queue,
    )


def subscribe_existing_queue(
    scope: Construct,
    queue: sqs.IQueue,
    subscription: SubscriptionOptions,
    *,
    path: str | None,
    alarm_actions: Sequence[cloudwatch.IAlarmAction],
) -> QueueSubscriber:
    """Subscribe an existing ``queue``; ``scope`` (the subscriber's own construct) holds the rest.

    The queue's policy and key policy are extended when this app owns them; otherwise a
    warning on ``scope`` names what the owner must add. The subscription DLQ is SSE-SQS.
    ``path`` is ``scope``'s, when the caller knows it.
    """
    key = queue.encryption_master_key
    parts = _subscribe_queue(
        scope,
        queue=queue,
        queue_key=key,
        dead_letter_queue_key=None,
        options=subscription,
        path=path,
        alarm_actions=alarm_actions,
        removal_policy=RemovalPolicy.DESTROY,
    )
    if not parts.queue_policy_added:
        warn_imported_queue(
            scope,
            queue,
            consequence="SNS moves every message to the subscription dead-letter queue",
        )
    if not parts.key_policy_added and key is not None:
        warn_imported_key(scope, key, queue, subscription.topic)
    return QueueSubscriber(
        queue=queue,
        queue_with_dead_letter_queue=None,
        subscription=parts.subscription,
        subscription_dead_letter_queue=parts.dead_letter_queue,
        alarms=[parts.alarm] if parts.alarm is not None else [],
    )


class ProtocolSubscriber(Construct):
    """A non-SQS subscription (Lambda, HTTPS, email, SMS) with its subscription DLQ and alarm.

    What [`SnsToSqsFanOut.add_subscription`][patterns.SnsToSqsFanOut.add_subscription]
    returns; use that method rather than this constructor.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic: sns.ITopic,
        subscription: sns.ITopicSubscription,
        alarm_actions: Sequence[cloudwatch.IAlarmAction],
    ) -> None:
        """Subscribe ``subscription`` to ``topic``, with a subscription DLQ and its alarm.

        :param topic: The topic to subscribe to; a FIFO topic is refused (SNS FIFO topics
            deliver to SQS only).
        :param subscription: An ``aws_sns_subscriptions`` object other than
            ``SqsSubscription``. When it names a ``dead_letter_queue``, that queue is used
            (and admits the topic) and no alarm is added.
        :param alarm_actions: Actions of the subscription DLQ's alarm.
        """
        super().__init__(scope, construct_id)
        topic_ref = TopicRef.of(topic, fifo=topic.fifo)
        bound_once = _BoundOnceWithoutDeadLetterQueue(subscription)
        config = bound_once.inner_config(topic)
        _validate_protocol_subscription(config, topic_fifo=topic_ref.fifo)
        self._filtered = bool(config.filter_policy or config.filter_policy_with_message_body)
        self._alarms: list[cloudwatch.Alarm] = []
        dead_letter_queue, policy = self._dead_letter_queue(config, topic_ref, alarm_actions)
        self._subscription_dead_letter_queue = dead_letter_queue
        # Bound without the DLQ: sns.Subscription would add its own statement, without
        # aws:SourceAccount, to the DLQ's policy. The redrive policy is set here.
        self._subscription = topic.add_subscription(bound_once)
        subscription_node = self._subscription.node
        _redrive_to(subscription_node, dead_letter_queue.queue_arn)
        if policy is not None:
            subscription_node.add_dependency(policy)
        elif isinstance(dead_letter_queue, sqs.Queue):
            depend_on_policy(self._subscription, dead_letter_queue)

    def _dead_letter_queue(
        self,
        config: sns.TopicSubscriptionConfig,
        topic: TopicRef,
        alarm_actions: Sequence[cloudwatch.IAlarmAction],
    ) -> tuple[sqs.IQueue, IDependable | None]:
        """A new subscription DLQ and its policy, or the one the subscription names, admitted."""
        if config.dead_letter_queue is None:
            made = new_subscription_dead_letter_queue(
                self, topic, key=None, removal_policy=RemovalPolicy.DESTROY
            )
            self._alarms.append(subscription_dlq_alarm(self, made.queue, alarm_actions))
            return made.queue, made.policy
        given = config.dead_letter_queue
        check_queue_key_usable(given)
        admit_topic(self, given, topic)
        return given, None

    @property
    def subscription(self) -> sns.Subscription:
        """The SNS subscription."""
        return self._subscription

    @property
    def subscription_dead_letter_queue(self) -> sqs.IQueue:
        """Where SNS puts messages it could not deliver (kept 14 days)."""
        return self._subscription_dead_letter_queue

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """The subscription dead-letter queue's alarm (none for a DLQ that was passed in)."""
        return list(self._alarms)


def _validate_protocol_subscription(
    config: sns.TopicSubscriptionConfig, *, topic_fifo: bool
) -> None:
    """Refuse what ``add_subscription`` cannot carry: SQS, any protocol on FIFO, raw delivery."""
    if config.protocol == sns.SubscriptionProtocol.SQS:
        raise ValueError(
            "subscription is an SQS subscription: use add_queue, which also sets the "
            "queue policy, key policy and subscription dead-letter queue"
        )
    if topic_fifo:
        raise ValueError(
            f"subscription protocol {config.protocol.value} is not available on a FIFO "
            "topic: SNS FIFO topics deliver to SQS queues only"
        )
    if config.raw_message_delivery and config.protocol not in _RAW_PROTOCOLS:
        raise ValueError(
            f"raw_message_delivery is not available for protocol {config.protocol.value}: "
            "SNS delivers raw messages to SQS, HTTP/S and Firehose only"
        )
    validate_filter_policies(config.filter_policy, config.filter_policy_with_message_body)


@jsii.implements(sns.ITopicSubscription)
class _BoundOnceWithoutDeadLetterQueue:
    """A subscription that binds once, and binds *without* its dead-letter queue.

    Binding twice would fail: e.g. ``LambdaSubscription.bind`` adds a permission construct.
    The DLQ is left out because ``sns.Subscription`` would add an unscoped statement for SNS
    to its policy; :class:`ProtocolSubscriber` sets the redrive policy and a scoped one.
    """

    def __init__(self, inner: sns.ITopicSubscription) -> None:
        self._inner = inner
        self._config: sns.TopicSubscriptionConfig | None = None

    def inner_config(self, topic: sns.ITopic) -> sns.TopicSubscriptionConfig:
        if self._config is None:
            self._config = self._inner.bind(topic)
        return self._config

    def bind(self, topic: sns.ITopic) -> sns.TopicSubscriptionConfig:
        config = self.inner_config(topic)
        return sns.TopicSubscriptionConfig(
            subscriber_id=config.subscriber_id,
            subscriber_scope=config.subscriber_scope,
            subscription_dependency=config.subscription_dependency,
            protocol=config.protocol,
            endpoint=config.endpoint,
            raw_message_delivery=config.raw_message_delivery,
            filter_policy=config.filter_policy,
            filter_policy_with_message_body=config.filter_policy_with_message_body,
            region=config.region,
            dead_letter_queue=None,
            subscription_role_arn=config.subscription_role_arn,
            delivery_policy=config.delivery_policy,
        )


def new_subscription_dead_letter_queue(
    scope: Construct, topic: TopicRef, *, key: kms.IKey | None, removal_policy: RemovalPolicy
) -> SubscriptionDeadLetterQueue:
    """A subscription DLQ SNS can write to: FIFO for a FIFO topic, encrypted, TLS only."""
    queue_name = None
    if topic.fifo:
        queue_name = physical_name(
            scope, max_length=QUEUE_NAME_MAX_LENGTH, suffix=f"-sdlq{FIFO_SUFFIX}"
        )
    dead_letter_queue = sqs.Queue(
        scope,
        "SubscriptionDeadLetterQueue",
        queue_name=queue_name,
        fifo=topic.fifo or None,
        retention_period=DEFAULT_DLQ_RETENTION,
        encryption=sqs.QueueEncryption.KMS if key else sqs.QueueEncryption.SQS_MANAGED,
        encryption_master_key=key,
        enforce_ssl=True,
        removal_policy=removal_policy,
    )
    arn = dead_letter_queue.queue_arn
    policy = dead_letter_queue.add_to_resource_policy(sns_send_statement(topic, arn))
    _acknowledge_subscription_dead_letter_queue(dead_letter_queue, sse_sqs=key is None)
    return SubscriptionDeadLetterQueue(dead_letter_queue, arn, policy.policy_dependable)


def _acknowledge_subscription_dead_letter_queue(queue: sqs.Queue, *, sse_sqs: bool) -> None:
    """The compliance findings a subscription DLQ answers by what it is."""
    acknowledge_all(
        queue,
        {
            "Serverless::Serverless-SQSRedrivePolicy": (
                "This queue is the SNS subscription dead-letter queue: it keeps undeliverable "
                "messages for 14 days for inspection and redrive, and a DLQ of a DLQ would only "
                "move them again."
            ),
            "AwsSolutions::AwsSolutions-SQS3": (
                "This queue is the dead-letter queue of an SNS subscription (its redrive "
                "policy), which cdk-nag does not recognise because it only looks for SQS "
                "redrive policies."
            ),
        },
    )
    if sse_sqs:
        skip_checkov(
            queue.node.default_child,  # type: ignore[arg-type]
            "CKV_AWS_27",
            "Encrypted at rest with SSE-SQS (SqsManagedSseEnabled: true); CKV_AWS_27 only "
            "recognises KmsMasterKeyId. SNS can always write to SSE-SQS queues.",
            created_here=True,
        )


def subscription_dlq_alarm(
    scope: Construct,
    dead_letter_queue: sqs.IQueue,
    actions: Sequence[cloudwatch.IAlarmAction],
    *,
    path: str | None = None,
) -> cloudwatch.Alarm:
    """The alarm on what waits in a subscription DLQ; ``path`` is ``scope``'s when known."""
    return create_dead_letter_queue_alarm(
        scope,
        "SubscriptionDeadLetterQueueNotEmptyAlarm",
        messages_visible=dead_letter_queue.metric_approximate_number_of_messages_visible,
        description=(
            f"SNS could not deliver messages to {path or scope.node.path}; they wait in its "
            "subscription dead-letter queue"
        ),
        actions=actions,
    )


@dataclass(frozen=True)
class _SubscribedQueue:
    dead_letter_queue: sqs.Queue
    subscription: sns.Subscription
    alarm: cloudwatch.Alarm | None
    queue_policy_added: bool
    key_policy_added: bool


def _subscribe_queue(
    scope: Construct,
    *,
    queue: sqs.IQueue,
    queue_key: kms.IKey | None,
    dead_letter_queue_key: kms.IKey | None,
    options: SubscriptionOptions,
    path: str | None,
    alarm_actions: Sequence[cloudwatch.IAlarmAction],
    removal_policy: RemovalPolicy,
) -> _SubscribedQueue:
    """Admit the topic to ``queue`` (and its key), add a subscription DLQ, then subscribe."""
    topic = options.topic
    queue_arn = queue.queue_arn
    policy_result = queue.add_to_resource_policy(sns_send_statement(topic, queue_arn))
    key_added = queue_key is None or admit_topic_to_key(queue_key, topic)
    shared = options.shared_dead_letter_queue
    dead_letter_queue = shared or new_subscription_dead_letter_queue(
        scope, topic, key=dead_letter_queue_key, removal_policy=removal_policy
    )
    subscription = sns.Subscription(
        scope,
        "Subscription",
        topic=topic.topic,
        protocol=sns.SubscriptionProtocol.SQS,
        endpoint=queue_arn,
        raw_message_delivery=options.raw_message_delivery or None,
        filter_policy=options.filter_policy,
        filter_policy_with_message_body=options.filter_policy_with_message_body,
    )
    subscription_node = subscription.node
    _redrive_to(subscription_node, dead_letter_queue.arn)
    # The subscription is created only once SNS may send to the queue, use its key and
    # write to the subscription DLQ: messages published in between would be lost.
    waits_for = [policy_result.policy_dependable, dead_letter_queue.policy]
    if isinstance(queue_key, kms.Key):
        waits_for.append(queue_key)
    subscription_node.add_dependency(*(d for d in waits_for if d is not None))
    alarm = (
        None
        if shared
        else subscription_dlq_alarm(scope, dead_letter_queue.queue, alarm_actions, path=path)
    )
    return _SubscribedQueue(
        dead_letter_queue.queue,
        subscription,
        alarm,
        policy_result.statement_added,
        key_added,
    )


def _redrive_to(subscription: Node, dead_letter_queue_arn: str) -> None:
    """Send what SNS cannot deliver to the subscription DLQ (``subscription``: its node).

    Set on the L1 rather than through ``Subscription(dead_letter_queue=...)``, which would add
    a second statement, without the ``aws:SourceAccount`` condition, to the DLQ's policy.
    """
    cfn_subscription = subscription.default_child
    assert isinstance(cfn_subscription, sns.CfnSubscription)
    cfn_subscription.redrive_policy = {"deadLetterTargetArn": dead_letter_queue_arn}
