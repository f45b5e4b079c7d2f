"""Physical names fixed at synth: one policy for every pattern (docs/lifecycle.md).

A name fixed at synth is a promise for the life of the stack, so every such name is made here:

- from stable identity: the top-level stack's *name* (so two stages, or two stacks built from
  one class with different ``stack_name``, never collide in one account and Region) and the
  construct's logical position below it, as :meth:`aws_cdk.Names.unique_resource_name` joins
  them (a readable part plus an 8-character hash of the whole path). Nested stacks are part of
  that position, which is why nested placement must never move a construct (see
  ``sns_fan_out`` placement); never a counter, never the construct path alone;
- plus, where the service fixes some properties at creation (``createOnlyProperties``), a short
  digest of those properties, so that an edit that replaces the resource also renames it and
  CloudFormation can create the new one before it deletes the old;
- checked against the service's length limit at synth (:func:`check_name_length`).
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Mapping

from aws_cdk import Names, Stack
from constructs import IConstruct

from patterns.lookups import stack_of
from patterns.validation import is_unresolved_text

DIGEST_LENGTH = 6


def physical_name(
    scope: IConstruct,
    *,
    max_length: int,
    separator: str = "",
    suffix: str = "",
    create_only: Mapping[str, object] | None = None,
) -> str:
    """A name unique to ``scope``'s stack name and position, at most ``max_length`` long.

    :param max_length: the service's limit for the whole name, ``suffix`` included.
    :param separator: between the path components (and before the digest).
    :param suffix: appended verbatim (``".fifo"``, ``"-dlq"``): room is kept for it.
    :param create_only: the resource's create-only properties (tokens allowed: they are
        resolved to their CloudFormation form); when given, a digest of them ends the name.
    """
    tail = suffix
    if create_only is not None:
        tail = f"{separator}{create_only_digest(scope, create_only)}{suffix}"
    base = Names.unique_resource_name(scope, max_length=max_length - len(tail), separator=separator)
    return f"{base}{tail}"


def create_only_digest(scope: IConstruct, properties: Mapping[str, object]) -> str:
    """A short, stable digest of ``properties`` as CloudFormation will see them."""
    resolved = stack_of(scope).resolve(dict(properties))
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_LENGTH]


def check_name_length(argument: str, name: str | None, max_length: int, what: str) -> None:
    """Raise ``ValueError`` when a literal (or derived) name passes the service's limit.

    :param argument: the argument the name comes from (named in the message).
    :param what: what the name is, for the message (``"the dead-letter queue name"``).
    """
    if name is None or len(name) <= max_length or is_unresolved_text(name):
        return
    raise ValueError(
        f"{argument} gives {what} {name!r} of {len(name)} characters; the limit is "
        f"{max_length}: choose a shorter name"
    )


def deployed_stack(construct: IConstruct) -> Stack:
    """The top-level stack ``construct`` is deployed with (its own, or through nested stacks):
    whose name a physical name starts with, and which deploys it. Each stack's is asked of the
    jsii runtime once (a stack never moves)."""
    stack = stack_of(construct)
    if stack not in _DEPLOYED_WITH:
        parent = stack.nested_stack_parent
        _DEPLOYED_WITH[stack] = stack if parent is None else deployed_stack(parent)
    return _DEPLOYED_WITH[stack]


_DEPLOYED_WITH: weakref.WeakKeyDictionary[Stack, Stack] = weakref.WeakKeyDictionary()
