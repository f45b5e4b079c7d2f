"""What the jsii runtime is asked once per object and then remembered in Python.

Every question to a CDK object is a round trip to the Node process. An L2's default child
(its L1) never changes once the L2 exists, so it is read once per object: the construct that
creates the L2 reads it, and checks that run later (other patterns' validations) find it here.
Weak keys: an object nobody holds any more is forgotten.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from aws_cdk import CfnResource, Stack
from constructs import IConstruct

_DEFAULT_CHILD: weakref.WeakKeyDictionary[IConstruct, IConstruct | None] = (
    weakref.WeakKeyDictionary()
)


def default_child(construct: IConstruct) -> IConstruct | None:
    """``construct.node.default_child``, asked of the jsii runtime once per ``construct``."""
    if construct not in _DEFAULT_CHILD:
        _DEFAULT_CHILD[construct] = construct.node.default_child
    return _DEFAULT_CHILD[construct]


_STACK: weakref.WeakKeyDictionary[IConstruct, Stack] = weakref.WeakKeyDictionary()


def stack_of(construct: IConstruct) -> Stack:
    """``Stack.of(construct)``: a stack is its own (no round trip), another construct's is asked
    of the jsii runtime once (a construct never moves to another stack)."""
    if isinstance(construct, Stack):
        return construct
    if construct not in _STACK:
        _STACK[construct] = Stack.of(construct)
    return _STACK[construct]


def properties_of(resource: CfnResource) -> Mapping[str, Any]:
    """The properties an L1 holds now (unresolved, camelCase keys, unset ones left out), read in
    one round trip: what ``resource.<property>`` reads would ask one at a time. For checks over
    the final state, so never remembered. (jsii exposes ``CfnResource``'s protected
    ``cfnProperties``, from which the template is rendered, as ``_cfn_properties``.)"""
    return resource._cfn_properties
