"""The S3 event fan-out templates most tests read, synthesized once for the package.

``template`` is the default (EventBridge) delivery, ``notification_template`` the direct
S3 notifications; tests that hold for both use either.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from patterns.s3_event_fan_out import S3EventFanOut, S3EventRule
from tests.helpers import synth_stack
from tests.s3_event_fan_out.common import BUCKET_NAME, CREATED, NOTIFICATION, _build_new


@pytest.fixture(scope="package")
def template() -> Template:
    return synth_stack(_build_new)


@pytest.fixture(scope="package")
def notification_template() -> Template:
    return synth_stack(
        lambda stack: _build_new(stack, delivery=NOTIFICATION, bucket_name=BUCKET_NAME)
    )


@pytest.fixture(scope="package")
def existing_template() -> Template:
    def build(stack: cdk.Stack) -> None:
        bucket = s3.Bucket.from_bucket_name(stack, "Existing", "my-existing-bucket")
        fan_out = S3EventFanOut(
            stack,
            "Uploads",
            bucket=bucket,
            events=[S3EventRule(CREATED, suffix=".csv")],
            delivery=NOTIFICATION,
        )
        fan_out.add_queue("Loader")

    return synth_stack(build)
