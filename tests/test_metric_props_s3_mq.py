"""The metric_* methods of S3EventFanOut and AmazonMqBroker take the one typing of metric
options (patterns/metric_options.py), so a type checker refuses a misspelt option."""

from __future__ import annotations

import inspect

import pytest

from patterns import AmazonMqBroker, S3EventFanOut

_PATTERNS = {"S3EventFanOut": S3EventFanOut, "AmazonMqBroker": AmazonMqBroker}
_METHODS = [
    f"{pattern}.{name}"
    for pattern, cls in _PATTERNS.items()
    for name, _ in inspect.getmembers(cls, inspect.isfunction)
    if name == "metric" or name.startswith("metric_")
]


def test_both_patterns_have_metric_methods() -> None:
    assert {method.split(".")[0] for method in _METHODS} == set(_PATTERNS)


@pytest.mark.parametrize("method", _METHODS)
def test_props_are_metric_options(method: str) -> None:
    pattern, name = method.split(".")
    props = inspect.signature(getattr(_PATTERNS[pattern], name)).parameters["props"]
    assert props.kind is inspect.Parameter.VAR_KEYWORD
    assert props.annotation == "Unpack[MetricOptions]"
