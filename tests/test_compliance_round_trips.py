"""What the gate's helpers cost in round trips to the jsii runtime (synth time): a resource's
checkov metadata is read once, not again for each skip."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_sqs as sqs

from benchmarks.roundtrips import counting
from patterns.compliance import acknowledge_all, skip_checkov


def test_a_second_skip_on_a_resource_does_not_read_its_metadata_again() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Skips")
    resource = sqs.Queue(stack, "Queue").node.default_child
    user_metadata = {"skip": [{"id": "CKV_AWS_0", "comment": "the user's own"}]}
    resource.add_metadata("checkov", user_metadata)  # type: ignore[union-attr]
    with counting() as first:
        skip_checkov(resource, "CKV_AWS_1", "first")  # type: ignore[arg-type]
    with counting() as second:
        skip_checkov(resource, "CKV_AWS_2", "second")  # type: ignore[arg-type]
    assert (first.total, second.total) == (2, 1)
    (template,) = app.synth().stacks
    (queue,) = template.template["Resources"].values()
    assert [s["id"] for s in queue["Metadata"]["checkov"]["skip"]] == [
        "CKV_AWS_0",
        "CKV_AWS_1",
        "CKV_AWS_2",
    ]


def test_acknowledging_several_rules_on_a_scope_is_one_call() -> None:
    stack = cdk.Stack(cdk.App(), "Acknowledged")
    reasons = {
        "AwsSolutions::AwsSolutions-SQS3": "A reason.",
        "AwsSolutions::AwsSolutions-SQS4": "Another reason.",
    }
    with counting() as calls:
        acknowledge_all(stack, reasons)
    assert calls.total == 2  # Validations.of(scope) and its acknowledge(...)


def test_a_skip_on_a_resource_created_here_writes_without_reading() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Skips")
    resource = sqs.Queue(stack, "Queue").node.default_child
    with counting() as calls:
        skip_checkov(resource, "CKV_AWS_1", "first", created_here=True)  # type: ignore[arg-type]
        skip_checkov(resource, "CKV_AWS_2", "second", created_here=True)  # type: ignore[arg-type]
    assert calls.total == 2
    (template,) = app.synth().stacks
    (queue,) = template.template["Resources"].values()
    assert queue["Metadata"]["checkov"] == {
        "skip": [{"id": "CKV_AWS_1", "comment": "first"}, {"id": "CKV_AWS_2", "comment": "second"}]
    }
