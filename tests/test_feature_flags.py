"""Our constructs synthesize the same with no feature flags as with those of ``cdk.json``.

An app started without ``cdk init`` has no flags; one started with it has the flags of its CDK
version. The only difference allowed is how IAM lays out policy statements
(``@aws-cdk/aws-iam:minimizePolicies`` merges them and sorts actions): the same grants,
checked statement by statement. What a flag would change otherwise, the construct pins for its
own subtree (``patterns.feature_flags``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from patterns.feature_flags import ECS_SERVICE_FLAGS
from tests import all_patterns
from tests.helpers import CDK_CONTEXT


@pytest.fixture(scope="module")
def templates() -> tuple[dict[str, Any], dict[str, Any]]:
    return all_patterns.template(with_flags=False), all_patterns.template(with_flags=True)


def _differences(bare: Any, flagged: Any, path: str = "") -> list[str]:
    if isinstance(bare, dict) and isinstance(flagged, dict):
        found: list[str] = []
        for key in sorted(set(bare) | set(flagged)):
            if key not in bare or key not in flagged:
                found.append(f"{path}/{key}")
            else:
                found += _differences(bare[key], flagged[key], f"{path}/{key}")
        return found
    return [] if bare == flagged else [path]


def _grants(statements: list[dict[str, Any]]) -> set[str]:
    """Each statement as (effect, principal, action, resource, condition) atoms."""
    atoms = set()
    for statement in statements:
        actions = statement.get("Action")
        resources = statement.get("Resource")
        for action in actions if isinstance(actions, list) else [actions]:
            for resource in resources if isinstance(resources, list) else [resources]:
                atoms.add(
                    json.dumps(
                        [
                            statement.get("Effect"),
                            statement.get("Principal"),
                            action,
                            resource,
                            statement.get("Condition"),
                        ],
                        sort_keys=True,
                    )
                )
    return atoms


def _at(template: dict[str, Any], path: str) -> Any:
    node: Any = template
    for key in path.strip("/").split("/"):
        node = node[key]
    return node


def test_only_the_layout_of_policy_statements_differs_and_they_grant_the_same(
    templates: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    bare, flagged = templates
    differences = _differences(bare, flagged)
    assert differences, "no difference at all: the test would not notice a flag"
    for path in differences:
        assert path.endswith("/Statement"), f"{path} differs with the flags of cdk.json"
        assert _grants(_at(bare, path)) == _grants(_at(flagged, path)), path


def test_the_worker_fleet_service_is_the_same_without_flags(
    templates: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    bare, flagged = templates
    (service, other) = (
        next(r for r in t["Resources"].values() if r["Type"] == "AWS::ECS::Service")
        for t in (bare, flagged)
    )
    assert service == other
    properties = service["Properties"]
    assert "DeploymentController" not in properties
    assert "Alarms" not in properties["DeploymentConfiguration"]
    assert set(ECS_SERVICE_FLAGS) <= set(CDK_CONTEXT)
    assert all(CDK_CONTEXT[flag] == value for flag, value in ECS_SERVICE_FLAGS.items())
