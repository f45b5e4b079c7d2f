"""What the jsii runtime is asked once per object and then remembered in Python.

Every question to a CDK object is a round trip to the Node process. An L2's default child
(its L1) never changes once the L2 exists, so it is read once per object: the construct that
creates the L2 reads it, and checks that run later (other patterns' validations) find it here.
Weak keys: an object nobody holds any more is forgotten.
"""

from __future__ import annotations

import weakref

from constructs import IConstruct

_DEFAULT_CHILD: weakref.WeakKeyDictionary[IConstruct, IConstruct | None] = (
    weakref.WeakKeyDictionary()
)


def default_child(construct: IConstruct) -> IConstruct | None:
    """``construct.node.default_child``, asked of the jsii runtime once per ``construct``."""
    if construct not in _DEFAULT_CHILD:
        _DEFAULT_CHILD[construct] = construct.node.default_child
    return _DEFAULT_CHILD[construct]
