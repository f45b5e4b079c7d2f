"""``S3EventFanOut``, the construct: the bucket, the topic and the routing between them.

What it builds lives beside it: the bucket (:mod:`.bucket`), the EventBridge delivery
(:mod:`.event_bridge`), the S3-notification delivery (:mod:`.notifications`), the event rules
(:mod:`.events`), body filters (:mod:`.body_filters`) and the checks (:mod:`.validation`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from aws_cdk import Annotations, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as eventbridge
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from patterns.metric_options import MetricOptions
from patterns.naming import deployed_stack
from patterns.removal import DATA_REMOVAL_POLICY, KEY_PENDING_WINDOW, key_removal_policy
from patterns.s3_event_fan_out.body_filters import (
    check_body_format,
    check_body_values,
    s3_event_body_filter,
)
from patterns.s3_event_fan_out.bucket import NewBucketOptions, SingleNotificationOwner, new_bucket
from patterns.s3_event_fan_out.event_bridge import (
    EVENTS_SERVICE_PRINCIPAL,
    EventRuleName,
    add_delivery_section,
    create_rule_alarms,
    route_to_topic,
    rule_metric,
    rule_name,
    send_events_to_event_bridge,
)
from patterns.s3_event_fan_out.events import S3EventDelivery, S3EventRule
from patterns.s3_event_fan_out.notifications import (
    add_topic_notifications,
    allow_bucket_to_publish,
    write_topic_configurations,
)
from patterns.s3_event_fan_out.validation import (
    check_event_pattern_size,
    check_existing_bucket,
    validate,
)
from patterns.sns_fan_out import QueueSubscriber, SnsToSqsFanOut

if TYPE_CHECKING:
    from typing import Unpack

    from patterns.queue_with_dlq import QueueOptions


class S3EventFanOut(Construct):
    """S3 events of one bucket fanned out to SQS queues through an encrypted SNS topic.

    By default (``delivery=S3EventDelivery.EVENT_BRIDGE``) the bucket sends its events to
    EventBridge and one rule of this pattern routes those matching ``events`` to the topic;
    the topic accepts them from that rule in this account only. With
    ``S3EventDelivery.NOTIFICATION`` the bucket publishes to the topic itself; the topic accepts
    events from this bucket in this account only. Either way the notification settings of a
    new bucket are a property of the bucket (no Lambda-backed custom resource), and synthesis
    fails if anything else would overwrite them (``bucket.add_event_notification``).

    After construction: subscribe queues with ``add_queue`` (filtered with
    ``event_body_filter``), let their consumers read the objects with ``grant_read``, and
    draw everything with ``add_to_dashboard``. The ``metric_*`` methods take the keyword
    arguments of [`MetricOptions`][patterns.metric_options.MetricOptions] (``period``,
    ``statistic``, ``label``, ...) to change their defaults; the topic's and subscribers'
    metrics are on ``fan_out`` and ``subscribers``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        events: Sequence[S3EventRule] | None = None,
        delivery: S3EventDelivery = S3EventDelivery.EVENT_BRIDGE,
        bucket: s3.IBucket | None = None,
        bucket_name: str | None = None,
        encryption_key: kms.IKey | None = None,
        removal_policy: RemovalPolicy | None = None,
        noncurrent_version_expiration: Duration | None = None,
        access_log_expiration: Duration | None = None,
        topic: sns.ITopic | None = None,
        alarm_actions: Sequence[cloudwatch.IAlarmAction] = (),
        shared_subscription_dead_letter_queue: bool = False,
        nested_stacks: bool = False,
    ) -> None:
        """Define the bucket (or use an existing one), the topic and the event routing.

        :param events: The S3 events to fan out, each an
            [`S3EventRule`][patterns.S3EventRule] (event type and key or size filters). With
            EventBridge delivery rules may overlap: an event that matches several is still
            published once. With notifications, rules for overlapping event types must cover
            disjoint keys (S3 would reject them at deploy time), and only ``prefix`` and
            ``suffix`` filters exist. Default: every object created, any key.
        :param delivery: How the events reach the topic, see
            [`S3EventDelivery`][patterns.S3EventDelivery]. Default: ``EVENT_BRIDGE``:
            overlapping rules, richer filters, no fixed bucket name, and other consumers of the
            bucket keep their own rules. Pass ``S3EventDelivery.NOTIFICATION`` (with
            ``bucket_name`` for a new bucket) for direct notifications and the S3 event format
            (``Records``).
        :param bucket: An existing bucket to take events from. A bucket of this app (any stack)
            keeps its owner: EventBridge delivery switches its EventBridge notifications on in
            the owner's stack; notifications need the bucket in this stack. A bucket this app
            does not define (``from_bucket_name``) must already send its events to EventBridge
            (a synth warning says so), or, with notifications, is configured by CDK's
            Lambda-backed custom resource, which keeps the rules others set on it.
            Default: a new secure bucket.
        :param bucket_name: Physical name of the new bucket. Default: generated by
            CloudFormation, so ``cdk destroy`` then ``cdk deploy`` works although the bucket is
            retained. Required with ``delivery=NOTIFICATION``: the topic policy must name the
            bucket before it exists (a reference would be circular); choose a name you will
            not need again, since a retained bucket keeps it.
        :param encryption_key: Customer-managed key of the new bucket (SSE-KMS with bucket
            keys) and of the new topic. Default: a new key with yearly rotation, retained on
            deletion. With an existing ``topic`` the topic keeps its own encryption.
        :param removal_policy: What happens to the new bucket and its access-log bucket when
            they leave the stack. Default: ``RETAIN``: the bucket holds the data itself.
        :param noncurrent_version_expiration: Delete noncurrent object versions after this
            many whole days (at least 1). Default: 90 days.
        :param access_log_expiration: Delete server access logs after this many whole days
            (at least 1). Default: 365 days.
        :param topic: An existing standard topic of this app to publish the events to. FIFO
            topics are refused: neither S3 nor this pattern's rule can publish to them.
            Default: a new encrypted topic.
        :param alarm_actions: Actions for every alarm, of the topic, of the EventBridge rule
            and of each subscriber, on alarm and on return to OK. Default: none (the alarms
            are still created).
        :param shared_subscription_dead_letter_queue: One subscription dead-letter queue for
            all subscribers instead of one each (3 resources fewer per subscriber; the alarm no
            longer tells which subscriber failed), as in ``SnsToSqsFanOut``. Default: ``False``.
        :param nested_stacks: Place the subscribers in nested stacks, each in the one its ID
            chooses, so the fan-out can outgrow the 500 resources of one stack, as in
            ``SnsToSqsFanOut``. Choose it up front: switching replaces every subscriber
            queue. Default: ``False`` (``add_queue`` raises ``ValueError`` past 500).
        """
        super().__init__(scope, construct_id)
        rules = tuple(events) if events is not None else (S3EventRule(s3.EventType.OBJECT_CREATED),)
        new_bucket_options = NewBucketOptions(
            bucket_name=bucket_name,
            removal_policy=removal_policy,
            noncurrent_version_expiration=noncurrent_version_expiration,
            access_log_expiration=access_log_expiration,
        )
        validate(
            events=rules,
            delivery=delivery,
            bucket=bucket,
            new_bucket=new_bucket_options,
            encryption_key=encryption_key,
            topic=topic,
        )
        if bucket is not None:
            check_existing_bucket(self, bucket, delivery)
        if delivery is S3EventDelivery.EVENT_BRIDGE:
            check_event_pattern_size(self, rules)

        self._rules = rules
        self._delivery = delivery
        node = self.node
        self._path = node.path
        self._encryption_key = self._key_of(encryption_key, bucket, topic, removal_policy)
        self._fan_out = SnsToSqsFanOut(
            self,
            "FanOut",
            topic=topic,
            encryption_key=self._encryption_key if topic is None else None,
            alarm_actions=alarm_actions,
            shared_subscription_dead_letter_queue=shared_subscription_dead_letter_queue,
            nested_stacks=nested_stacks,
        )
        self._access_log_bucket: s3.IBucket | None = None
        self._own_cfn_bucket: s3.CfnBucket | None = None  # a new bucket's, known here
        self._event_rule: eventbridge.Rule | None = None
        self._event_rule_name: str | None = None
        self._rule_alarms: list[cloudwatch.Alarm] = []
        self._delivery_dead_letter_queue: sqs.Queue | None = None
        self._deployed_stack: Stack | None = None  # read on the first add_queue of a queue
        self._bucket: s3.IBucket
        # What must exist before events flow: every subscription is added in add_queue.
        self._starts_events: IConstruct
        if delivery is S3EventDelivery.EVENT_BRIDGE:
            self._starts_events = self._route_through_event_bridge(
                bucket, new_bucket_options, alarm_actions
            )
        else:
            self._starts_events = self._publish_as_notifications(bucket, new_bucket_options)
        self._starts_events_node = self._starts_events.node
        node.add_validation(SingleNotificationOwner(self, self._own_cfn_bucket))

    def _key_of(
        self,
        encryption_key: kms.IKey | None,
        bucket: s3.IBucket | None,
        topic: sns.ITopic | None,
        removal_policy: RemovalPolicy | None,
    ) -> kms.IKey | None:
        """The key of a new bucket or topic (given, or new); ``None`` when both were passed in."""
        if bucket is not None and topic is not None:
            return None
        return encryption_key or kms.Key(
            self,
            "EncryptionKey",
            description=f"Encrypts the bucket and the event topic of {self._path}",
            enable_key_rotation=True,
            # Keys follow what they encrypt (patterns.removal): the topic goes with the
            # stack, a new bucket stays by default, so the key stays while it does.
            removal_policy=key_removal_policy(
                RemovalPolicy.DESTROY,
                *(() if bucket is not None else (removal_policy or DATA_REMOVAL_POLICY,)),
            ),
            pending_window=KEY_PENDING_WINDOW,
        )

    def _route_through_event_bridge(
        self,
        bucket: s3.IBucket | None,
        new_bucket_options: NewBucketOptions,
        alarm_actions: Sequence[cloudwatch.IAlarmAction],
    ) -> IConstruct:
        """The bucket sends its events to EventBridge; one rule publishes them to the topic.

        Returns the rule, which starts the events once it exists.
        """
        if bucket is None:
            self._bucket = self._new_bucket(new_bucket_options)
        else:
            self._bucket = bucket
        send_events_to_event_bridge(self, self._bucket, self._own_cfn_bucket)
        stack = Stack.of(self)
        account = stack.account
        name = rule_name(self)
        # The policies name the rule by its ARN built from its fixed name, not by a
        # reference: the topic key's policy would otherwise wait for the rule, which waits
        # for the subscriptions, which wait for the topic and so for the key (a cycle).
        rule_arn = stack.format_arn(service="events", resource="rule", resource_name=name)
        self._fan_out.allow_service_publish(
            EVENTS_SERVICE_PRINCIPAL, source_arn=rule_arn, source_account=account
        )
        self._event_rule, self._delivery_dead_letter_queue = route_to_topic(
            self,
            EventRuleName(name=name, arn=rule_arn, account=account, path=self._path),
            bucket=self._bucket,
            rules=self._rules,
            topic=self._fan_out.topic,
        )
        # The metrics' RuleName dimension refers to the rule (a Ref), read once.
        self._event_rule_name = self._event_rule.rule_name
        self._rule_alarms = create_rule_alarms(self, self._path, alarm_actions)
        return self._event_rule

    def _publish_as_notifications(
        self, bucket: s3.IBucket | None, new_bucket_options: NewBucketOptions
    ) -> IConstruct:
        """The bucket publishes to the topic itself: its own configuration (a new bucket) or
        CDK's custom resource (an existing one). Returns what starts the events."""
        publish_permissions = allow_bucket_to_publish(
            self, self._fan_out, bucket=bucket, bucket_name=new_bucket_options.bucket_name
        )
        if bucket is not None:
            self._bucket = bucket
            return add_topic_notifications(
                bucket,
                rules=self._rules,
                topic=self._fan_out.topic,
                dependencies=publish_permissions,
            )
        self._bucket = self._new_bucket(new_bucket_options)
        assert self._own_cfn_bucket is not None
        return write_topic_configurations(
            self._own_cfn_bucket,
            rules=self._rules,
            topic=self._fan_out.topic,
            # the bucket refers to its key (encryption) already
            dependencies=[p for p in publish_permissions if p is not self._encryption_key],
        )

    def _new_bucket(self, options: NewBucketOptions) -> s3.Bucket:
        secure = new_bucket(self, options, encryption_key=self._encryption_key)
        self._access_log_bucket = secure.access_log_bucket
        self._own_cfn_bucket = secure.bucket.node.default_child  # type: ignore[assignment]
        return secure.bucket

    @property
    def bucket(self) -> s3.IBucket:
        """The bucket whose events are fanned out: new, or the existing one passed in."""
        return self._bucket

    @property
    def access_log_bucket(self) -> s3.IBucket | None:
        """The bucket receiving the new bucket's server access logs (``None`` if existing)."""
        return self._access_log_bucket

    @property
    def topic(self) -> sns.ITopic:
        """The topic S3 publishes the events to and the queues subscribe to."""
        return self._fan_out.topic

    @property
    def encryption_key(self) -> kms.IKey | None:
        """The key of the new bucket and topic, or ``None`` when both were passed in."""
        return self._encryption_key

    @property
    def events(self) -> tuple[S3EventRule, ...]:
        """The event rules, in the order given."""
        return self._rules

    @property
    def delivery(self) -> S3EventDelivery:
        """How the events reach the topic."""
        return self._delivery

    @property
    def delivery_dead_letter_queue(self) -> sqs.IQueue | None:
        """Where EventBridge moves events it could not publish (``None`` for notifications)."""
        return self._delivery_dead_letter_queue

    @property
    def event_rule(self) -> eventbridge.IRule | None:
        """The EventBridge rule routing the events to the topic (``None`` for notifications)."""
        return self._event_rule

    @property
    def fan_out(self) -> SnsToSqsFanOut:
        """The underlying topic-to-queues fan-out."""
        return self._fan_out

    @property
    def subscribers(self) -> list[QueueSubscriber]:
        """What ``add_queue`` returned, in order."""
        return list(self._fan_out.subscribers)

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        """Every alarm: the EventBridge rule's, the topic's and those of each subscriber."""
        return [*self._rule_alarms, *self._fan_out.alarms]

    def metric_event_rule_triggered_rules(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Events of the bucket that the EventBridge rule matched (``TriggeredRules``).

        Default: sum over 5 minutes. EventBridge delivery only: ``ValueError`` with
        notifications, which have no rule.
        """
        return rule_metric(
            self._rule_name_of("metric_event_rule_triggered_rules"), "TriggeredRules", props
        )

    def metric_event_rule_invocations(self, **props: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Times the rule invoked its target, publishing an event to the topic (``Invocations``).

        Default: sum over 5 minutes. EventBridge delivery only: ``ValueError`` with
        notifications.
        """
        return rule_metric(
            self._rule_name_of("metric_event_rule_invocations"), "Invocations", props
        )

    def metric_event_rule_failed_invocations(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Events the rule could not publish to the topic (``FailedInvocations``): EventBridge
        retries them for up to 24 hours, then moves them to the delivery dead-letter queue.

        Default: sum over 5 minutes (what the ``FailedInvocations`` alarm watches).
        EventBridge delivery only: ``ValueError`` with notifications.
        """
        return rule_metric(
            self._rule_name_of("metric_event_rule_failed_invocations"), "FailedInvocations", props
        )

    def metric_delivery_dead_letter_queue_messages_visible(
        self, **props: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Events EventBridge gave up publishing, waiting in the delivery dead-letter queue
        (``ApproximateNumberOfMessagesVisible``).

        Default: maximum over 5 minutes, as
        ``sqs.IQueue.metric_approximate_number_of_messages_visible``; the alarm watches its
        1-minute maximum. EventBridge delivery only: ``ValueError`` with
        notifications, which have no delivery dead-letter queue.
        """
        queue = self._delivery_dead_letter_queue
        if queue is None:
            raise ValueError(self._no_rule("metric_delivery_dead_letter_queue_messages_visible"))
        return queue.metric_approximate_number_of_messages_visible(**props)

    def _rule_name_of(self, method: str) -> str:
        """The rule's ``rule_name`` (``ValueError`` with notifications, which have no rule)."""
        if self._event_rule_name is None:
            raise ValueError(self._no_rule(method))
        return self._event_rule_name

    def _no_rule(self, method: str) -> str:
        return (
            f"{method}: {self._path} has delivery={self._delivery.name}, where S3 publishes "
            "to the topic itself: there is no EventBridge rule or delivery dead-letter queue to "
            "measure. The topic's and subscribers' metrics are on fan_out and subscribers"
        )

    def add_to_dashboard(self, dashboard: cloudwatch.Dashboard) -> None:
        """Add this pattern's sections to ``dashboard``: the EventBridge delivery, then the fan-out.

        With EventBridge delivery: events matched, published to the topic, failed and kept in
        the delivery dead-letter queue, and its two alarms with their thresholds. Then the
        fan-out's section (topic and subscribers, see ``SnsToSqsFanOut.add_to_dashboard``).
        Adding it (or its ``fan_out``) to the same dashboard again adds nothing: call it once
        all subscribers are added.

        :param dashboard: The dashboard to add the sections to, for example
            ``cloudwatch.Dashboard(stack, "Dashboard")``.
        """
        if self._event_rule is not None:
            add_delivery_section(dashboard, self, self._path, self._rule_alarms)
        self._fan_out.add_to_dashboard(dashboard)

    def event_body_filter(
        self,
        *,
        key_prefixes: Sequence[str] = (),
        key_suffixes: Sequence[str] = (),
        event_names: Sequence[str] = (),
    ) -> dict[str, sns.FilterOrPolicy]:
        """A body filter policy for ``add_queue``, in this fan-out's event format.

        [`s3_event_body_filter`][patterns.s3_event_body_filter] with this fan-out's
        ``delivery``: pass the result as ``filter_policy_with_message_body``. Give at least
        one condition (``ValueError`` otherwise); conditions on different fields must all
        match (AND).

        :param key_prefixes: Keep events whose object key starts with one of these.
            Default: no condition on the key's start.
        :param key_suffixes: Keep events whose key ends with one of these; with
            ``key_prefixes``, a key matching either kind is kept (OR). Default: no condition
            on the key's end.
        :param event_names: Keep events of these types, as this delivery spells them: the
            EventBridge ``detail-type`` (``"Object Created"``) or, with notifications, the
            ``eventName`` without ``s3:`` (``"ObjectCreated:Put"``). Default: every type
            ``events`` forwards.
        :returns: The filter policy, for example
            ``fan_out.add_queue("Images", filter_policy_with_message_body=
            fan_out.event_body_filter(key_suffixes=[".jpg"]))``.
        """
        return s3_event_body_filter(
            key_prefixes=key_prefixes,
            key_suffixes=key_suffixes,
            event_names=event_names,
            delivery=self._delivery,
        )

    def add_queue(
        self,
        construct_id: str,
        *,
        queue: sqs.IQueue | None = None,
        filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None = None,
        raw_message_delivery: bool = False,
        **queue_options: Unpack[QueueOptions],
    ) -> QueueSubscriber:
        """Subscribe a new queue with its DLQ (or an existing ``queue``) to the events.

        :param construct_id: ID of the subscriber; unique within this pattern.
        :param queue: An existing standard queue to subscribe instead of a new one.
            Default: a new [`QueueWithDeadLetterQueue`][patterns.QueueWithDeadLetterQueue].
        :param filter_policy_with_message_body: Receive only events whose JSON body matches,
            for example ``fan_out.event_body_filter(key_suffixes=[".jpg"])``: the body is the
            EventBridge event (``detail``, ``detail-type``) or, with notifications, the S3
            event (``Records``); a policy on the other format is refused. Default: every event.
            A policy is refused if no event of this fan-out could match it: event names of the
            other delivery or of events ``events`` does not forward, keys outside the rules'
            prefixes and suffixes. Attribute filter policies (``filter_policy``) are refused:
            S3 events carry no message attributes, so they would drop every event.
        :param raw_message_delivery: Deliver the S3 event JSON itself instead of the SNS
            envelope around it. Default: ``False`` (the envelope, with its ``Message`` field).
        :param queue_options: Options of a new queue, the keys of
            [`QueueOptions`][patterns.QueueOptions]; ``alarm_actions`` defaults to this
            pattern's, and ``fifo=True`` is refused (S3 publishes to a standard topic).
        :returns: What ``SnsToSqsFanOut.add_queue`` returns: a ``QueueSubscriber`` (queue,
            the new ``QueueWithDeadLetterQueue`` or ``None``, subscription, subscription DLQ,
            alarms).
        """
        if queue_options.get("fifo"):
            raise ValueError(
                f"add_queue({construct_id!r}, fifo=True): S3 publishes to a standard topic, "
                "which delivers to standard queues only"
            )
        if "filter_policy" in queue_options:
            raise ValueError(
                f"add_queue({construct_id!r}, filter_policy=...): S3 events carry no message "
                "attributes, so an attribute filter policy would drop every event. Filter on "
                "the event body instead: filter_policy_with_message_body="
                "fan_out.event_body_filter(key_prefixes=..., key_suffixes=..., event_names=...)"
            )
        if filter_policy_with_message_body is not None:
            check_body_format(construct_id, filter_policy_with_message_body, self._delivery)
            check_body_values(
                construct_id, filter_policy_with_message_body, self._delivery, self._rules
            )
        subscriber = self._fan_out.add_queue(
            construct_id,
            queue=queue,
            filter_policy_with_message_body=filter_policy_with_message_body,
            raw_message_delivery=raw_message_delivery,
            **queue_options,
        )
        # Events start only once the subscription exists (and, through its own dependencies,
        # the queue policy and keys it needs), so the first events reach every subscriber.
        # A queue of another stack is subscribed in that stack (as CDK's SqsSubscription
        # does), which deploys after this one: waiting for it would be a cycle, so events
        # flow from this stack's deploy on and reach that subscriber once its stack is in.
        # A new queue is subscribed under the fan-out (or its nested stacks): deployed with it.
        if queue is None or deployed_stack(subscriber.subscription) is self._own_deployed_stack():
            self._starts_events_node.add_dependency(subscriber.subscription)
        else:
            Annotations.of(self).add_info(
                f"Subscriber {construct_id!r} is a queue of stack "
                f"{Stack.of(subscriber.subscription).node.path}, subscribed in that stack: "
                "events sent before that stack is deployed do not reach it"
            )
        return subscriber

    def _own_deployed_stack(self) -> Stack:
        if self._deployed_stack is None:
            self._deployed_stack = deployed_stack(self)
        return self._deployed_stack

    def grant_read(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Let ``grantee`` read the objects (and decrypt them), for consumers of the events.

        :param grantee: A role, user or function that reads the objects the events name,
            for example the function of a queue's ``add_lambda_consumer``.
        :param objects_key_pattern: The keys it may read, with ``*`` as wildcard, for example
            ``"images/*"``. Default: ``"*"`` (every object).
        :returns: The grant of the IAM statements added to ``grantee``'s policy.
        """
        return self._bucket.grant_read(grantee, objects_key_pattern)
