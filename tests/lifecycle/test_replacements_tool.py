"""The update-safety tool itself, on tiny hand-made templates: each rule can fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.lifecycle.replacements import (
    StackTemplate,
    create_only_properties,
    physical_names,
    replacements,
    stateful,
)


def resource(resource_type: str, path: str, **properties: Any) -> dict[str, Any]:
    return {"Type": resource_type, "Properties": properties, "Metadata": {"aws:cdk:path": path}}


def template(**resources: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": resources}


QUEUE = resource("AWS::SQS::Queue", "S/Q/Queue", QueueName="q", VisibilityTimeout=30)


def test_create_only_properties_come_from_the_cfn_lint_schemas():
    assert set(create_only_properties("AWS::SQS::Queue")) == {("FifoQueue",), ("QueueName",)}
    assert ("DeploymentMode",) in create_only_properties("AWS::AmazonMQ::Broker")
    assert create_only_properties("AWS::KMS::Key") == ()


def test_an_unknown_type_is_an_error_not_an_empty_list():
    with pytest.raises(KeyError):
        create_only_properties("AWS::Nothing::Here")


def test_unchanged_template_replaces_nothing():
    assert replacements(template(Q=QUEUE), template(Q=QUEUE)) == {}


def test_an_updatable_property_replaces_nothing():
    after = resource("AWS::SQS::Queue", "S/Q/Queue", QueueName="q", VisibilityTimeout=60)
    assert replacements(template(Q=QUEUE), template(Q=after)) == {}


@pytest.mark.parametrize(
    ("changed", "reason"),
    [({"QueueName": "r"}, "QueueName"), ({"FifoQueue": True}, "FifoQueue")],
)
def test_a_create_only_property_change_replaces(changed, reason):
    after = resource("AWS::SQS::Queue", "S/Q/Queue", **{**QUEUE["Properties"], **changed})
    [(path, found)] = replacements(template(Q=QUEUE), template(Q=after)).items()
    assert path == "S/Q/Queue"
    assert found.reason == f"create-only {reason} changed"
    assert found.stateful


def test_adding_a_create_only_property_replaces():
    before = resource("AWS::SQS::Queue", "S/Q/Queue")
    after = resource("AWS::SQS::Queue", "S/Q/Queue", QueueName="q")
    assert replacements(template(Q=before), template(Q=after))["S/Q/Queue"].reason == (
        "create-only QueueName changed"
    )


def test_a_nested_create_only_property_is_compared_at_its_path():
    firehose = "AWS::KinesisFirehose::DeliveryStream"
    before = resource(firehose, "S/D", KinesisStreamSourceConfiguration={"KinesisStreamARN": "a"})
    after = resource(firehose, "S/D", KinesisStreamSourceConfiguration={"KinesisStreamARN": "b"})
    assert "S/D" in replacements(template(D=before), template(D=after))


def test_a_new_logical_id_for_the_same_path_is_a_replacement():
    [(_, found)] = replacements(template(Q=QUEUE), template(Q2=QUEUE)).items()
    assert found.reason == "moved: Q -> Q2"
    assert not found.renamed  # the fixed name stays: CloudFormation cannot create the new one


def test_a_removed_resource_is_reported_as_removed():
    assert replacements(template(Q=QUEUE), template())["S/Q/Queue"].reason == "removed"


def test_an_added_resource_replaces_nothing():
    assert replacements(template(), template(Q=QUEUE)) == {}


def test_a_type_change_replaces():
    topic = resource("AWS::SNS::Topic", "S/Q/Queue")
    assert replacements(template(Q=QUEUE), template(Q=topic))["S/Q/Queue"].reason.startswith(
        "type AWS::SQS::Queue"
    )


def test_a_create_only_reference_to_a_replaced_resource_cascades():
    stream = resource("AWS::Kinesis::Stream", "S/Stream", Name="s1")
    renamed = resource("AWS::Kinesis::Stream", "S/Stream", Name="s2")
    delivery = resource(
        "AWS::KinesisFirehose::DeliveryStream",
        "S/Delivery",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": {"Fn::GetAtt": ["St", "Arn"]}},
    )
    found = replacements(template(St=stream, D=delivery), template(St=renamed, D=delivery))
    assert found["S/Delivery"].reason == (
        "create-only KinesisStreamSourceConfiguration refers to replaced St"
    )
    # An updatable reference (a queue's key) does not cascade.
    key_user = resource("AWS::SQS::Queue", "S/Q", KmsMasterKeyId={"Ref": "St"})
    assert "S/Q" not in replacements(
        template(St=stream, Q=key_user), template(St=renamed, Q=key_user)
    )


def test_a_move_to_another_nested_stack_is_a_replacement():
    root = template(
        A=resource("AWS::CloudFormation::Stack", "S/A.NestedStack/A.NestedStackResource"),
        B=resource("AWS::CloudFormation::Stack", "S/B.NestedStack/B.NestedStackResource"),
    )
    before = StackTemplate(root, {"A": StackTemplate(template(Q=QUEUE)), "B": StackTemplate({})})
    after = StackTemplate(root, {"A": StackTemplate({}), "B": StackTemplate(template(Q=QUEUE))})
    found = replacements(before, after)
    assert found["S/Q/Queue"].reason == "moved: A/Q -> B/Q"
    assert stateful(found).keys() == {"S/Q/Queue"}


def test_a_construct_moved_between_nested_stacks_is_found_by_its_position():
    def stack(holder: str) -> StackTemplate:
        nested = {
            name: resource("AWS::CloudFormation::Stack", f"S/F/{name}.NestedStack/{name}.Res")
            for name in ("A", "B")
        }
        queue = resource("AWS::SQS::Queue", f"S/F/{holder}/Q/Queue", QueueName=f"{holder}-q")
        return StackTemplate(
            template(**nested),
            {
                name: StackTemplate(template(Q=queue) if name == holder else {})
                for name in ("A", "B")
            },
        )

    found = replacements(stack("A"), stack("B"))
    assert found["S/F/A/Q/Queue"].reason == "moved to S/F/B/Q/Queue"
    assert found["S/F/A/Q/Queue"].renamed


def test_nested_templates_are_read_from_the_assembly(tmp_path: Path):
    nested = "Parent.nested.template.json"
    (tmp_path / nested).write_text(json.dumps(template(Q=QUEUE)))
    root = template(
        N={
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {},
            "Metadata": {"aws:cdk:path": "S/N", "aws:asset:path": nested},
        }
    )
    (tmp_path / "S.template.json").write_text(json.dumps(root))
    loaded = StackTemplate.from_file(tmp_path / "S.template.json")
    assert loaded.nested["N"].template == template(Q=QUEUE)
    assert replacements(loaded, StackTemplate(root, {"N": StackTemplate({})}))[
        "S/Q/Queue"
    ].reason == ("removed")


def test_physical_names_lists_literal_names_only():
    named = template(
        Q=QUEUE,
        T=resource(
            "AWS::SNS::Topic", "S/T", TopicName={"Fn::Join": ["", [{"Ref": "AWS::StackName"}]]}
        ),
        B=resource("AWS::S3::Bucket", "S/B"),
        P=resource("AWS::Logs::ResourcePolicy", "S/P", PolicyName="p"),
    )
    assert physical_names(named) == {
        "S/Q/Queue": ("AWS::SQS::Queue", "q"),
        "S/P": ("AWS::Logs::ResourcePolicy", "p"),
    }


def test_custom_resources_and_cdk_metadata_have_no_create_only_properties():
    before = template(
        M=resource("AWS::CDK::Metadata", "S/CDKMetadata/Default", Analytics="v1"),
        C=resource("Custom::S3BucketNotifications", "S/N", BucketName="a"),
    )
    after = template(
        M=resource("AWS::CDK::Metadata", "S/CDKMetadata/Default", Analytics="v2"),
        C=resource("Custom::S3BucketNotifications", "S/N", BucketName="b"),
    )
    assert replacements(before, after) == {}
