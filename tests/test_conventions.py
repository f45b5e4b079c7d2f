"""The same name, type and default for the same idea across the public constructors.

Users learn one pattern and expect the next to read the same: ``encryption_key`` is always a
``kms.IKey``, ``alarm_actions`` always a sequence of alarm actions, every threshold ends in
``_alarm_threshold``. These tests compare the constructors' signatures with each other.
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from typing import Any

import pytest
from constructs import Construct

import patterns

PATTERNS: list[Any] = [
    patterns.QueueWithDeadLetterQueue,
    patterns.SnsToSqsFanOut,
    patterns.S3EventFanOut,
    patterns.KinesisToFirehoseToS3,
    patterns.AmazonMqBroker,
]


def _public_constructs() -> list[type[Construct]]:
    found = []
    for name in patterns.__all__:
        value = getattr(patterns, name)
        if inspect.isclass(value) and issubclass(value, Construct):
            found.append(value)
    return found


CONSTRUCTS = _public_constructs()


def _type(parameter: inspect.Parameter) -> str:
    """The annotation without ``| None``: a required argument and an optional one of the same
    idea have the same type (a consumer's required ``stream``, the pattern's optional one)."""
    return str(parameter.annotation).removesuffix(" | None")


def _keywords(cls: type) -> dict[str, inspect.Parameter]:
    return {
        name: parameter
        for name, parameter in inspect.signature(cls.__init__).parameters.items()  # type: ignore[misc]
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }


# Names that mean a different thing in different constructs, on purpose: a consumer's
# ``queue`` is the queue it reads, a broker consumer's ``queue_name`` is the broker's queue,
# a Lambda consumer's ``batch_size`` default follows its source's maximum.
DIFFERENT_MEANING = {"queue", "queue_name", "stream", "batch_size", "function"}

# A synonym a constructor must not use, and the name it should use instead.
SYNONYMS = {
    "kms_key": "encryption_key",
    "key": "encryption_key",
    "master_key": "encryption_key",
    "encryption_master_key": "encryption_key",
    "alarm_topic": "alarm_actions",
    "alarm_action": "alarm_actions",
    "actions": "alarm_actions",
    "retain": "removal_policy",
    "removal": "removal_policy",
    "retention": "retention_period",
    "dlq": "dead_letter_queue",
}


def test_the_same_keyword_has_the_same_type_everywhere() -> None:
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for cls in CONSTRUCTS:
        for name, parameter in _keywords(cls).items():
            if name not in DIFFERENT_MEANING:
                seen[name][_type(parameter)].append(cls.__name__)
    differing = {name: dict(kinds) for name, kinds in seen.items() if len(kinds) > 1}
    assert differing == {}


@pytest.mark.parametrize("cls", CONSTRUCTS, ids=lambda c: c.__name__)
def test_no_synonym_of_a_shared_name(cls: type) -> None:
    used = {name: SYNONYMS[name] for name in _keywords(cls) if name in SYNONYMS}
    assert used == {}


@pytest.mark.parametrize("cls", CONSTRUCTS, ids=lambda c: c.__name__)
def test_every_threshold_is_an_alarm_threshold(cls: type) -> None:
    odd = [n for n in _keywords(cls) if "threshold" in n and not n.endswith("_alarm_threshold")]
    assert odd == []


METRIC_TYPES = {"cloudwatch.Metric", "cloudwatch.IMetric", "cloudwatch.MathExpression"}


@pytest.mark.parametrize("cls", PATTERNS, ids=lambda c: c.__name__)
def test_every_pattern_exposes_alarms_metrics_and_a_dashboard(cls: Any) -> None:
    assert isinstance(inspect.getattr_static(cls, "alarms"), property)
    dashboard = inspect.signature(cls.add_to_dashboard)
    assert list(dashboard.parameters) == ["self", "dashboard"]
    metrics = [name for name in dir(cls) if name.startswith("metric_")]
    assert metrics, f"{cls.__name__} has no metric_* method"
    for name in metrics:
        returns = str(inspect.signature(getattr(cls, name)).return_annotation)
        assert returns in {
            "cloudwatch.Metric",
            "cloudwatch.IMetric",
            "cloudwatch.MathExpression",
        }, f"{cls.__name__}.{name} returns {returns}"


@pytest.mark.parametrize("cls", CONSTRUCTS, ids=lambda c: c.__name__)
def test_shared_ideas_have_their_shared_types(cls: type) -> None:
    expected = {
        "encryption_key": "kms.IKey",
        "alarm_actions": "Sequence[cloudwatch.IAlarmAction]",
        "removal_policy": "RemovalPolicy",
        "vpc_subnets": "ec2.SubnetSelection",
        "log_retention": "logs.RetentionDays",
        "retention_period": "Duration",
    }
    keywords = _keywords(cls)
    wrong = {
        name: _type(keywords[name])
        for name, annotation in expected.items()
        if name in keywords and _type(keywords[name]) != annotation
    }
    assert wrong == {}
