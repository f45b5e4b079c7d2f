"""``SnsToSqsFanOut``: publish once to an SNS topic, receive in every subscribed queue.

The loss cases of SNS to SQS are closed by construction: each queue's policy admits this
topic only (and is in place before the subscription exists), encrypted queues let SNS use
their key for this topic only, the AWS-managed SQS key (which SNS cannot use) is refused,
and every subscription has its own subscription dead-letter queue for what SNS could not
deliver.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, Unpack, cast, overload

import jsii
from aws_cdk import (
    Annotations,
    CfnResource,
    Duration,
    Names,
    NestedStack,
    RemovalPolicy,
    Stack,
    Stage,
    Token,
)
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct, IValidation

from patterns import dashboards
from patterns.alarms import create_alarm, create_dead_letter_queue_alarm
from patterns.compliance import acknowledge_all, skip_checkov
from patterns.keys import is_aws_managed, key_name
from patterns.naming import deployed_stack, physical_name
from patterns.policies import (
    allow_accounts_key_use_via,
    allow_service_key_use,
    service_statement,
)
from patterns.queue_with_dlq import (
    DEFAULT_DLQ_RETENTION,
    FIFO_SUFFIX,
    QUEUE_NAME_MAX_LENGTH,
    QueueOptions,
    QueueWithDeadLetterQueue,
)
from patterns.removal import KEY_PENDING_WINDOW, key_removal_policy
from patterns.validation import check_unique

SNS_PRINCIPAL = "sns.amazonaws.com"
# Filter policy constraints, as the SNS developer guide documents them.
FILTER_POLICY_MAX_KEYS = 5
FILTER_POLICY_MAX_COMBINATIONS = 150
# Default quota (adjustable): filter policies per topic. Beyond it, Subscribe calls fail.
FILTER_POLICIES_PER_TOPIC_QUOTA = 200
# Subscriptions per FIFO topic (a hard SNS limit).
FIFO_TOPIC_MAX_SUBSCRIPTIONS = 100
# Largest message SNS publishes (256 KiB); a smaller subscriber queue rejects the rest.
SNS_MAX_MESSAGE_BYTES = 262_144
# A topic policy statement names 1 to 200 principals.
MAX_PUBLISHER_ACCOUNTS = 200
TOPIC_NAME_MAX_LENGTH = 256
# CloudFormation quotas (hard): resources per template; template body uploaded through S3
# (nested stacks); parameters and outputs per template.
STACK_MAX_RESOURCES = 500
TEMPLATE_MAX_BYTES = 1_000_000
TEMPLATE_MAX_PARAMETERS = 200
TEMPLATE_MAX_OUTPUTS = 200
# The most resources one subscriber can cost: a new queue with its own key (11) and one spare.
MAX_RESOURCES_PER_SUBSCRIBER = 12
# Resources a nested stack of subscribers may hold. 45 subscribers of 10 resources fit; the
# margin keeps each template far below 1 MB (about 2 KB per resource with path metadata).
NESTED_STACK_RESOURCE_BUDGET = STACK_MAX_RESOURCES - MAX_RESOURCES_PER_SUBSCRIBER
# With nested_stacks=True, a subscriber without an explicit group goes to one of this many
# nested stacks, chosen by a hash of its ID alone (see nested_stack_id). The number is part of
# every subscriber's address: changing it would move (and so replace) most subscriber queues.
NESTED_STACK_GROUPS = 48
NESTED_STACK_PREFIX = "Subscribers"
_GROUP = re.compile(r"^[A-Za-z0-9]{1,32}$")
# Below this many resources of its own the fan-out does not count the rest of its stack.
_FULL_COUNT_THRESHOLD = 250
_RAW_PROTOCOLS = (
    sns.SubscriptionProtocol.SQS,
    sns.SubscriptionProtocol.HTTP,
    sns.SubscriptionProtocol.HTTPS,
    sns.SubscriptionProtocol.FIREHOSE,
)
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_AWS_MANAGED_ALIAS = re.compile(r"alias/aws/[A-Za-z0-9/_-]+")


class QueueSubscriber(Protocol):
    """What every queue subscriber of a fan-out exposes, new or existing queue."""

    @property
    def queue(self) -> sqs.IQueue: ...

    @property
    def subscription(self) -> sns.Subscription: ...

    @property
    def subscription_dead_letter_queue(self) -> sqs.Queue: ...

    @property
    def alarms(self) -> list[cloudwatch.Alarm]: ...


class SnsToSqsFanOut(Construct):
    """An encrypted SNS topic whose messages reach every subscribed queue, or a dead-letter queue.

    ``add_queue`` subscribes a new :class:`QueueWithDeadLetterQueue` (or an existing queue),
    ``add_subscription`` any other subscription class of ``aws_sns_subscriptions``. Every
    subscription gets a subscription dead-letter queue (SNS redrive policy) and an alarm.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic: sns.ITopic | None = None,
        fifo: bool = False,
        content_based_deduplication: bool = False,
        fifo_throughput_scope: sns.FifoThroughputScope | None = None,
        topic_name: str | None = None,
        display_name: str | None = None,
        encryption_key: kms.IKey | None = None,
        publisher_accounts: Sequence[str] = (),
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
        shared_subscription_dead_letter_queue: bool = False,
        nested_stacks: bool = False,
    ) -> None:
        """Define the topic (or adopt ``topic``), its key, policy and alarms.

        :param topic: An existing topic to fan out from. Its policy stays the owner's unless
            it is a ``sns.Topic`` of this app. Default: a new topic.
        :param fifo: Make a FIFO topic, whose queues are FIFO too. Must match ``topic.fifo``
            when ``topic`` is given. Default: ``False`` (a standard topic).
        :param content_based_deduplication: FIFO only: deduplicate on a SHA-256 of the
            body, so publishers need not send a deduplication ID. Default: ``False``.
        :param fifo_throughput_scope: FIFO only: ``TOPIC`` (3,000 messages/s, deduplication
            across the topic) or ``MESSAGE_GROUP`` (regional maximum, deduplication per
            message group). Default: not set, which SNS treats as ``TOPIC``.
        :param topic_name: Physical name of a new topic (``.fifo`` is appended for FIFO).
            Default: generated by CDK.
        :param display_name: Display name of a new topic. Default: none.
        :param encryption_key: A new topic: the customer-managed key to encrypt it with. An
            existing topic: its key, so ``grant_publish`` and ``allow_service_publish`` can
            grant it. Default: a new key with yearly rotation, retained on deletion (an
            existing topic: ``topic.master_key``). AWS-managed keys (``alias/aws/sns``) are
            refused: no AWS service could publish to the topic.
        :param publisher_accounts: Other AWS accounts (12-digit IDs) whose principals may
            publish (their own IAM policies must still allow ``sns:Publish``); they may use
            the topic key through SNS only. Default: none (only principals granted with
            ``grant_publish``).
        :param alarm_actions: Actions for every alarm of the fan-out, and the default for
            its queues. Default: none (the alarms are still created).
        :param shared_subscription_dead_letter_queue: Give all queue subscribers one
            subscription dead-letter queue (with one policy and one alarm) instead of one each,
            which saves 3 resources per subscriber. It is encrypted with SSE-SQS, so subscribers
            with a customer-managed key keep their own, under their key. The trade-off: the
            alarm no longer tells which subscriber SNS failed to reach. Default: ``False``.
        :param nested_stacks: Place the subscribers in nested stacks of at most
            ``NESTED_STACK_RESOURCE_BUDGET`` resources each, so a fan-out can outgrow the 500
            resources of one stack (1,000 subscribers and more). A subscriber's nested stack
            is a function of its own ID (one of ``NESTED_STACK_GROUPS``), or the ``group`` given
            to ``add_queue``: adding or removing a subscriber never moves another. Choose it
            when creating the fan-out: switching later moves, and so replaces, every
            subscriber queue. Default: ``False``: the subscribers live in the fan-out's stack,
            and ``add_queue`` raises ``ValueError`` when that stack would exceed 500 resources.
        """
        super().__init__(scope, construct_id)
        _validate_topic(
            topic=topic,
            fifo=fifo,
            content_based_deduplication=content_based_deduplication,
            fifo_throughput_scope=fifo_throughput_scope,
            topic_name=topic_name,
            display_name=display_name,
            encryption_key=encryption_key,
            publisher_accounts=publisher_accounts,
        )
        self._alarm_actions = tuple(alarm_actions)
        self._subscribers: list[QueueSubscriber] = []
        self._other_subscribers: list[ProtocolSubscriber] = []
        self._filter_policy_count = 0
        self._nested_stacks = nested_stacks
        self._subscriber_stacks: dict[str, NestedStack] = {}
        self._subscriber_stack_resources: dict[str, int] = {}
        self._subscriber_ids: set[str] = set()
        self._own_resources = 0
        self._shared_dead_letter_queue: sqs.Queue | None = None
        self._share_dead_letter_queue = shared_subscription_dead_letter_queue
        if not nested_stacks:
            self.node.add_validation(_StackSizeValidation(self))
        self.node.add_validation(_NoAwsManagedKeyValidation(self))

        if topic is None:
            self._encryption_key: kms.IKey | None = encryption_key or kms.Key(
                self,
                "EncryptionKey",
                description=f"Encrypts the topic of {self.node.path}",
                enable_key_rotation=True,
                # the topic is destroyed with the stack (it holds no messages at rest)
                removal_policy=key_removal_policy(RemovalPolicy.DESTROY),
                pending_window=KEY_PENDING_WINDOW,
            )
            self._topic: sns.ITopic = sns.Topic(
                self,
                "Topic",
                topic_name=topic_name,
                display_name=display_name,
                fifo=fifo or None,
                content_based_deduplication=content_based_deduplication or None,
                fifo_throughput_scope=fifo_throughput_scope,
                master_key=self._encryption_key,
                enforce_ssl=True,
            )
        else:
            self._topic = topic
            self._encryption_key = encryption_key or topic.master_key

        if publisher_accounts:
            self._allow_publisher_accounts(list(publisher_accounts))

        self._alarms: list[cloudwatch.Alarm] = [
            create_alarm(
                self,
                "FailedNotificationsAlarm",
                metric=self._topic.metric_number_of_notifications_failed(
                    period=Duration.minutes(5), statistic=cloudwatch.Stats.SUM
                ),
                threshold=1,
                description=(
                    f"SNS could not deliver messages of {self.node.path}; they wait in the "
                    "subscription dead-letter queues"
                ),
                actions=self._alarm_actions,
            ),
            create_alarm(
                self,
                "FailedToRedriveToDlqAlarm",
                metric=self._topic.metric(
                    "NumberOfNotificationsFailedToRedriveToDlq",
                    period=Duration.minutes(5),
                    statistic=cloudwatch.Stats.SUM,
                ),
                threshold=1,
                description=(
                    f"Messages of {self.node.path} could not be moved to a subscription "
                    "dead-letter queue: they are lost unless the cause is fixed"
                ),
                actions=self._alarm_actions,
            ),
            *(
                create_alarm(
                    self,
                    f"FilteredOut{reason}Alarm",
                    metric=self._topic.metric(
                        f"NumberOfNotificationsFilteredOut-{reason}",
                        period=Duration.minutes(5),
                        statistic=cloudwatch.Stats.SUM,
                    ),
                    threshold=1,
                    description=(
                        f"Messages of {self.node.path} reached no filtered subscriber because "
                        f"{what}: a publisher sends malformed messages, and SNS drops them "
                        "without a dead-letter queue"
                    ),
                    actions=self._alarm_actions,
                )
                for reason, what in (
                    ("InvalidAttributes", "their message attributes are not valid JSON"),
                    ("InvalidMessageBody", "their body is not valid JSON for a body filter"),
                )
            ),
        ]

    @property
    def topic(self) -> sns.ITopic:
        """The topic publishers send to: new, or the existing one that was passed in."""
        return self._topic

    @property
    def encryption_key(self) -> kms.IKey | None:
        """The topic's customer-managed key, or ``None`` for an existing topic without one."""
        return self._encryption_key

    @property
    def fifo(self) -> bool:
        """Whether the topic is a FIFO topic."""
        return self._topic.fifo

    @property
    def subscribers(self) -> list[QueueSubscriber]:
        """What ``add_queue`` returned, in order."""
        return list(self._subscribers)

    @property
    def subscriber_stacks(self) -> list[NestedStack]:
        """The nested stacks holding the subscribers (empty unless ``nested_stacks=True``).

        In the order they were first needed; each is named by :func:`nested_stack_id`.
        """
        return list(self._subscriber_stacks.values())

    @property
    def subscription_dead_letter_queue(self) -> sqs.IQueue | None:
        """The shared subscription DLQ (``None`` unless ``shared_subscription_dead_letter_queue``).

        Created with the first queue subscriber.
        """
        return self._shared_dead_letter_queue

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """Every alarm: the topic's, then each subscriber's (queue, DLQ, subscription DLQ)."""
        alarms = list(self._alarms)
        for subscriber in self._subscribers:
            alarms.extend(subscriber.alarms)
        for other in self._other_subscribers:
            alarms.extend(other.alarms)
        return alarms

    def add_to_dashboard(self, dashboard: cloudwatch.Dashboard) -> None:
        """Add this fan-out's section to ``dashboard``.

        The topic: published, delivered and failed; filtered out (and why); moved to or failed
        to reach a subscription DLQ. Each subscriber, one line each in graphs of up to 25
        subscribers: its backlog, the age of its oldest message, what its DLQ holds (failed
        processing) and what its subscription DLQ holds (undelivered). Then the topic's alarms
        with their thresholds; the per-subscriber alarms watch the lines of those graphs (the
        DLQ graphs draw their threshold, 1 message).
        """
        topic, total, maximum = self._topic, cloudwatch.Stats.SUM, cloudwatch.Stats.MAXIMUM

        def topic_metric(name: str, label: str) -> cloudwatch.Metric:
            return topic.metric(name, statistic=total, label=label)

        queue_label = "${PROP('Dim.QueueName')}"
        backlogs: list[cloudwatch.IMetric] = []
        ages: list[cloudwatch.IMetric] = []
        failed: list[cloudwatch.IMetric] = []
        undelivered: dict[str, cloudwatch.IMetric] = {}
        for subscriber in self._subscribers:
            queue = subscriber.queue
            backlogs.append(
                queue.metric_approximate_number_of_messages_visible(
                    statistic=maximum, label=queue_label
                )
            )
            ages.append(
                queue.metric_approximate_age_of_oldest_message(statistic=maximum, label=queue_label)
            )
            dead_letter_queue = getattr(subscriber, "dead_letter_queue", None)
            if dead_letter_queue is not None:
                failed.append(
                    dead_letter_queue.metric_approximate_number_of_messages_visible(
                        statistic=maximum, label=queue_label
                    )
                )
            dlq = subscriber.subscription_dead_letter_queue
            undelivered.setdefault(
                dlq.node.path,
                dlq.metric_approximate_number_of_messages_visible(
                    statistic=maximum, label=queue_label
                ),
            )
        widgets: list[cloudwatch.IWidget] = [
            dashboards.graph(
                "Notifications (per minute)",
                [
                    topic_metric("NumberOfMessagesPublished", "published"),
                    topic_metric("NumberOfNotificationsDelivered", "delivered"),
                    topic_metric("NumberOfNotificationsFailed", "failed"),
                ],
            ),
            dashboards.graph(
                "Filtered out (per minute)",
                [
                    topic_metric("NumberOfNotificationsFilteredOut", "no match"),
                    topic_metric(
                        "NumberOfNotificationsFilteredOut-InvalidAttributes", "bad attributes"
                    ),
                    topic_metric("NumberOfNotificationsFilteredOut-InvalidMessageBody", "bad body"),
                    topic_metric(
                        "NumberOfNotificationsFilteredOut-NoMessageAttributes", "no attributes"
                    ),
                ],
            ),
            dashboards.graph(
                "Subscription dead-letter queues (per minute)",
                [
                    topic_metric("NumberOfNotificationsRedrivenToDlq", "moved to a DLQ"),
                    topic_metric("NumberOfNotificationsFailedToRedriveToDlq", "lost: DLQ failed"),
                ],
            ),
        ]
        for title, metrics, thresholds in (
            ("Subscriber backlog (messages)", backlogs, []),
            ("Subscriber oldest message (seconds)", ages, []),
            ("Failed processing: subscriber DLQs (messages)", failed, [(1, "alarm")]),
            (
                "Undelivered: subscription DLQs (messages)",
                list(undelivered.values()),
                [(1, "alarm")],
            ),
        ):
            for group in dashboards.chunks(metrics):
                widgets.append(dashboards.graph(title, group, thresholds=thresholds))
        widgets.extend(dashboards.alarm_graphs(self._alarms))
        dashboards.section(
            dashboard,
            f"Fan-out {self.node.path}",
            f"Topic and {len(self._subscribers)} queue subscribers.",
            widgets,
        )

    def grant_publish(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` publish to the topic (and use its key to encrypt)."""
        grant = self._topic.grant_publish(grantee)
        if self._encryption_key is not None and self._topic.master_key is None:
            self._encryption_key.grant(grantee, "kms:Decrypt", "kms:GenerateDataKey*")
        return grant

    def allow_service_publish(
        self, service_principal: str, *, source_arn: str, source_account: str
    ) -> None:
        """Let an AWS service publish on behalf of one resource (e.g. S3 for one bucket).

        Adds a topic-policy statement conditioned on ``aws:SourceArn`` and
        ``aws:SourceAccount`` and, with a customer-managed key, the matching key-policy
        statement (``kms:GenerateDataKey*``, ``kms:Decrypt``) under the same conditions.
        Raises ``ValueError`` when the topic or key is imported: its policy cannot be changed
        here, and the service's messages would be dropped.
        """
        result = self._topic.add_to_resource_policy(
            service_statement(
                service_principal,
                actions=["sns:Publish"],
                resources=[self._topic.topic_arn],
                source_arn=source_arn,
                source_account=source_account,
            )
        )
        if not result.statement_added:
            raise ValueError(
                f"allow_service_publish({service_principal!r}) needs a topic this app owns; "
                f"the policy of the imported topic {self._topic.node.path} cannot be changed "
                "here. Add the statement where the topic is defined"
            )
        if self._encryption_key is not None:
            key_result = allow_service_key_use(
                self._encryption_key,
                service_principal,
                source_arn=source_arn,
                source_account=source_account,
            )
            if not key_result.statement_added:
                raise ValueError(
                    f"allow_service_publish({service_principal!r}) needs a key this app owns; "
                    "the policy of the imported topic key cannot be changed here, and "
                    f"{service_principal} could not encrypt its messages"
                )

    @overload
    def add_queue(
        self,
        construct_id: str,
        *,
        queue: None = None,
        filter_policy: Mapping[str, sns.SubscriptionFilter] | None = None,
        filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None = None,
        raw_message_delivery: bool = False,
        allow_standard_queue_on_fifo_topic: bool = False,
        group: str | None = None,
        **queue_options: Unpack[QueueOptions],
    ) -> FanOutQueue: ...

    @overload
    def add_queue(
        self,
        construct_id: str,
        *,
        queue: sqs.IQueue,
        filter_policy: Mapping[str, sns.SubscriptionFilter] | None = None,
        filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None = None,
        raw_message_delivery: bool = False,
        allow_standard_queue_on_fifo_topic: bool = False,
        group: str | None = None,
    ) -> ExistingQueueSubscriber: ...

    def add_queue(
        self,
        construct_id: str,
        *,
        queue: sqs.IQueue | None = None,
        filter_policy: Mapping[str, sns.SubscriptionFilter] | None = None,
        filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None = None,
        raw_message_delivery: bool = False,
        allow_standard_queue_on_fifo_topic: bool = False,
        group: str | None = None,
        **queue_options: Unpack[QueueOptions],
    ) -> FanOutQueue | ExistingQueueSubscriber:
        """Subscribe a queue: a new one with its DLQ (the default) or an existing ``queue``.

        :param construct_id: ID of the subscriber under this fan-out; unique per fan-out.
        :param queue: An existing queue to subscribe instead of a new one. Its policy and key
            policy are extended when this app owns them; otherwise a warning names what the
            owner must add. A queue of another stack of the app is subscribed from that stack
            (as ``aws_sns_subscriptions.SqsSubscription`` does), so no cycle arises.
            Default: a new :class:`QueueWithDeadLetterQueue`.
        :param filter_policy: Deliver only messages whose attributes match (at most 5 keys
            and 150 combinations). Default: every message.
        :param filter_policy_with_message_body: Deliver only messages whose JSON body
            matches (same limits, leaf keys counted). Not with ``filter_policy``.
            Default: every message.
        :param raw_message_delivery: Deliver the message body as published, without the SNS
            JSON envelope; attributes become SQS message attributes. Default: ``False``.
        :param allow_standard_queue_on_fifo_topic: Let a standard queue subscribe to a FIFO
            topic, giving up ordering and exactly-once delivery. Default: ``False``.
        :param group: With ``nested_stacks=True``: place the subscriber in the nested stack
            ``Subscribers<group>`` (1 to 32 letters and digits), for example when the nested
            stack its ID hashes to is full. Never change it for a deployed subscriber: that
            moves, and so replaces, its queues. Default: the nested stack chosen by a hash of
            ``construct_id`` (:func:`nested_stack_id`).
        :param queue_options: Options of :class:`QueueWithDeadLetterQueue` for a new queue;
            ``fifo`` follows the topic and ``alarm_actions`` the fan-out's unless given.
        :returns: A :class:`FanOutQueue` (a ``QueueWithDeadLetterQueue`` with ``subscription``
            and ``subscription_dead_letter_queue``) for a new queue, an
            :class:`ExistingQueueSubscriber` (``queue``, ``subscription``,
            ``subscription_dead_letter_queue``, ``alarms``) for an existing one.
        """
        topic_fifo = self._topic.fifo
        if queue is None:
            queue_fifo = queue_options.get(
                "fifo", topic_fifo and not allow_standard_queue_on_fifo_topic
            )
        else:
            queue_fifo = queue.fifo
        self._validate_subscriber(
            construct_id=construct_id,
            queue=queue,
            queue_fifo=queue_fifo,
            filter_policy=filter_policy,
            filter_policy_with_message_body=filter_policy_with_message_body,
            allow_standard_queue_on_fifo_topic=allow_standard_queue_on_fifo_topic,
            group=group,
            queue_options=queue_options,
        )
        subscription_options = _SubscriptionOptions(
            topic=self._topic,
            filter_policy=filter_policy,
            filter_policy_with_message_body=filter_policy_with_message_body,
            raw_message_delivery=raw_message_delivery,
            dead_letter_queue=(
                None
                if _uses_own_key(queue, queue_options)
                else self._shared_subscription_dead_letter_queue()
            ),
        )
        scope, scope_id, stack_id = self._placement(construct_id, queue, group)
        subscriber: FanOutQueue | ExistingQueueSubscriber
        if queue is None:
            options: QueueOptions = {"alarm_actions": self._alarm_actions, **queue_options}
            options["fifo"] = queue_fifo
            subscriber = FanOutQueue(
                scope, construct_id, subscription=subscription_options, **options
            )
        else:
            subscriber = ExistingQueueSubscriber(
                scope,
                scope_id,
                queue=queue,
                subscription=subscription_options,
                alarm_actions=self._alarm_actions,
            )
        self._subscribers.append(subscriber)
        self._subscriber_ids.add(construct_id)
        if scope is self or stack_id is not None:  # not in a queue's other stack
            self._count_resources(construct_id, subscriber, stack_id)
        if filter_policy or filter_policy_with_message_body:
            self._count_filter_policy()
        return subscriber

    def add_subscription(
        self, construct_id: str, subscription: sns.ITopicSubscription
    ) -> ProtocolSubscriber:
        """Add any other subscription (Lambda, HTTPS, email, email-JSON, SMS) with its own DLQ.

        ``subscription`` is an ``aws_sns_subscriptions`` object, e.g.
        ``subs.LambdaSubscription(fn)``. Unless it names a ``dead_letter_queue`` itself, a new
        encrypted subscription dead-letter queue, its policy and an alarm are added, so what
        SNS cannot deliver after its retries is kept for 14 days. Queues go through
        ``add_queue``; FIFO topics deliver to SQS only.
        """
        self._check_new_child("construct_id", construct_id)
        subscriber = ProtocolSubscriber(
            self,
            construct_id,
            topic=self._topic,
            subscription=subscription,
            alarm_actions=self._alarm_actions,
        )
        self._other_subscribers.append(subscriber)
        return subscriber

    # --- internals -------------------------------------------------------------------

    def _placement(
        self, construct_id: str, queue: sqs.IQueue | None, group: str | None
    ) -> tuple[Construct, str, str | None]:
        """Where a subscriber goes: its scope, its ID there and its nested stack's ID.

        A queue of another top-level stack gets its subscriber in that stack, under the
        queue (as ``SqsSubscription`` does): the subscription, policies and ``DependsOn``
        then reference the topic's stack, never the other way round. Otherwise the
        subscriber goes to this construct, or to the nested stack :func:`nested_stack_id`
        names: a function of the subscriber's own ID (or group), never of the others.
        """
        if queue is not None:
            self._check_key_stack(construct_id, queue)
        if queue is not None and deployed_stack(queue).node.path != deployed_stack(self).node.path:
            self._check_cross_stack(construct_id, queue)
            # an IQueue is a construct (SqsSubscription relies on the same)
            scope = cast(Construct, queue)
            return scope, f"{Names.node_unique_id(self.node)}{construct_id}", None
        if not self._nested_stacks:
            return self, construct_id, None
        stack_id = nested_stack_id(construct_id, group)
        if stack_id not in self._subscriber_stacks:
            nested = NestedStack(
                self, stack_id, description=f"Subscribers of {self.node.path} ({stack_id})"
            )
            self._subscriber_stacks[stack_id] = nested
            self._subscriber_stack_resources[stack_id] = 0
            self.node.add_validation(_StackSizeValidation(self, nested))
        return self._subscriber_stacks[stack_id], construct_id, stack_id

    def _check_key_stack(self, construct_id: str, queue: sqs.IQueue) -> None:
        """Refuse a queue key of another stack whose policy could not name the topic.

        The key policy statement for SNS references the topic, so the key's stack comes to
        depend on the topic's. That is a cycle when the topic's stack already depends on the
        key's: because the queue, in the topic's stack, refers to the key, or explicitly.
        """
        key = queue.encryption_master_key
        if not isinstance(key, kms.Key):
            return  # imported (warned about) or none
        key_root, topic_root = deployed_stack(key), deployed_stack(self._topic)
        if key_root.node.path == topic_root.node.path:
            return
        queue_in_topic_stack = deployed_stack(queue).node.path == topic_root.node.path
        if queue_in_topic_stack or _depends_on(topic_root, key_root):
            how = "the queue refers to it" if queue_in_topic_stack else "add_dependency"
            raise ValueError(
                f"add_queue({construct_id!r}, queue=...): the key {key.node.path} of queue "
                f"{queue.node.path} is in stack {key_root.stack_name}, and "
                f"{topic_root.stack_name} already uses it ({how}), while the key policy must "
                f"name the topic of {topic_root.stack_name}: that would be a cycle. Create the "
                f"key in stack {topic_root.stack_name}, or the queue in stack "
                f"{key_root.stack_name}"
            )

    def _check_cross_stack(self, construct_id: str, queue: sqs.IQueue) -> None:
        """Refuse, naming the fix, a queue of another stack that cannot reference the topic."""
        queue_stack = Stack.of(queue)
        subject = f"add_queue({construct_id!r}, queue=...): queue {queue.node.path}"
        queue_stage = Stage.of(queue)
        for stack in (Stack.of(self), Stack.of(self._topic)):
            stage = Stage.of(stack)
            other_stage = (
                stage is not None
                and queue_stage is not None
                and stage.node.path != queue_stage.node.path
            )
            if other_stage:
                assert queue_stage is not None
                raise ValueError(
                    f"{subject} is in another stage ({queue_stage.node.path or 'the app'}) "
                    f"than the topic's stack {stack.node.path}; CloudFormation references "
                    "cannot cross stages. Subscribe it from a fan-out in its own stage, or "
                    "import it with sqs.Queue.from_queue_attributes and let its owner admit "
                    "the topic"
                )
            for attribute in ("account", "region"):
                mine, theirs = getattr(stack, attribute), getattr(queue_stack, attribute)
                resolved = not Token.is_unresolved(mine) and not Token.is_unresolved(theirs)
                if resolved and mine != theirs:
                    raise ValueError(
                        f"{subject} is in {attribute} {theirs} (stack {queue_stack.stack_name}), "
                        f"the topic's stack {stack.stack_name} in {mine}; CloudFormation "
                        "references cannot cross accounts or Regions. Import the queue with "
                        f"sqs.Queue.from_queue_attributes in {stack.stack_name} (its owner "
                        "then admits the topic, as the warning says)"
                    )
            if _depends_on(deployed_stack(stack), deployed_stack(queue)):
                raise ValueError(
                    f"{subject} is in stack {queue_stack.stack_name}, where its subscription "
                    f"must reference the topic of stack {stack.stack_name}; but "
                    f"{stack.stack_name} already depends on {queue_stack.stack_name} "
                    "(add_dependency), so that would be a cycle. Remove the dependency, or "
                    f"define the queue in a stack that {stack.stack_name} does not depend on"
                )

    def _count_resources(
        self, construct_id: str, subscriber: Construct, stack_id: str | None
    ) -> None:
        """Track the resources subscribers add; refuse to overfill a stack or nested stack."""
        added = _resource_count(subscriber)
        if stack_id is not None:
            total = self._subscriber_stack_resources[stack_id] + added
            self._subscriber_stack_resources[stack_id] = total
            if total > NESTED_STACK_RESOURCE_BUDGET:
                raise ValueError(
                    f"subscriber {construct_id!r} brings nested stack "
                    f"{self._subscriber_stacks[stack_id].node.path} to {total} resources; a "
                    f"nested stack of subscribers holds at most {NESTED_STACK_RESOURCE_BUDGET}. "
                    "Pass group='<name>' to add_queue to place this subscriber (and later ones) "
                    "in a new nested stack; leave the deployed subscribers where they are "
                    "(moving one replaces its queues)"
                )
            return
        self._own_resources += added
        if self._own_resources < _FULL_COUNT_THRESHOLD:
            return
        stack = Stack.of(self)
        total = _resource_count(stack)
        if total > STACK_MAX_RESOURCES:
            raise ValueError(
                f"subscriber {construct_id!r} brings stack {stack.stack_name} to {total} "
                f"resources ({len(self._subscribers)} subscribers of {self.node.path}); "
                f"CloudFormation allows {STACK_MAX_RESOURCES} per stack. Pass "
                "SnsToSqsFanOut(nested_stacks=True) to place the subscribers in nested stacks, "
                "or shared_subscription_dead_letter_queue=True to save 3 resources each"
            )

    def _shared_subscription_dead_letter_queue(self) -> sqs.Queue | None:
        """The fan-out's shared subscription DLQ, created on first use (or ``None``)."""
        if not self._share_dead_letter_queue:
            return None
        if self._shared_dead_letter_queue is None:
            # SSE-SQS: the topic key cannot admit SNS for this topic without a circular
            # reference (key policy -> topic ARN -> key), and SNS can always write SSE-SQS.
            self._shared_dead_letter_queue = _new_subscription_dead_letter_queue(
                self, self._topic, key=None, removal_policy=RemovalPolicy.DESTROY
            )
            self._alarms.append(
                _subscription_dlq_alarm(self, self._shared_dead_letter_queue, self._alarm_actions)
            )
        return self._shared_dead_letter_queue

    def _allow_publisher_accounts(self, accounts: list[str]) -> None:
        result = self._topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowPublishFromNamedAccounts",
                principals=[iam.AccountPrincipal(account) for account in accounts],
                actions=["sns:Publish"],
                resources=[self._topic.topic_arn],
            )
        )
        if not result.statement_added:
            raise ValueError(
                "publisher_accounts needs a topic whose policy this app owns; the policy of an "
                "imported topic cannot be changed here. Grant the accounts where it is defined"
            )
        if self._encryption_key is not None:
            key_result = allow_accounts_key_use_via(
                self._encryption_key, accounts, service="sns", scope=self
            )
            if not key_result.statement_added:
                raise ValueError(
                    "publisher_accounts needs a topic key whose policy this app owns; the "
                    "accounts could not encrypt their messages with an imported key"
                )

    def _check_new_child(self, argument: str, construct_id: str) -> None:
        if self._nested_stacks and construct_id.startswith(NESTED_STACK_PREFIX):
            raise ValueError(
                f"{argument} {construct_id!r} is reserved for the nested stacks of "
                f"{self.node.path} (nested_stacks=True); choose another ID"
            )
        if construct_id in self._subscriber_ids or self.node.try_find_child(construct_id):
            raise ValueError(
                f"{argument} {construct_id!r} is already used in {self.node.path}; each "
                "subscriber needs its own ID (and 'Topic', 'EncryptionKey' and the alarm IDs "
                "are taken)"
            )

    def _count_filter_policy(self) -> None:
        self._filter_policy_count += 1
        if self._filter_policy_count == FILTER_POLICIES_PER_TOPIC_QUOTA + 1:
            Annotations.of(self).add_warning_v2(
                "patterns:FilterPolicyQuota",
                f"{self._filter_policy_count} subscriptions of {self.node.path} have filter "
                f"policies; SNS allows {FILTER_POLICIES_PER_TOPIC_QUOTA} per topic by default "
                "and rejects the rest unless the quota is raised (Service Quotas)",
            )

    def _validate_subscriber(
        self,
        *,
        construct_id: str,
        queue: sqs.IQueue | None,
        queue_fifo: bool,
        filter_policy: Mapping[str, sns.SubscriptionFilter] | None,
        filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None,
        allow_standard_queue_on_fifo_topic: bool,
        group: str | None,
        queue_options: QueueOptions,
    ) -> None:
        # Raw delivery needs no check here: an SQS subscription carries every option with it.
        self._check_new_child("construct_id", construct_id)
        if group is not None and not self._nested_stacks:
            raise ValueError(
                f"group {group!r} applies with nested_stacks=True only: it names the nested "
                "stack of the subscriber. Drop it, or create the fan-out with nested_stacks=True"
            )
        if group is not None and not _GROUP.match(group):
            raise ValueError(
                f"group {group!r} must be 1 to 32 letters and digits: it ends the ID of the "
                f"nested stack ({NESTED_STACK_PREFIX}<group>)"
            )
        topic_fifo = self._topic.fifo
        if queue is not None and queue_options:
            raise ValueError(
                f"{', '.join(sorted(queue_options))} configure a new queue and cannot be "
                "combined with queue; set them on the existing queue or drop queue"
            )
        if queue_fifo and not topic_fifo:
            raise ValueError(
                f"subscriber {construct_id!r} is a FIFO queue but the topic is standard: SNS "
                "delivers to FIFO queues from FIFO topics only. Use SnsToSqsFanOut(fifo=True) "
                "or a standard queue"
            )
        if topic_fifo and not queue_fifo and not allow_standard_queue_on_fifo_topic:
            raise ValueError(
                f"subscriber {construct_id!r} is a standard queue on a FIFO topic: it would "
                "lose ordering and deduplication. Pass allow_standard_queue_on_fifo_topic=True "
                "to accept that"
            )
        if allow_standard_queue_on_fifo_topic and not topic_fifo:
            raise ValueError(
                "allow_standard_queue_on_fifo_topic=True applies to FIFO topics only; the "
                "topic is standard, so drop it"
            )
        if topic_fifo and len(self._subscribers) >= FIFO_TOPIC_MAX_SUBSCRIPTIONS:
            raise ValueError(
                f"subscriber {construct_id!r} would be subscription "
                f"{len(self._subscribers) + 1} of a FIFO topic; SNS allows at most "
                f"{FIFO_TOPIC_MAX_SUBSCRIPTIONS} subscriptions per FIFO topic"
            )
        size = queue_options.get("max_message_size_bytes")
        if size is not None and not Token.is_unresolved(size) and size < SNS_MAX_MESSAGE_BYTES:
            raise ValueError(
                f"max_message_size_bytes must be at least {SNS_MAX_MESSAGE_BYTES} bytes for a "
                f"subscriber queue, got {size}: SNS publishes messages up to 256 KiB and the "
                "queue would reject the larger ones"
            )
        if queue is not None:
            _check_queue_key_usable(queue)
        new_key = queue_options.get("encryption_key")
        if new_key is not None and is_aws_managed(new_key):
            raise ValueError(
                f"encryption_key {key_name(new_key)!r} of subscriber {construct_id!r} is an "
                "AWS-managed key, whose policy cannot admit SNS: every message to the queue and "
                "its subscription dead-letter queue would be lost. Pass a customer-managed key, "
                "or drop encryption_key for SSE-SQS"
            )
        validate_filter_policies(filter_policy, filter_policy_with_message_body)


class _SubscriptionOptions:
    """The per-subscriber subscription settings that ``add_queue`` passes to a subscriber."""

    def __init__(
        self,
        *,
        topic: sns.ITopic,
        filter_policy: Mapping[str, sns.SubscriptionFilter] | None,
        filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None,
        raw_message_delivery: bool,
        dead_letter_queue: sqs.Queue | None = None,
    ) -> None:
        self.topic = topic
        self.filter_policy = filter_policy
        self.filter_policy_with_message_body = filter_policy_with_message_body
        self.raw_message_delivery = raw_message_delivery
        self.dead_letter_queue = dead_letter_queue


class FanOutQueue(QueueWithDeadLetterQueue):
    """A subscriber queue of a fan-out: a :class:`QueueWithDeadLetterQueue` plus its subscription.

    Created by :meth:`SnsToSqsFanOut.add_queue`. Besides the queue, its DLQ and their alarms,
    it holds the subscription and the subscription dead-letter queue that keeps what SNS
    could not deliver.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        subscription: _SubscriptionOptions,
        **queue_options: Unpack[QueueOptions],
    ) -> None:
        super().__init__(scope, construct_id, **queue_options)
        parts = _subscribe_queue(
            self,
            queue=self.queue,
            queue_key=self.encryption_key,
            dead_letter_queue_key=self.encryption_key,
            options=subscription,
            alarm_actions=queue_options.get("alarm_actions", ()),
            removal_policy=queue_options.get("removal_policy", RemovalPolicy.DESTROY),
        )
        if not parts.key_policy_added and self.encryption_key is not None:
            _warn_imported_key(self, self.encryption_key, self.queue, subscription.topic)
        self._subscription_dead_letter_queue = parts.dead_letter_queue
        self._subscription = parts.subscription
        if parts.alarm is not None:
            self._alarms.append(parts.alarm)

    @property
    def subscription(self) -> sns.Subscription:
        """The SNS subscription of the queue (created after the queue policy that admits SNS)."""
        return self._subscription

    @property
    def subscription_dead_letter_queue(self) -> sqs.Queue:
        """Where SNS puts messages it could not deliver to the queue (kept 14 days)."""
        return self._subscription_dead_letter_queue

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """The queue's alarms and the subscription dead-letter queue's alarm."""
        return list(self._alarms)


class ExistingQueueSubscriber(Construct):
    """An existing queue subscribed to a fan-out, with its subscription dead-letter queue.

    Created by :meth:`SnsToSqsFanOut.add_queue` with ``queue=``. Exposes ``queue``,
    ``subscription``, ``subscription_dead_letter_queue`` (new, SSE-SQS) and ``alarms``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queue: sqs.IQueue,
        subscription: _SubscriptionOptions,
        alarm_actions: Sequence[cloudwatch.IAlarmAction],
    ) -> None:
        super().__init__(scope, construct_id)
        self._queue = queue
        parts = _subscribe_queue(
            self,
            queue=queue,
            queue_key=queue.encryption_master_key,
            dead_letter_queue_key=None,
            options=subscription,
            alarm_actions=alarm_actions,
            removal_policy=RemovalPolicy.DESTROY,
        )
        if not parts.queue_policy_added:
            Annotations.of(self).add_warning_v2(
                "patterns:ImportedQueuePolicy",
                f"The policy of imported queue {queue.node.path} cannot be changed here: its "
                "owner must allow sns.amazonaws.com sqs:SendMessage with aws:SourceArn = the "
                "topic ARN, or SNS moves every message to the subscription dead-letter queue",
            )
        if not parts.key_policy_added and queue.encryption_master_key is not None:
            _warn_imported_key(self, queue.encryption_master_key, queue, subscription.topic)
        self._subscription_dead_letter_queue = parts.dead_letter_queue
        self._subscription = parts.subscription
        self._alarms = [parts.alarm] if parts.alarm is not None else []

    @property
    def queue(self) -> sqs.IQueue:
        """The existing queue that was subscribed."""
        return self._queue

    @property
    def subscription(self) -> sns.Subscription:
        """The SNS subscription of the queue."""
        return self._subscription

    @property
    def subscription_dead_letter_queue(self) -> sqs.Queue:
        """Where SNS puts messages it could not deliver to the queue (kept 14 days)."""
        return self._subscription_dead_letter_queue

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """The subscription dead-letter queue's alarm."""
        return list(self._alarms)


class ProtocolSubscriber(Construct):
    """A non-SQS subscription (Lambda, HTTPS, email, SMS) with its subscription DLQ and alarm."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic: sns.ITopic,
        subscription: sns.ITopicSubscription,
        alarm_actions: Sequence[cloudwatch.IAlarmAction],
    ) -> None:
        super().__init__(scope, construct_id)
        wrapper = _WithDeadLetterQueue(subscription)
        config = wrapper.inner_config(topic)
        if config.protocol == sns.SubscriptionProtocol.SQS:
            raise ValueError(
                "subscription is an SQS subscription: use add_queue, which also sets the "
                "queue policy, key policy and subscription dead-letter queue"
            )
        if topic.fifo:
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
        self._alarms: list[cloudwatch.Alarm] = []
        if config.dead_letter_queue is None:
            dead_letter_queue: sqs.IQueue = _new_subscription_dead_letter_queue(
                self, topic, key=None, removal_policy=RemovalPolicy.DESTROY
            )
            self._alarms.append(_subscription_dlq_alarm(self, dead_letter_queue, alarm_actions))
        else:
            dead_letter_queue = config.dead_letter_queue
            _check_queue_key_usable(dead_letter_queue)
            _admit_topic(self, dead_letter_queue, topic)
        self._subscription_dead_letter_queue = dead_letter_queue
        # The wrapper binds without the DLQ: sns.Subscription would add its own statement,
        # without aws:SourceAccount, to the DLQ's policy. The redrive policy is set here.
        self._subscription = topic.add_subscription(wrapper)
        cfn_subscription = self._subscription.node.default_child
        assert isinstance(cfn_subscription, sns.CfnSubscription)
        cfn_subscription.redrive_policy = {"deadLetterTargetArn": dead_letter_queue.queue_arn}
        if isinstance(dead_letter_queue, sqs.Queue):
            _depend_on_policy(self._subscription, dead_letter_queue)

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


@jsii.implements(IValidation)
class _StackSizeValidation:
    """At synth: the fan-out's stack (or one of its nested stacks) holds at most 500 resources.

    Checked over the final tree, whatever added the resources.
    """

    def __init__(self, fan_out: SnsToSqsFanOut, nested: NestedStack | None = None) -> None:
        self._fan_out = fan_out
        self._nested = nested

    def validate(self) -> list[str]:
        stack = self._nested or Stack.of(self._fan_out)
        total = _resource_count(stack)
        if total <= STACK_MAX_RESOURCES:
            return []
        if self._nested is not None:
            return [
                f"nested stack {stack.node.path} holds {total} resources; CloudFormation allows "
                f"{STACK_MAX_RESOURCES} per stack. Place further subscribers with "
                "add_queue(..., group='<name>') in a new nested stack"
            ]
        return [
            f"stack {stack.stack_name} holds {total} resources; CloudFormation allows "
            f"{STACK_MAX_RESOURCES} per stack. Pass SnsToSqsFanOut(nested_stacks=True) to "
            f"{self._fan_out.node.path} to place its subscribers in nested stacks"
        ]


@jsii.implements(IValidation)
class _NoAwsManagedKeyValidation:
    """At synth: no AWS-managed key on the topic or on a queue SNS writes to.

    Checked over the final tree because the L2 objects are exposed: setting
    ``queue.node.default_child.kms_master_key_id = "alias/aws/sqs"`` after construction
    would make SNS drop every message for that queue.
    """

    def __init__(self, fan_out: SnsToSqsFanOut) -> None:
        self._fan_out = fan_out

    def validate(self) -> list[str]:
        fan_out = self._fan_out
        written: list[sqs.IQueue] = []
        for subscriber in fan_out.subscribers:
            written += [subscriber.queue, subscriber.subscription_dead_letter_queue]
        for other in fan_out._other_subscribers:
            written.append(other.subscription_dead_letter_queue)
        if fan_out.subscription_dead_letter_queue is not None:
            written.append(fan_out.subscription_dead_letter_queue)
        errors = []
        topic_alias = _aws_managed_alias(fan_out.topic)
        if topic_alias is not None:
            errors.append(
                f"topic {fan_out.topic.node.path} is encrypted with the AWS-managed key "
                f"{topic_alias}, whose policy cannot admit AWS services or other accounts: "
                "encrypt it with a customer-managed key"
            )
        seen: set[str] = set()
        for queue in written:
            if queue.node.path in seen:
                continue
            seen.add(queue.node.path)
            alias = _aws_managed_alias(queue) or _declared_alias(queue)
            if alias is not None:
                errors.append(
                    f"queue {queue.node.path} is encrypted with the AWS-managed key {alias}, "
                    "whose policy cannot admit SNS: every message SNS sends there is lost. "
                    "Use SSE-SQS or a customer-managed key"
                )
        return errors


def _aws_managed_alias(resource: IConstruct) -> str | None:
    """The AWS-managed alias a queue or topic of this app is encrypted with (final state)."""
    cfn = resource.node.default_child
    if not isinstance(cfn, sqs.CfnQueue | sns.CfnTopic):
        return None
    found = _AWS_MANAGED_ALIAS.search(json.dumps(Stack.of(cfn).resolve(cfn.kms_master_key_id)))
    return found.group(0) if found else None


def _declared_alias(queue: sqs.IQueue) -> str | None:
    """The AWS-managed key an imported queue was declared with, or ``None``."""
    if queue.encryption_type == sqs.QueueEncryption.KMS_MANAGED:
        return "alias/aws/sqs"
    key = queue.encryption_master_key
    return key_name(key) if key is not None and is_aws_managed(key) else None


@jsii.implements(sns.ITopicSubscription)
class _WithDeadLetterQueue:
    """Wraps a subscription so that it binds once, and without its dead-letter queue.

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


# --- shared helpers --------------------------------------------------------------------


def _depend_on_policy(subscription: sns.Subscription, queue: sqs.Queue) -> None:
    """Create ``subscription`` only after the policy that lets SNS write to ``queue``."""
    policy = queue.node.try_find_child("Policy")
    if isinstance(policy, sqs.QueuePolicy):
        subscription.node.add_dependency(policy)


def _admit_topic(scope: Construct, queue: sqs.IQueue, topic: sns.ITopic) -> None:
    """Let ``topic`` (only) write to a DLQ that was passed in, or say what its owner must add."""
    added = queue.add_to_resource_policy(_sns_send_statement(topic, queue.queue_arn))
    if not added.statement_added:
        Annotations.of(scope).add_warning_v2(
            "patterns:ImportedQueuePolicy",
            f"The policy of imported queue {queue.node.path} cannot be changed here: its owner "
            "must allow sns.amazonaws.com sqs:SendMessage with aws:SourceArn = the topic ARN "
            "and aws:SourceAccount = its account, or SNS drops what it could not deliver",
        )
    key = queue.encryption_master_key
    if key is not None:
        key_added = allow_service_key_use(
            key, SNS_PRINCIPAL, source_arn=topic.topic_arn, source_account=topic.env.account
        ).statement_added
        if not key_added:
            _warn_imported_key(scope, key, queue, topic)


def _warn_imported_key(
    scope: Construct, key: kms.IKey, queue: sqs.IQueue, topic: sns.ITopic
) -> None:
    """Name the key-policy statement the owner of an imported key must add for SNS."""
    topic_arn = topic.topic_arn
    account = topic.env.account
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": SNS_PRINCIPAL},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {
            "ArnEquals": {
                "aws:SourceArn": (
                    f"<ARN of topic {topic.node.path}>"
                    if Token.is_unresolved(topic_arn)
                    else topic_arn
                )
            },
            "StringEquals": {
                "aws:SourceAccount": (
                    "<account of the topic>" if Token.is_unresolved(account) else account
                )
            },
        },
    }
    Annotations.of(scope).add_warning_v2(
        "patterns:ImportedKeyPolicy",
        f"The key {key.node.path} of queue {queue.node.path} is imported, so its key policy "
        "cannot be changed here: its owner must add this statement, or SNS cannot encrypt for "
        "the queue (nor its subscription dead-letter queue, under the same key) and every "
        f"message is lost: {json.dumps(statement)}",
    )


def _sns_send_statement(topic: sns.ITopic, queue_arn: str) -> iam.PolicyStatement:
    return service_statement(
        SNS_PRINCIPAL,
        actions=["sqs:SendMessage"],
        resources=[queue_arn],
        source_arn=topic.topic_arn,
        source_account=topic.env.account,
    )


def _new_subscription_dead_letter_queue(
    scope: Construct, topic: sns.ITopic, *, key: kms.IKey | None, removal_policy: RemovalPolicy
) -> sqs.Queue:
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
    dead_letter_queue.add_to_resource_policy(
        _sns_send_statement(topic, dead_letter_queue.queue_arn)
    )
    acknowledge_all(
        dead_letter_queue,
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
    if key is None:
        skip_checkov(
            dead_letter_queue.node.default_child,  # type: ignore[arg-type]
            "CKV_AWS_27",
            "Encrypted at rest with SSE-SQS (SqsManagedSseEnabled: true); CKV_AWS_27 only "
            "recognises KmsMasterKeyId. SNS can always write to SSE-SQS queues.",
        )
    return dead_letter_queue


def _subscription_dlq_alarm(
    scope: Construct, dead_letter_queue: sqs.IQueue, actions: Sequence[cloudwatch.IAlarmAction]
) -> cloudwatch.Alarm:
    return create_dead_letter_queue_alarm(
        scope,
        "SubscriptionDeadLetterQueueNotEmptyAlarm",
        queue=dead_letter_queue,
        description=(
            f"SNS could not deliver messages to {scope.node.path}; they wait in its "
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
    options: _SubscriptionOptions,
    alarm_actions: Sequence[cloudwatch.IAlarmAction],
    removal_policy: RemovalPolicy,
) -> _SubscribedQueue:
    """Admit the topic to ``queue`` (and its key), add a subscription DLQ, then subscribe."""
    topic = options.topic
    policy_result = queue.add_to_resource_policy(_sns_send_statement(topic, queue.queue_arn))
    key_added = True
    if queue_key is not None:
        key_added = allow_service_key_use(
            queue_key, SNS_PRINCIPAL, source_arn=topic.topic_arn, source_account=topic.env.account
        ).statement_added
    # A queue with a customer-managed key keeps its own subscription DLQ under that key: the
    # shared one is SSE-SQS, and its messages must not rest under weaker encryption.
    shared = options.dead_letter_queue if dead_letter_queue_key is None else None
    dead_letter_queue = shared or _new_subscription_dead_letter_queue(
        scope, topic, key=dead_letter_queue_key, removal_policy=removal_policy
    )
    subscription = sns.Subscription(
        scope,
        "Subscription",
        topic=topic,
        protocol=sns.SubscriptionProtocol.SQS,
        endpoint=queue.queue_arn,
        raw_message_delivery=options.raw_message_delivery or None,
        filter_policy=options.filter_policy,
        filter_policy_with_message_body=options.filter_policy_with_message_body,
    )
    cfn_subscription = subscription.node.default_child
    assert isinstance(cfn_subscription, sns.CfnSubscription)
    # Set here rather than through Subscription(dead_letter_queue=...), which would add a
    # second statement, without the aws:SourceAccount condition, to the DLQ's policy.
    cfn_subscription.redrive_policy = {"deadLetterTargetArn": dead_letter_queue.queue_arn}
    # The subscription is created only once SNS may send to the queue, use its key and
    # write to the subscription DLQ: messages published in between would be lost.
    if policy_result.policy_dependable is not None:
        subscription.node.add_dependency(policy_result.policy_dependable)
    _depend_on_policy(subscription, dead_letter_queue)
    if isinstance(queue_key, kms.Key):
        subscription.node.add_dependency(queue_key)
    alarm = None if shared else _subscription_dlq_alarm(scope, dead_letter_queue, alarm_actions)
    return _SubscribedQueue(
        dead_letter_queue, subscription, alarm, policy_result.statement_added, key_added
    )


def nested_stack_id(construct_id: str, group: str | None = None) -> str:
    """The ID of the nested stack that holds subscriber ``construct_id`` (``nested_stacks``).

    ``Subscribers<group>`` for an explicit group, else ``Subscribers<n>`` with ``n`` (1 to
    ``NESTED_STACK_GROUPS``) taken from a SHA-256 of the subscriber's ID: a pure function of
    the subscriber itself, so adding or removing others never moves it (its path, logical IDs
    and generated names stay), and no nested stack is back-filled.
    """
    if group is not None:
        return f"{NESTED_STACK_PREFIX}{group}"
    digest = hashlib.sha256(construct_id.encode()).digest()
    return f"{NESTED_STACK_PREFIX}{int.from_bytes(digest[:8], 'big') % NESTED_STACK_GROUPS + 1}"


def _depends_on(stack: Stack, other: Stack) -> bool:
    """Whether ``stack`` depends on ``other`` through explicit stack dependencies."""
    seen: set[str] = set()
    pending = list(stack.dependencies)
    while pending:
        current = pending.pop()
        if current.node.path == other.node.path:
            return True
        if current.node.path not in seen:
            seen.add(current.node.path)
            pending.extend(current.dependencies)
    return False


def _uses_own_key(queue: sqs.IQueue | None, queue_options: QueueOptions) -> bool:
    """Whether a new subscriber queue is encrypted with a customer-managed key."""
    if queue is not None:
        return False  # its subscription DLQ is SSE-SQS either way
    encryption = queue_options.get("encryption")
    return queue_options.get("encryption_key") is not None or encryption == sqs.QueueEncryption.KMS


def _resource_count(scope: Construct) -> int:
    """CloudFormation resources under ``scope`` that land in its template.

    A nested stack counts as the one ``AWS::CloudFormation::Stack`` resource its parent holds
    (created outside its subtree); what it contains is in its own template. ``isinstance``
    runs in Python, so this costs one jsii call per nested stack, not one per construct.
    """
    constructs = scope.node.find_all()
    total = sum(1 for construct in constructs if isinstance(construct, CfnResource))
    nested = [c for c in constructs if isinstance(c, NestedStack) and c is not scope]
    paths = [stack.node.path + "/" for stack in nested]
    for stack, path in zip(nested, paths, strict=True):
        if any(path.startswith(other) for other in paths if other != path):
            continue  # inside another nested stack: already subtracted with it
        total -= sum(1 for c in stack.node.find_all() if isinstance(c, CfnResource))
    return total


def _check_queue_key_usable(queue: sqs.IQueue) -> None:
    """Refuse a queue encrypted with the AWS-managed SQS key: SNS cannot use it."""
    key = queue.encryption_master_key
    aws_managed = queue.encryption_type == sqs.QueueEncryption.KMS_MANAGED
    if aws_managed or (key is not None and is_aws_managed(key)):
        raise ValueError(
            f"queue {queue.node.path} is encrypted with the AWS-managed key alias/aws/sqs, "
            "whose policy cannot admit SNS: every message would be dropped. Re-encrypt it "
            "with SSE-SQS or a customer-managed key"
        )


def _count_body_policy(policy: Mapping[str, sns.FilterOrPolicy]) -> tuple[int, int]:
    """Leaf keys and value combinations of a (nested) message-body filter policy."""
    keys, combinations = 0, 1
    for value in policy.values():
        if isinstance(value, sns.Policy):
            nested_keys, nested_combinations = _count_body_policy(value.policy_doc)
            keys += nested_keys
            combinations *= nested_combinations
        elif isinstance(value, sns.Filter):
            keys += 1
            combinations *= max(len(value.filter_doc.conditions), 1)
    return keys, combinations


def validate_filter_policies(
    filter_policy: Mapping[str, sns.SubscriptionFilter] | None,
    filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None,
) -> None:
    """Raise ``ValueError`` for filter policies SNS would reject (5 keys, 150 combinations)."""
    if filter_policy and filter_policy_with_message_body:
        raise ValueError(
            "pass either filter_policy (message attributes) or filter_policy_with_message_body "
            "(message body), not both: a subscription filters on one scope"
        )
    if filter_policy:
        argument = "filter_policy"
        keys = len(filter_policy)
        combinations = math.prod(
            max(len(condition.conditions), 1) for condition in filter_policy.values()
        )
    elif filter_policy_with_message_body:
        argument = "filter_policy_with_message_body"
        keys, combinations = _count_body_policy(filter_policy_with_message_body)
    else:
        return
    if keys > FILTER_POLICY_MAX_KEYS:
        raise ValueError(
            f"{argument} has {keys} keys; SNS allows at most {FILTER_POLICY_MAX_KEYS} "
            "(leaf keys of a nested body policy count)"
        )
    if combinations > FILTER_POLICY_MAX_COMBINATIONS:
        raise ValueError(
            f"{argument} has {combinations} value combinations (the product of the number of "
            f"values per key); SNS allows at most {FILTER_POLICY_MAX_COMBINATIONS}"
        )


def _validate_topic(
    *,
    topic: sns.ITopic | None,
    fifo: bool,
    content_based_deduplication: bool,
    fifo_throughput_scope: sns.FifoThroughputScope | None,
    topic_name: str | None,
    display_name: str | None,
    encryption_key: kms.IKey | None,
    publisher_accounts: Sequence[str],
) -> None:
    if topic is not None:
        clashing = sorted(
            name
            for name, value in {
                "content_based_deduplication": content_based_deduplication or None,
                "fifo_throughput_scope": fifo_throughput_scope,
                "topic_name": topic_name,
                "display_name": display_name,
            }.items()
            if value is not None
        )
        if clashing:
            raise ValueError(
                f"{', '.join(clashing)} configure a new topic and cannot be combined with "
                "topic; set them on the existing topic or drop topic"
            )
        if fifo != topic.fifo:
            raise ValueError(
                f"fifo is {fifo} but the existing topic {topic.node.path} is "
                f"{'FIFO' if topic.fifo else 'standard'}; pass fifo={topic.fifo}"
            )
    elif not fifo:
        for option, value in (
            ("content_based_deduplication", content_based_deduplication or None),
            ("fifo_throughput_scope", fifo_throughput_scope),
        ):
            if value is not None:
                raise ValueError(f"{option} applies to FIFO topics only; set fifo=True")
    if topic_name is not None and not Token.is_unresolved(topic_name):
        base = topic_name[: -len(FIFO_SUFFIX)] if topic_name.endswith(FIFO_SUFFIX) else topic_name
        full_length = len(base) + (len(FIFO_SUFFIX) if fifo else 0)
        if topic_name.endswith(FIFO_SUFFIX) and not fifo:
            raise ValueError(
                f"topic_name {topic_name!r} ends in '.fifo', which SNS reserves for FIFO "
                "topics; set fifo=True or choose another name"
            )
        if not re.fullmatch(r"[A-Za-z0-9_-]+", base) or full_length > TOPIC_NAME_MAX_LENGTH:
            raise ValueError(
                f"topic_name {topic_name!r} must be 1 to {TOPIC_NAME_MAX_LENGTH} characters of "
                "letters, digits, hyphens and underscores (including '.fifo' for FIFO topics)"
            )
    if encryption_key is not None and is_aws_managed(encryption_key):
        raise ValueError(
            f"encryption_key {key_name(encryption_key)!r} is an AWS-managed key, whose policy "
            "cannot admit other services or accounts; pass a customer-managed key"
        )
    for account in publisher_accounts:
        if not Token.is_unresolved(account) and not _ACCOUNT_ID.match(account):
            raise ValueError(
                f"publisher_accounts entry {account!r} must be a 12-digit AWS account ID"
            )
    if len(publisher_accounts) > MAX_PUBLISHER_ACCOUNTS:
        raise ValueError(
            f"publisher_accounts has {len(publisher_accounts)} accounts; a topic policy "
            f"statement names at most {MAX_PUBLISHER_ACCOUNTS} principals"
        )
    check_unique("publisher_accounts entry", publisher_accounts)
