"""The compliance gate and cfn-lint on S3EventFanOut stacks: an existing bucket, and an app
with no feature flags at all.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from patterns.s3_event_fan_out import S3EventFanOut, s3_event_body_filter
from tests.helpers import new_app
from tests.s3_event_fan_out.common import NOTIFICATION


def test_existing_bucket_stack_passes_the_compliance_gate(tmp_path: Any) -> None:
    from patterns.alarm_topic import AlarmTopic
    from patterns.compliance import apply_compliance_checks
    from tools.compliance import summarize

    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "ExistingGate")
    alarms = AlarmTopic(stack, "Alarms")
    bucket = s3.Bucket.from_bucket_name(stack, "Existing", "my-existing-bucket")
    fan_out = S3EventFanOut(
        stack, "Uploads", bucket=bucket, alarm_actions=[alarms.action], delivery=NOTIFICATION
    )
    fan_out.add_queue("Loader")
    apply_compliance_checks(app)
    app.synth()
    table, open_count = summarize(tmp_path)
    assert open_count == 0, table


def test_pattern_without_any_feature_flag_is_cfn_lint_and_compliance_clean(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A user's app may set none of this repository's cdk.json flags: the output must still be
    # free of legacy settings (AccessControl: LogDeliveryWrite, cfn-lint W3045) and findings.
    import subprocess
    import sys
    from pathlib import Path

    from patterns.alarm_topic import AlarmTopic
    from patterns.compliance import apply_compliance_checks
    from tests.helpers import PATH_METADATA
    from tools.compliance import summarize

    monkeypatch.delenv("CDK_CONTEXT_JSON", raising=False)
    app = cdk.App(outdir=str(tmp_path), context=dict(PATH_METADATA))
    assert app.node.try_get_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy") is None
    stack = cdk.Stack(app, "NoFlags")
    alarms = AlarmTopic(stack, "Alarms")
    uploads = S3EventFanOut(stack, "Uploads", alarm_actions=[alarms.action])
    uploads.add_queue("Audit")
    uploads.add_queue(
        "Thumbnails",
        filter_policy_with_message_body=s3_event_body_filter(key_suffixes=[".jpg"]),
    )
    apply_compliance_checks(app)
    app.synth()
    table, open_count = summarize(tmp_path)
    assert open_count == 0, table
    template = json_template(tmp_path / "NoFlags.template.json")
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::S3::Bucket":
            assert "AccessControl" not in resource["Properties"]
    lint = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--format",
            "parseable",
            "--",
            str(tmp_path / "NoFlags.template.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def json_template(path: Any) -> dict[str, Any]:
    import json

    return dict(json.loads(path.read_text()))
