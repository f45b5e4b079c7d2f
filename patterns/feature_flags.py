"""Feature flags a construct pins for its own subtree, so what it synthesizes is the same in
an app with no flags (``cdk init`` writes them into ``cdk.json``; an app without that file
has none) and in one with the flags ``cdk init`` recommends.

A flag only changes what CDK renders where it is read, and CDK reads it from the construct
tree: set on a construct before its first child, it holds for everything below, whatever
the app's ``cdk.json`` says. Only the flags that change what one of our constructs renders
are pinned, each to the value ``cdk init`` recommends (``cdk.json`` of this repository).
Imports no CDK: the tables are plain data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

# What QueueWorkerFleet's Fargate service renders differently without them: an explicit
# DeploymentController {Type: ECS} beside the circuit breaker, a disabled empty deployment
# alarm block, and no LoadBalancers property. Each is a default ECS already applies, but a
# later switch of the flag would change the template (a DeploymentController change may
# replace the service).
ECS_SERVICE_FLAGS: Mapping[str, bool] = {
    "@aws-cdk/aws-ecs:disableExplicitDeploymentControllerForCircuitBreaker": True,
    "@aws-cdk/aws-ecs:removeDefaultDeploymentAlarm": True,
    "@aws-cdk/aws-ecs:removeEmptyLoadBalancers": True,
}


class _Node(Protocol):
    def set_context(self, key: str, value: object) -> None: ...


class _Construct(Protocol):
    @property
    def node(self) -> _Node: ...


def pin_feature_flags(construct: _Construct, flags: Mapping[str, bool]) -> None:
    """Set ``flags`` on ``construct`` (before it has children) for its whole subtree."""
    for flag, value in flags.items():
        construct.node.set_context(flag, value)
