"""Where a fan-out's subscribers live, and the resource budget of a stack.

Without ``nested_stacks`` the subscribers live in the fan-out's stack, which CloudFormation
limits to 500 resources. With it, each subscriber goes to the nested stack
:func:`nested_stack_id` names: a function of its own ID (or ``group``), never of the others,
so adding or removing a subscriber never moves another. A queue of another top-level stack
gets its subscriber in that stack, under the queue, as ``SqsSubscription`` does.
"""

from __future__ import annotations

import hashlib
import re
from typing import cast

import jsii
from aws_cdk import CfnResource, Names, NestedStack, Stack, Stage, Token
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IValidation

from patterns.naming import deployed_stack

# CloudFormation quota (hard): resources per template.
STACK_MAX_RESOURCES = 500
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
GROUP_PATTERN = re.compile(r"^[A-Za-z0-9]{1,32}$")
# Below this many resources of its own the fan-out does not count the rest of its stack.
_FULL_COUNT_THRESHOLD = 250


class SubscriberPlacement:
    """The placement of one fan-out's subscribers, and the resources each stack holds.

    Owned by :class:`~patterns.sns_fan_out.SnsToSqsFanOut`; ``place`` says where a new
    subscriber goes, ``count`` adds what it brought and refuses to overfill a stack.
    """

    def __init__(self, fan_out: Construct, topic: sns.ITopic, *, nested_stacks: bool) -> None:
        self._fan_out = fan_out
        self._topic = topic
        self._nested = nested_stacks
        self._stacks: dict[str, NestedStack] = {}
        self._stack_resources: dict[str, int] = {}
        self._own_resources = 0

    @property
    def stacks(self) -> list[NestedStack]:
        """The nested stacks created so far, in the order they were first needed."""
        return list(self._stacks.values())

    def place(
        self, construct_id: str, queue: sqs.IQueue | None, group: str | None
    ) -> tuple[Construct, str, str | None]:
        """Where a subscriber goes: its scope, its ID there and its nested stack's ID.

        A queue of another top-level stack gets its subscriber in that stack, under the
        queue (as ``SqsSubscription`` does): the subscription, policies and ``DependsOn``
        then reference the topic's stack, never the other way round. Otherwise the
        subscriber goes to the fan-out itself, or to the nested stack :func:`nested_stack_id`
        names: a function of the subscriber's own ID (or group), never of the others.
        """
        if queue is not None:
            self._check_key_stack(construct_id, queue)
        if (
            queue is not None
            and deployed_stack(queue).node.path != deployed_stack(self._fan_out).node.path
        ):
            self._check_cross_stack(construct_id, queue)
            # an IQueue is a construct (SqsSubscription relies on the same)
            scope = cast(Construct, queue)
            return scope, f"{Names.node_unique_id(self._fan_out.node)}{construct_id}", None
        if not self._nested:
            return self._fan_out, construct_id, None
        stack_id = nested_stack_id(construct_id, group)
        if stack_id not in self._stacks:
            nested = NestedStack(
                self._fan_out,
                stack_id,
                description=f"Subscribers of {self._fan_out.node.path} ({stack_id})",
            )
            self._stacks[stack_id] = nested
            self._stack_resources[stack_id] = 0
            self._fan_out.node.add_validation(StackSizeValidation(self._fan_out, nested))
        return self._stacks[stack_id], construct_id, stack_id

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
        if queue_in_topic_stack or depends_on(topic_root, key_root):
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
        for stack in (Stack.of(self._fan_out), Stack.of(self._topic)):
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
            if depends_on(deployed_stack(stack), deployed_stack(queue)):
                raise ValueError(
                    f"{subject} is in stack {queue_stack.stack_name}, where its subscription "
                    f"must reference the topic of stack {stack.stack_name}; but "
                    f"{stack.stack_name} already depends on {queue_stack.stack_name} "
                    "(add_dependency), so that would be a cycle. Remove the dependency, or "
                    f"define the queue in a stack that {stack.stack_name} does not depend on"
                )

    def count(
        self, construct_id: str, subscriber: Construct, stack_id: str | None, *, subscribers: int
    ) -> None:
        """Track the resources subscribers add; refuse to overfill a stack or nested stack."""
        added = resource_count(subscriber)
        if stack_id is not None:
            total = self._stack_resources[stack_id] + added
            self._stack_resources[stack_id] = total
            if total > NESTED_STACK_RESOURCE_BUDGET:
                raise ValueError(
                    f"subscriber {construct_id!r} brings nested stack "
                    f"{self._stacks[stack_id].node.path} to {total} resources; a "
                    f"nested stack of subscribers holds at most {NESTED_STACK_RESOURCE_BUDGET}. "
                    "Pass group='<name>' to add_queue to place this subscriber (and later ones) "
                    "in a new nested stack; leave the deployed subscribers where they are "
                    "(moving one replaces its queues)"
                )
            return
        self._own_resources += added
        if self._own_resources < _FULL_COUNT_THRESHOLD:
            return
        stack = Stack.of(self._fan_out)
        total = resource_count(stack)
        if total > STACK_MAX_RESOURCES:
            raise ValueError(
                f"subscriber {construct_id!r} brings stack {stack.stack_name} to {total} "
                f"resources ({subscribers} subscribers of {self._fan_out.node.path}); "
                f"CloudFormation allows {STACK_MAX_RESOURCES} per stack. Pass "
                "SnsToSqsFanOut(nested_stacks=True) to place the subscribers in nested stacks, "
                "or shared_subscription_dead_letter_queue=True to save 3 resources each"
            )


@jsii.implements(IValidation)
class StackSizeValidation:
    """At synth: the fan-out's stack (or one of its nested stacks) holds at most 500 resources.

    Checked over the final tree, whatever added the resources.
    """

    def __init__(self, fan_out: Construct, nested: NestedStack | None = None) -> None:
        self._fan_out = fan_out
        self._nested = nested

    def validate(self) -> list[str]:
        stack = self._nested or Stack.of(self._fan_out)
        total = resource_count(stack)
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


def depends_on(stack: Stack, other: Stack) -> bool:
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


def resource_count(scope: Construct) -> int:
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
