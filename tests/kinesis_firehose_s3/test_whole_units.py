"""Options CloudFormation takes as integers are refused when fractional (they ended in a raw
jsii error, or reached the template and failed at deploy)."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Duration

from tests.kinesis_firehose_s3.common import build_pattern, build_with_function


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"buffering_interval": Duration.millis(1500)},
            r"buffering_interval must be a whole number of seconds, got 1\.5 seconds",
        ),
        (
            {"retention_period": Duration.minutes(24 * 60 + 30)},
            r"retention_period must be a whole number of hours, got 24\.5 hours",
        ),
        ({"shard_count": 2.5}, r"shard_count must be a whole number of at least 1, got 2\.5"),
        (
            {"data_freshness_alarm_threshold": Duration.millis(150_500)},
            r"data_freshness_alarm_threshold must be a whole number of seconds, got 150\.5",
        ),
    ],
)
def test_fractional_values_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_pattern(**options)


def test_fractional_transformation_buffering_interval_is_refused() -> None:
    with pytest.raises(
        ValueError,
        match=r"transformation_buffering_interval must be a whole number of seconds, got 1\.5",
    ):
        build_with_function(transformation_buffering_interval=Duration.millis(1500))


def test_fractional_transformation_retries_are_refused() -> None:
    with pytest.raises(
        ValueError,
        match=r"transformation_retries must be a whole number between 0 and 300, got 1\.5",
    ):
        build_with_function(transformation_retries=1.5)
