"""Templates the rules were not written for: a malformed intrinsic function (``{"Fn::Sub":
[1]}``, a ``Ref`` to a list, ``Fn::GetAtt`` of a number) is a value that cannot be followed,
``Unknown``, never a crash of the model, the rules or the command; random edits to the example
stacks' templates (seeded, so a failure replays) never make a rule raise.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from patterns.checks import main
from patterns.cloud_assembly import LoadedStack
from patterns.messaging.assembly import check_stacks
from patterns.messaging.flows import build
from patterns.messaging.linking import AssemblyModel
from patterns.messaging.model import WILDCARD, StackModel, Unknown, text_of
from patterns.messaging.rules import RULES, Finding, check_template
from tests.helpers import SNAPSHOT_DIR

MALFORMED: list[Any] = [
    {"Fn::Sub": [1]},
    {"Fn::Sub": []},
    {"Fn::Sub": ["${Queue}", {"A": 1}, "extra"]},
    {"Fn::Sub": 5},
    {"Fn::Sub": None},
    {"Fn::Sub": {"Queue": 1}},
    {"Fn::Sub": ["${X}", [1]]},
    {"Fn::Sub": ["${X}", {"X": [1]}]},
    {"Ref": [1]},
    {"Ref": {"Ref": "Queue"}},
    {"Ref": None},
    {"Ref": 5},
    {"Fn::GetAtt": 5},
    {"Fn::GetAtt": None},
    {"Fn::GetAtt": [1]},
    {"Fn::GetAtt": [None, None]},
    {"Fn::GetAtt": [["Queue"], "Arn"]},
    {"Fn::GetAtt": {"Queue": "Arn"}},
    {"Fn::GetAtt": "NoDot"},
    {"Fn::Join": [1]},
    {"Fn::Join": ["", "x"]},
    {"Fn::Join": 3},
    {"Fn::Join": ["", [{"Fn::Sub": [1]}]]},
    {"Fn::ImportValue": [1]},
    {"Fn::ImportValue": {"Fn::Sub": [1]}},
    {"Fn::GetStackOutput": [1]},
    {"Fn::GetStackOutput": {"StackName": [1], "OutputName": {"a": 1}}},
    {"Fn::Select": None},
]
QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {}}


def _subscription(topic_arn: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::SNS::Subscription",
        "Properties": {
            "TopicArn": topic_arn,
            "Protocol": "sqs",
            "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]},
        },
    }


def _template(value: Any) -> dict[str, Any]:
    return {"Resources": {"Queue": QUEUE, "Sub": _subscription(value)}}


@pytest.mark.parametrize("value", MALFORMED, ids=json.dumps)
def test_a_malformed_intrinsic_is_unknown_to_the_model(value: Any) -> None:
    for model in (
        StackModel(_template(value), "Stack"),
        AssemblyModel([LoadedStack("Stack", _template(value), {})]),
    ):
        topic_arn = model.props("Sub")["TopicArn"]
        target = model.resolve(topic_arn)
        assert isinstance(target, Unknown)
        assert target.reason  # what the note of a rule that cannot follow it says
        # never read as a literal: no text at all, or one part that stands for anything
        assert text_of(model, topic_arn) in (None, WILDCARD)


@pytest.mark.parametrize("value", MALFORMED, ids=json.dumps)
def test_the_rules_note_what_a_malformed_intrinsic_hides(value: Any) -> None:
    stacks = [LoadedStack("Stack", _template(value), {})]
    findings = check_stacks(stacks, {})
    (note,) = [f for f in findings if f.rule_id == "Messaging-SNS3"]
    assert note.level == "info"
    assert "not checked" in note.message
    graph = build(stacks, findings)  # the flow graph reads the linked AssemblyModel
    assert [n for n in graph.nodes if "Queue" in n] != []


def test_the_command_reads_an_assembly_with_a_malformed_intrinsic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 0 with a note, not the one-line "unexpected error" exit 2 of a crash."""
    template = _template({"Fn::Sub": [1]})
    (tmp_path / "Stack.template.json").write_text(json.dumps(template))
    manifest = {
        "version": "36.0.0",
        "artifacts": {
            "Stack": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": "Stack.template.json"},
            }
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert main([str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "unexpected error" not in captured.err
    assert "Messaging-SNS3" in captured.out


def test_a_delivery_stream_role_of_the_wrong_type_is_not_followed() -> None:
    delivery = {
        "Type": "AWS::KinesisFirehose::DeliveryStream",
        "Properties": {"ExtendedS3DestinationConfiguration": {"RoleARN": [], "BucketARN": []}},
    }
    findings = check_template(StackModel({"Resources": {"Delivery": delivery}}, "Stack"))
    assert [f for f in findings if f.level != "info"] == []


def test_the_flow_graph_skips_failure_destinations_of_the_wrong_shape() -> None:
    queue_arn = {"Fn::GetAtt": ["Queue", "Arn"]}
    resources = {
        "Queue": QUEUE,
        "Function": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "Mapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": queue_arn,
                "FunctionName": {"Ref": "Function"},
                "DestinationConfig": "on failure",
            },
        },
        "Invoke": {
            "Type": "AWS::Lambda::EventInvokeConfig",
            "Properties": {
                "FunctionName": {"Ref": "Function"},
                "DestinationConfig": {"OnFailure": [queue_arn]},
            },
        },
    }
    stacks = [LoadedStack("Stack", {"Resources": resources}, {})]
    graph = build(stacks, check_stacks(stacks, {}))
    assert [e.kind for e in graph.edges] == ["event-source"]


# --- functions the model cannot reach ------------------------------------------------------------

PARTNER_FUNCTION = "arn:aws:lambda:eu-west-1:999999999999:function:partner"


def _partner_targets() -> dict[str, Any]:
    """A rule, a subscription and a bucket notification that invoke a function of another
    account by its ARN."""
    return {
        "Rule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "ScheduleExpression": "rate(1 hour)",
                "Targets": [{"Id": "Partner", "Arn": PARTNER_FUNCTION}],
            },
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Sub": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": "Topic"},
                "Protocol": "lambda",
                "Endpoint": PARTNER_FUNCTION,
            },
        },
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "NotificationConfiguration": {
                    "LambdaConfigurations": [
                        {"Event": "s3:ObjectCreated:*", "Function": PARTNER_FUNCTION}
                    ]
                }
            },
        },
    }


def test_a_function_of_another_account_is_not_followed() -> None:
    """A literal function ARN that names no function of the app: nothing to judge, no loop."""
    findings = check_template(StackModel({"Resources": _partner_targets()}, "Stack"))
    judged = {"Messaging-EB3", "Messaging-SNS8", "Messaging-S3N1"}
    assert [f for f in findings if f.rule_id in judged and f.level != "info"] == []


def test_an_alias_that_names_itself_is_unknown() -> None:
    alias = {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Alias"}}}
    model = StackModel({"Resources": {"Alias": alias}}, "Stack")
    assert model.resolve_function({"Ref": "Alias"}) == Unknown(
        "AWS::Lambda::Alias Alias, whose function names itself"
    )


# --- random edits to real templates -----------------------------------------------------------

# What an edit puts in place of a value: a malformed intrinsic, or a value of another type.
REPLACEMENTS: list[Any] = [
    *MALFORMED,
    None,
    1,
    True,
    "",
    "arn:",
    "arn:aws:sqs:::",
    "arn:aws:lambda:::function",
    "https://sqs.eu-west-1.amazonaws.com/1/",
    [],
    {},
    [None],
    {"Fn::Sub": "${}"},
    {"Fn::Sub": "${Queue.}"},
]
SEEDS = 24
EDITS = 25


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _edited(template: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The template with EDITS values below its resources replaced at random."""
    edited = copy.deepcopy(template)
    for _ in range(EDITS):
        # Below Resources/<logical ID>: a resource's Type, Properties, any value inside.
        path = rng.choice([p for p in _paths(edited) if len(p) >= 3 and p[0] == "Resources"])
        parent = edited
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
    return edited


@pytest.fixture(scope="module")
def snapshots() -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(SNAPSHOT_DIR.glob("*.json"))]


def _judged(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return sorted({(f.rule_id, f.level, f.logical_id) for f in findings})


@pytest.mark.parametrize("seed", range(SEEDS))
def test_the_rules_never_raise_on_an_edited_template(
    snapshots: list[dict[str, Any]], seed: int
) -> None:
    """Every rule runs to its end on the edited template, read alone and as a one-stack
    assembly (linking has nothing to follow there, so both readings judge the same resources
    alike), and every finding names a rule of the pack and a resource of the template."""
    rng = random.Random(seed)
    original = rng.choice(snapshots)
    template = _edited(original, rng)
    assert template != original
    alone = check_template(StackModel(template, "Edited"))
    linked = check_stacks([LoadedStack("Edited", template, {})], {})
    assert _judged(alone) == _judged(linked)
    rule_ids = {rule.rule_id for rule in RULES}
    for finding in linked:
        assert finding.rule_id in rule_ids, finding
        assert (finding.stack, finding.logical_id in template["Resources"]) == ("Edited", True)
