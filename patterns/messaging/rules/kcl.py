"""Rules on Kinesis Client Library (KCL) applications run as ECS tasks (``Messaging-KCL*``).

A KCL application is recognised by what its task definition tells the workers: the
environment variables ``KCL_LEASE_TABLE``, ``KCL_WORKER_METRICS_TABLE`` and
``KCL_COORDINATOR_STATE_TABLE`` that :class:`~patterns.StreamWorkerFleet` sets (the names are
in ``patterns.consumers.kcl``, a module that imports no CDK).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from patterns.consumers.kcl import (
    ENV_COORDINATOR_STATE_TABLE,
    ENV_LEASE_TABLE,
    ENV_WORKER_METRICS_TABLE,
    KCL_IAM_DOC,
    KCL_TABLES_DOC,
    METADATA_TABLE_ACTIONS,
)
from patterns.messaging.model import Resolved, StackModel, as_list
from patterns.messaging.permissions import key_info, role_id, role_may, role_may_decrypt
from patterns.messaging.rules.base import INFO, WARNING, Hit, Rule, cannot_follow, rule

DYNAMODB_KMS = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html"
)
TABLE_VARIABLES = (ENV_LEASE_TABLE, ENV_WORKER_METRICS_TABLE, ENV_COORDINATOR_STATE_TABLE)


@rule(
    "KCL1",
    WARNING,
    title="A KCL application's task role may not use one of the DynamoDB tables its workers "
    "are told to use.",
    why="KCL keeps its leases and checkpoints in DynamoDB: a worker that may not read and "
    "write its lease table (or, in KCL 3.x, the worker metrics and coordinator state tables) "
    "takes no lease, so no shard is processed and the stream's records expire unread; a "
    "table encrypted with a customer-managed key is unusable without kms:Decrypt on it.",
    fix="Grant the task role DescribeTable, Scan, GetItem, PutItem, UpdateItem and DeleteItem "
    "on each table (StreamWorkerFleet does), and the use of the tables' key.",
    sources=(KCL_IAM_DOC, KCL_TABLES_DOC, DYNAMODB_KMS),
)
def kcl_role_uses_its_tables(model: StackModel) -> Iterator[Hit]:
    for task, props in model.of_type("AWS::ECS::TaskDefinition"):
        tables = _kcl_tables(model, props)
        if not tables:
            continue
        role = role_id(model, props.get("TaskRoleArn"))
        if role is None:
            yield cannot_follow(task, "the task role", model.resolve(props.get("TaskRoleArn")))
            continue
        for variable, table in tables:
            if table is None:
                yield Hit(task, f"not checked: {variable} names no table of this stack", INFO)
                continue
            missing = [a for a in METADATA_TABLE_ACTIONS if not role_may(model, role, a, table)]
            if missing:
                yield Hit(task, f"role {role} may not {', '.join(missing)} on {table} ({variable})")
            yield from _key_hits(model, task, role, table)


def _kcl_tables(model: StackModel, props: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(variable, table logical ID or None) for each KCL table variable of the containers."""
    found: list[tuple[str, str | None]] = []
    for container in as_list(props.get("ContainerDefinitions")):
        if not isinstance(container, dict):
            continue
        for variable in as_list(container.get("Environment")):
            if not isinstance(variable, dict) or variable.get("Name") not in TABLE_VARIABLES:
                continue
            target = model.resolve(variable.get("Value"))
            table = (
                target.logical_id
                if isinstance(target, Resolved)
                and model.type_of(target.logical_id) == "AWS::DynamoDB::Table"
                else None
            )
            found.append((str(variable["Name"]), table))
    return found


def _key_hits(model: StackModel, task: str, role: str, table: str) -> Iterator[Hit]:
    encryption = model.props(table).get("SSESpecification")
    if not isinstance(encryption, dict) or encryption.get("KMSMasterKeyId") is None:
        return
    key = key_info(model, encryption.get("KMSMasterKeyId"))
    if key.kind == "customer" and key.logical_id is not None:
        if not role_may_decrypt(model, role, key.logical_id):
            yield Hit(
                task, f"role {role} may not kms:Decrypt with {key.logical_id}, the key of {table}"
            )
    elif key.kind == "unknown":
        yield Hit(task, f"not checked: the key of {table} is {key.detail}", INFO)


# The rules of this module, in the order they are run, reported and documented.
RULES: tuple[Rule, ...] = (kcl_role_uses_its_tables,)
