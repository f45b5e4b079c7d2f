"""The AWS limits of the S3 fan-out and Amazon MQ are written once, in patterns.limits, and the
tables keyed by the packages' enums are those tables."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from patterns import limits
from patterns.amazon_mq.monitoring import instance_numbers
from patterns.amazon_mq.options import (
    HA_MODES,
    PROTOCOL_PORTS,
    SUBNET_COUNTS,
    SUPPORTED_VERSIONS,
    BrokerEngine,
)
from patterns.cost import BROKER_INSTANCES
from patterns.s3_event_fan_out.events import EVENT_BRIDGE_DETAIL_TYPES, EVENT_BRIDGE_EVENTS

ROOT = Path(__file__).resolve().parents[1]


def test_the_limits_module_imports_only_the_standard_library() -> None:
    tree = ast.parse((ROOT / "patterns" / "limits.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
    }
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


def test_every_detail_type_the_fan_out_maps_to_is_one_s3_sends_and_every_one_is_mapped() -> None:
    mapped = {kind for kinds, _ in EVENT_BRIDGE_EVENTS.values() for kind in kinds}
    assert mapped == limits.S3_EVENT_BRIDGE_DETAIL_TYPES
    assert EVENT_BRIDGE_DETAIL_TYPES is limits.S3_EVENT_BRIDGE_DETAIL_TYPES


def test_the_broker_tables_are_the_limits_tables_keyed_by_engine() -> None:
    for engine in BrokerEngine:
        assert {p.value: port for p, port in PROTOCOL_PORTS[engine].items()} == (
            limits.AMAZON_MQ_PROTOCOL_PORTS[engine.value]
        )
        assert SUPPORTED_VERSIONS[engine] == limits.AMAZON_MQ_SUPPORTED_VERSIONS[engine.value]
        assert HA_MODES[engine] in limits.AMAZON_MQ_BROKER_INSTANCES
    assert SUBNET_COUNTS is limits.AMAZON_MQ_SUBNET_COUNTS


def test_cost_and_metrics_count_the_same_broker_instances() -> None:
    assert BROKER_INSTANCES is limits.AMAZON_MQ_BROKER_INSTANCES
    assert instance_numbers("SINGLE_INSTANCE") == [1]
    assert instance_numbers("ACTIVE_STANDBY_MULTI_AZ") == [1, 2]


def _literal_numbers(path: Path) -> set[int]:
    tree = ast.parse(path.read_text())
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and type(node.value) is int
    }


def test_the_packages_write_none_of_these_limits_themselves() -> None:
    written = {
        limits.S3_FILTER_VALUE_MAX_LENGTH,
        limits.S3_BUCKET_NAME_MAX_LENGTH,
        limits.EVENT_BRIDGE_PATTERN_SIZE_DEFAULT,
        limits.EVENT_BRIDGE_PATTERN_SIZE_MAX,
        limits.EVENT_BRIDGE_RULE_NAME_MAX_LENGTH,
        limits.LOGS_RESOURCE_POLICY_NAME_MAX_LENGTH,
        limits.AMAZON_MQ_BROKER_NAME_MAX_LENGTH,
        *limits.AMAZON_MQ_PROTOCOL_PORTS["ACTIVEMQ"].values(),
        *limits.AMAZON_MQ_CONSOLE_PORTS.values(),
    }
    for package in ("s3_event_fan_out", "amazon_mq"):
        for path in (ROOT / "patterns" / package).glob("*.py"):
            assert not _literal_numbers(path) & written, path
