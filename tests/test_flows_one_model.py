"""The flow graph reads the same linked model of the app as the rules (``AssemblyModel``):
a resource named by a literal ARN in another stack is that resource's node, and what leaves
the app is an external node named for the reference, the rules' notes saying why.

Hand-written templates (no synth): the references CDK writes only in some apps.
"""

from __future__ import annotations

from typing import Any

from patterns.cloud_assembly import LoadedStack
from patterns.messaging.assembly import check_stacks
from patterns.messaging.flows import build
from patterns.messaging.linking import AssemblyModel
from patterns.messaging.model import Unknown

QUEUE_POLICY_FOR_ANY_TOPIC = {
    "Type": "AWS::SQS::QueuePolicy",
    "Properties": {
        "Queues": [{"Ref": "Queue"}],
        "PolicyDocument": {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": {"Fn::GetAtt": ["Queue", "Arn"]},
                }
            ]
        },
    },
}


def _subscription(topic: Any, endpoint: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::SNS::Subscription",
        "Properties": {"Protocol": "sqs", "TopicArn": topic, "Endpoint": endpoint},
    }


def test_a_literal_arn_of_a_topic_in_another_stack_is_that_topics_node() -> None:
    producer = LoadedStack(
        "Producer",
        {
            "Resources": {
                "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "orders"}}
            }
        },
        {"Topic": "Producer/Topic/Resource"},
    )
    consumer = LoadedStack(
        "Consumer",
        {
            "Resources": {
                "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
                "Policy": QUEUE_POLICY_FOR_ANY_TOPIC,
                "Sub": _subscription(
                    "arn:aws:sns:us-east-1:111111111111:orders", {"Fn::GetAtt": ["Queue", "Arn"]}
                ),
            }
        },
        {"Queue": "Consumer/Queue/Resource"},
    )
    graph = build([producer, consumer])
    assert [(e.source, e.kind, e.target, e.origin) for e in graph.edges] == [
        ("Producer/Topic", "subscription", "Consumer/Queue", ("Consumer", "Sub"))
    ]
    assert not any(n.kind == "external" for n in graph.nodes.values())
    assert graph.nodes["Producer/Topic"].label == "Topic"


def test_what_leaves_the_app_is_an_external_node_named_for_the_reference() -> None:
    endpoints = {
        "Imported": {"Fn::ImportValue": "Partner-QueueArn"},
        "Given": {"Ref": "QueueArn"},
        "Read": {"Fn::GetStackOutput": {"StackName": "Elsewhere", "OutputName": "QueueArn"}},
    }
    resources: dict[str, Any] = {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {}}}
    for name, endpoint in endpoints.items():
        resources[name] = _subscription({"Ref": "Topic"}, endpoint)
    stack = LoadedStack(
        "Stack", {"Parameters": {"QueueArn": {"Type": "String"}}, "Resources": resources}, {}
    )
    graph = build([stack])
    assert sorted(n.label for n in graph.nodes.values() if n.kind == "external") == [
        "sqs: import Partner-QueueArn",
        "sqs: output QueueArn of stack Elsewhere",
        "sqs: parameter QueueArn",
    ]
    # The rules' notes on the same subscriptions say why each could not be followed.
    notes = {f.logical_id: f.message for f in check_stacks([stack], {}) if f.level == "info"}
    assert "which no stack of this app exports" in notes["Imported"]
    assert "given at deploy" in notes["Given"]
    assert "which is not in this app" in notes["Read"]


def test_reference_names_an_unfollowed_reference_and_keeps_any_other_reason() -> None:
    stack = LoadedStack(
        "Stack",
        {
            "Resources": {
                "Sub": _subscription(
                    {"Fn::ImportValue": "Partner-TopicArn"}, {"Fn::GetAtt": ["Gone", "Arn"]}
                )
            }
        },
        {},
    )
    model = AssemblyModel([stack])
    props = model.props("Sub")
    imported, missing = model.resolve(props["TopicArn"]), model.resolve(props["Endpoint"])
    assert imported == Unknown("import Partner-TopicArn, which no stack of this app exports")
    assert model.reference(imported) == "import Partner-TopicArn"
    assert isinstance(missing, Unknown)
    assert model.reference(missing) == "attribute Arn of Gone"
    assert model.reference(Unknown("pseudo parameter AWS::Region")) == (
        "pseudo parameter AWS::Region"
    )
