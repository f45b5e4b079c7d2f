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
from dataclasses import dataclass
from typing import cast

from aws_cdk import CfnResource, Names, NestedStack, Stack, Stage, Token
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

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
# Below this many resources of its own (counted as MAX_RESOURCES_PER_SUBSCRIBER each) the
# fan-out does not count the rest of its stack.
_FULL_COUNT_THRESHOLD = 250


@dataclass(frozen=True)
class Placement:
    """Where a subscriber goes: its scope, its ID there, its nested stack's ID, its path.

    ``path`` is the subscriber's construct path when the fan-out knows it without asking
    (``None`` for a subscriber in a queue's other stack).
    """

    scope: Construct
    construct_id: str
    stack_id: str | None
    path: str | None


class SubscriberPlacement:
    """The placement of one fan-out's subscribers, and the resources each stack holds.

    Owned by :class:`~patterns.sns_fan_out.SnsToSqsFanOut`; ``place`` says where a new
    subscriber goes, ``count`` adds what it brought and refuses to overfill a stack.
    """

    def __init__(
        self,
        fan_out: Construct,
        topic: sns.ITopic,
        stack: Stack,
        *,
        path: str,
        nested_stacks: bool,
    ) -> None:
        self._fan_out = fan_out
        self._topic = topic
        self._path = path
        self._nested = nested_stacks
        self._stacks: dict[str, NestedStack] = {}
        # Per stack (None: the fan-out's own): resources last counted in the tree (None: not
        # yet), and subscribers added since. Python keeps an upper bound in between, and the
        # tree is counted only when that bound could pass the limit.
        self._counted: dict[str | None, int | None] = {None: None}
        self._added_since: dict[str | None, int] = {None: 0}
        self._stack = stack  # the fan-out's

    @property
    def stacks(self) -> list[NestedStack]:
        """The nested stacks created so far, in the order they were first needed."""
        return list(self._stacks.values())

    def place(self, construct_id: str, queue: sqs.IQueue | None, group: str | None) -> Placement:
        """Where a subscriber goes: its scope, its ID there, its nested stack's ID and path.

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
            scope_id = f"{Names.node_unique_id(self._fan_out.node)}{construct_id}"
            return Placement(scope, scope_id, None, None)
        if not self._nested:
            return Placement(self._fan_out, construct_id, None, f"{self._path}/{construct_id}")
        stack_id = nested_stack_id(construct_id, group)
        if stack_id not in self._stacks:
            self._stacks[stack_id] = NestedStack(
                self._fan_out,
                stack_id,
                description=f"Subscribers of {self._path} ({stack_id})",
            )
            self._counted[stack_id] = 0
            self._added_since[stack_id] = 0
        path = f"{self._path}/{stack_id}/{construct_id}"
        return Placement(self._stacks[stack_id], construct_id, stack_id, path)

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
        for stack in (self._stack, Stack.of(self._topic)):
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

    def count(self, construct_id: str, stack_id: str | None, *, subscribers: int) -> None:
        """Count subscriber ``construct_id`` into its stack; refuse to overfill it.

        Each subscriber adds at most ``MAX_RESOURCES_PER_SUBSCRIBER``: the stack's tree is
        counted only once that bound could pass its limit, so a fan-out far from it never
        walks the tree while it is built (synth checks the final tree anyway).
        """
        self._added_since[stack_id] += 1
        counted = self._counted[stack_id]
        limit = STACK_MAX_RESOURCES if stack_id is None else NESTED_STACK_RESOURCE_BUDGET
        bound = MAX_RESOURCES_PER_SUBSCRIBER * self._added_since[stack_id]
        if counted is None:  # the fan-out's stack: count only from a threshold of its own
            if bound < _FULL_COUNT_THRESHOLD:
                return
        elif counted + bound <= limit:
            return
        stack = self._stack if stack_id is None else self._stacks[stack_id]
        total = resource_count(stack)
        self._counted[stack_id] = total
        self._added_since[stack_id] = 0
        if total <= limit:
            return
        if stack_id is not None:
            raise ValueError(
                f"subscriber {construct_id!r} brings nested stack {self._path}/{stack_id} to "
                f"{total} resources; a nested stack of subscribers holds at most {limit}. "
                "Pass group='<name>' to add_queue to place this subscriber (and later ones) "
                "in a new nested stack; leave the deployed subscribers where they are "
                "(moving one replaces its queues)"
            )
        raise ValueError(
            f"subscriber {construct_id!r} brings stack {self._stack.stack_name} to "
            f"{total} resources ({subscribers} subscribers of {self._path}); "
            f"CloudFormation allows {STACK_MAX_RESOURCES} per stack. Pass "
            "SnsToSqsFanOut(nested_stacks=True) to place the subscribers in nested stacks, "
            "or shared_subscription_dead_letter_queue=True to save 3 resources each"
        )

    def stack_size_errors(self, nested: NestedStack | None) -> list[str]:
        """At synth: the fan-out's stack, or one of its nested stacks, holds at most 500.

        Checked over the final tree, whatever added the resources.
        """
        stack = nested or self._stack
        total = resource_count(stack)
        if total <= STACK_MAX_RESOURCES:
            return []
        if nested is not None:
            return [
                f"nested stack {stack.node.path} holds {total} resources; CloudFormation "
                f"allows {STACK_MAX_RESOURCES} per stack. Place further subscribers with "
                "add_queue(..., group='<name>') in a new nested stack"
            ]
        return [
            f"stack {stack.stack_name} holds {total} resources; CloudFormation allows "
            f"{STACK_MAX_RESOURCES} per stack. Pass SnsToSqsFanOut(nested_stacks=True) to "
            f"{self._path} to place its subscribers in nested stacks"
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
