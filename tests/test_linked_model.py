"""The messaging checks over the whole app: a hop between stacks is checked like one inside.

Two kinds of test: apps built with aws-cdk-lib and synthesized with ``MessagingChecks``
registered (the plugin and ``python -m patterns.checks`` on the same assembly), and hand-written
templates for the references CDK writes only in some apps (``Fn::GetStackOutput``, parameters
read from SSM, imports nobody exports), read through ``AssemblyModel`` directly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from patterns import MessagingChecks, SnsToSqsFanOut
from patterns.checks import main
from patterns.cloud_assembly import LoadedStack
from patterns.flows import main as flows_main
from patterns.messaging.assembly import check_assembly, check_stacks
from patterns.messaging.linking import AssemblyModel
from patterns.messaging.model import LiteralValue, Resolved, Unknown
from patterns.messaging.rules import ERROR, INFO, Finding
from tests.helpers import CDK_CONTEXT, PATH_METADATA

OTHER_ACCOUNT_TOPIC = "arn:aws:sns:eu-west-1:999999999999:partner-orders"


def _app(outdir: Path, **pack: Any) -> cdk.App:
    app = cdk.App(context={**CDK_CONTEXT, **PATH_METADATA}, outdir=str(outdir))
    Validations.of(app).add_plugins(MessagingChecks(app, **pack))
    return app


def _two_stacks(scope: Any, *, admitted: bool) -> None:
    """A topic in one stack, its queue and subscription in another."""
    producer, consumer = cdk.Stack(scope, "Producer"), cdk.Stack(scope, "Consumer")
    topic = sns.Topic(producer, "T")
    queue = sqs.CfnQueue(consumer, "Q", sqs_managed_sse_enabled=True)
    if admitted:
        sqs.CfnQueuePolicy(
            consumer,
            "Policy",
            queues=[queue.ref],
            policy_document=iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        principals=[iam.ServicePrincipal("sns.amazonaws.com")],
                        actions=["sqs:SendMessage"],
                        resources=[queue.attr_arn],
                        conditions={"ArnEquals": {"aws:SourceArn": topic.topic_arn}},
                    )
                ]
            ),
        )
    sns.CfnSubscription(
        consumer, "S", topic_arn=topic.topic_arn, protocol="sqs", endpoint=queue.attr_arn
    )


def _synth_failing(app: cdk.App) -> str:
    with pytest.raises(RuntimeError, match="ValidationFailed") as failure:
        app.synth()
    return str(failure.value)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-stack app, at the top level and inside a stage, synthesized with the pack."""
    outdir = tmp_path_factory.mktemp("broken")
    app = _app(outdir)
    _two_stacks(app, admitted=False)
    _two_stacks(cdk.Stage(app, "Prod"), admitted=False)
    _synth_failing(app)  # the plugin fails synth; the assembly is written before
    return outdir


@pytest.fixture(scope="module")
def nested_fan_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SnsToSqsFanOut(nested_stacks=True) whose subscriber queue policy is replaced by an
    escape hatch with one that does not admit the topic."""
    outdir = tmp_path_factory.mktemp("nested")
    app = _app(outdir)
    stack = cdk.Stack(app, "Orders")
    fan_out = SnsToSqsFanOut(stack, "FanOut", nested_stacks=True)
    subscriber = fan_out.add_queue("Billing")
    fan_out.add_queue("Shipping")
    policy = subscriber.queue.node.find_child("Policy").node.default_child
    assert isinstance(policy, sqs.CfnQueuePolicy)
    policy.add_property_override(
        "PolicyDocument.Statement",
        [
            {
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "sqs:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    )
    message = _synth_failing(app)
    assert "Messaging-SNS3" in message
    return outdir


@pytest.fixture(scope="module")
def passing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, cdk.App]:
    """Cross-stack hops that deliver (in a stage too), one warning, one topic of another
    account: synth passes with the default pack."""
    outdir = tmp_path_factory.mktemp("passing")
    app = _app(outdir)
    _two_stacks(cdk.Stage(app, "Prod"), admitted=True)
    partner = cdk.Stack(app, "Partner")
    queue = sqs.Queue(partner, "Queue", enforce_ssl=True)
    topic = sns.Topic.from_topic_arn(partner, "PartnerTopic", OTHER_ACCOUNT_TOPIC)
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("sns.amazonaws.com")],
            actions=["sqs:SendMessage"],
            resources=[queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": topic.topic_arn}},
        )
    )
    sns.CfnSubscription(
        partner,
        "Subscription",
        topic_arn=topic.topic_arn,
        protocol="sqs",
        endpoint=queue.queue_arn,
    )
    app.synth()
    return outdir, app


def _open(findings: list[Finding], rule_id: str) -> list[Finding]:
    """The rule's errors and warnings that no acknowledgement covers."""
    return [
        f for f in findings if f.rule_id == rule_id and f.level != INFO and f.acknowledged is None
    ]


# --- a topic in one stack, its subscription in another -------------------------------------


def test_a_hop_between_two_stacks_is_an_error_of_the_command(broken: Path, capsys) -> None:
    assert main([str(broken)]) == 1
    output = capsys.readouterr().out
    assert "ERROR   Messaging-SNS3     Consumer Consumer/S (S)" in output
    assert "ERROR   Messaging-SNS3     Prod/Consumer Prod/Consumer/S (S)" in output
    assert "not checked" not in output


def test_findings_of_an_assembly_name_their_stack_file_and_construct(broken: Path) -> None:
    errors = [f for f in _open(check_assembly(broken), "Messaging-SNS3")]
    assert {(f.stack, f.template_file, f.logical_id, f.path, f.level) for f in errors} == {
        ("Consumer", "Consumer.template.json", "S", "Consumer/S", ERROR),
        (
            "Prod/Consumer",
            f"assembly-Prod/{_template_file(broken / 'assembly-Prod', 'Prod/Consumer')}",
            "S",
            "Prod/Consumer/S",
            ERROR,
        ),
    }


def _template_file(folder: Path, display_name: str) -> str:
    """The template file the manifest of a (nested) assembly names for a stack."""
    manifest = json.loads((folder / "manifest.json").read_text())
    (template_file,) = [
        artifact["properties"]["templateFile"]
        for artifact in manifest["artifacts"].values()
        if artifact.get("displayName") == display_name
    ]
    return str(template_file)


def _plugin_report(outdir: Path) -> tuple[str, set[tuple[str, str, str]]]:
    """The pack's conclusion and (rule, severity, construct path) of its violations."""
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == "Messaging"]
    violations = {
        (v["ruleName"], v["severity"], c["constructPath"])
        for v in plugin["violations"]
        for c in v["violatingConstructs"]
    }
    return plugin["conclusion"], violations


def test_the_plugin_reports_the_cross_stack_error_on_the_subscription(broken: Path) -> None:
    conclusion, violations = _plugin_report(broken)
    assert conclusion == "failure"
    assert ("Messaging-SNS3", "error", "Consumer/S") in violations
    assert ("Messaging-SNS3", "error", "Prod/Consumer/S") in violations


def test_the_flow_through_two_stacks_is_broken(broken: Path, capsys) -> None:
    assert flows_main([str(broken), "--stack", "Consumer"]) == 1
    output = capsys.readouterr().out
    assert "1 path(s): 1 broken, 0 at risk" in output
    assert "path 1: broken" in output
    assert "ERROR Messaging-SNS3 at " in output


# --- the nested fan-out whose queue policy an escape hatch replaced --------------------------


def test_a_nested_subscriber_the_topic_cannot_reach_fails_the_command(
    nested_fan_out: Path, capsys
) -> None:
    assert main([str(nested_fan_out)]) == 1
    errors = _open(check_assembly(nested_fan_out), "Messaging-SNS3")
    assert [(f.level, f.path.split("/")[-3:]) for f in errors] == [
        (ERROR, ["Billing", "Subscription", "Resource"])
    ]
    (error,) = errors
    assert error.stack.startswith("Orders/")
    assert error.template_file.endswith(".nested.template.json")
    assert "Messaging-SNS3" in capsys.readouterr().out


def test_nested_subscriptions_follow_their_topic_parameter(nested_fan_out: Path) -> None:
    notes = [f for f in check_assembly(nested_fan_out) if f.level == INFO]
    assert notes == []


# --- what passes ----------------------------------------------------------------------------


def test_cross_stack_hops_that_deliver_pass_with_a_note_for_another_account(
    passing: tuple[Path, cdk.App], capsys
) -> None:
    outdir, _ = passing
    findings = check_assembly(outdir)
    assert _open(findings, "Messaging-SNS3") == []
    assert main([str(outdir)]) == 0
    notes = [f for f in findings if f.level == INFO]
    assert notes
    assert {(n.stack, n.logical_id) for n in notes} == {("Partner", "Subscription")}
    assert all(f"the topic cannot be followed ({OTHER_ACCOUNT_TOPIC})" in n.message for n in notes)
    assert "cannot be followed" in capsys.readouterr().out


def test_the_plugin_shows_warnings_without_failing_synth(passing: tuple[Path, cdk.App]) -> None:
    outdir, _ = passing
    conclusion, violations = _plugin_report(outdir)
    assert conclusion == "success"
    assert violations == {
        ("Messaging-SNS6", "warning", "Prod/Consumer/S"),
        ("Messaging-SNS6", "warning", "Partner/Subscription"),
    }


def test_the_plugin_fails_on_warnings_when_asked(passing: tuple[Path, cdk.App], capfd) -> None:
    _, app = passing
    assert MessagingChecks(app).validate_scope(app).success is True
    assert MessagingChecks(app, fail_on_warnings=True).validate_scope(app).success is False
    line = capfd.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("Messaging: ")
    assert " rules over 3 template(s): 0 error(s), 2 warning(s)" in line


# --- references between templates, by hand ---------------------------------------------------


def _stack(name: str, resources: dict[str, Any], **template: Any) -> LoadedStack:
    return LoadedStack(
        name,
        {"Resources": resources, **template},
        {},
        template_file=f"{name}.template.json",
        stack_name=name,
    )


QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {}}
TOPIC = {"Type": "AWS::SNS::Topic", "Properties": {}}


def _subscription(topic_arn: Any) -> dict[str, Any]:
    return {"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": topic_arn}}


def _linked(*stacks: LoadedStack) -> AssemblyModel:
    return AssemblyModel(list(stacks))


def _topic_of(model: AssemblyModel, subscription: str) -> Any:
    return model.resolve(model.props(subscription).get("TopicArn"))


def test_an_import_resolves_to_the_exported_resource_of_another_stack() -> None:
    producer = _stack(
        "Producer",
        {"Topic": TOPIC},
        Outputs={"Arn": {"Value": {"Ref": "Topic"}, "Export": {"Name": "Producer:TopicArn"}}},
    )
    consumer = _stack("Consumer", {"Sub": _subscription({"Fn::ImportValue": "Producer:TopicArn"})})
    model = _linked(producer, consumer)
    assert _topic_of(model, "Sub") == Resolved("Topic")
    assert model.locate("Topic").stack == "Producer"
    assert model.locate("Sub").template_file == "Consumer.template.json"


def test_a_stack_output_read_with_get_stack_output_resolves_to_its_resource() -> None:
    producer = _stack("Producer", {"Topic": TOPIC}, Outputs={"Arn": {"Value": {"Ref": "Topic"}}})
    read = {"Fn::GetStackOutput": {"StackName": "Producer", "OutputName": "Arn"}}
    missing = {"Fn::GetStackOutput": {"StackName": "Elsewhere", "OutputName": "Arn"}}
    consumer = _stack("Consumer", {"Sub": _subscription(read), "Lost": _subscription(missing)})
    model = _linked(producer, consumer)
    assert _topic_of(model, "Sub") == Resolved("Topic")
    assert _topic_of(model, "Lost") == Unknown(
        "output Arn of stack Elsewhere, which is not in this app"
    )


def test_nested_stack_parameters_and_outputs_resolve_into_the_other_template() -> None:
    parent = _stack(
        "Parent",
        {
            "Topic": TOPIC,
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"Parameters": {"TopicArn": {"Ref": "Topic"}}},
            },
            "Sub": _subscription({"Fn::GetAtt": ["Child", "Outputs.QueueArn"]}),
        },
    )
    child = LoadedStack(
        "Parent/Child",
        {
            "Parameters": {"TopicArn": {"Type": "String"}, "Unset": {"Type": "String"}},
            "Resources": {
                "Queue": QUEUE,
                "Sub": _subscription({"Ref": "TopicArn"}),
                "Other": _subscription({"Fn::Sub": "${TopicArn}"}),
                "Lost": _subscription({"Ref": "Unset"}),
            },
            "Outputs": {"QueueArn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}}},
        },
        {},
        "Parent",
        "Child",
        "Parent-Child.nested.template.json",
    )
    model = _linked(parent, child)
    assert _topic_of(model, "Parent/Child/Sub") == Resolved("Topic")
    assert _topic_of(model, "Other") == Resolved("Topic")
    assert _topic_of(model, "Parent/Sub") == Resolved("Queue", "Arn")
    assert _topic_of(model, "Lost") == Unknown(
        "parameter Unset of Parent/Child, which its parent does not set"
    )
    assert model.locate("Parent/Child/Sub").logical_id == "Sub"


def test_what_leaves_the_app_stays_unknown_and_says_what_it_is() -> None:
    stack = _stack(
        "Consumer",
        {
            "Imported": _subscription({"Fn::ImportValue": "Shared:TopicArn"}),
            "Given": _subscription({"Ref": "TopicArn"}),
            "Looked": _subscription({"Ref": "TopicFromSsm"}),
            "Partner": _subscription(OTHER_ACCOUNT_TOPIC),
        },
        Parameters={
            "TopicArn": {"Type": "String"},
            "TopicFromSsm": {
                "Type": "AWS::SSM::Parameter::Value<String>",
                "Default": "/shared/topic-arn",
            },
        },
    )
    model = _linked(stack)
    assert _topic_of(model, "Imported") == Unknown(
        "import Shared:TopicArn, which no stack of this app exports"
    )
    assert _topic_of(model, "Given") == Unknown("parameter TopicArn of Consumer, given at deploy")
    assert _topic_of(model, "Looked") == Unknown(
        "parameter TopicFromSsm of Consumer, read from SSM /shared/topic-arn"
    )
    assert _topic_of(model, "Partner") == LiteralValue(OTHER_ACCOUNT_TOPIC)


def test_a_cross_stack_hop_is_judged_like_one_inside_a_stack() -> None:
    producer = _stack(
        "Producer",
        {"Topic": TOPIC},
        Outputs={"Arn": {"Value": {"Ref": "Topic"}, "Export": {"Name": "TopicArn"}}},
    )
    subscription = {
        "Type": "AWS::SNS::Subscription",
        "Properties": {
            "TopicArn": {"Fn::ImportValue": "TopicArn"},
            "Protocol": "sqs",
            "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]},
        },
    }
    consumer = _stack("Consumer", {"Queue": QUEUE, "Sub": subscription})
    findings = check_stacks([producer, consumer], {})
    assert [(f.rule_id, f.stack, f.logical_id) for f in _open(findings, "Messaging-SNS3")] == [
        ("Messaging-SNS3", "Consumer", "Sub")
    ]
    acknowledged = check_stacks(
        [producer, consumer], {"Sub": {"Messaging::Messaging-SNS3": "tested elsewhere"}}
    )
    assert [f.acknowledged for f in acknowledged if f.rule_id == "Messaging-SNS3"] == [
        "tested elsewhere"
    ]


def test_a_literal_arn_names_a_resource_of_the_app_only_in_its_stacks_account() -> None:
    def queue_stack(name: str, environment: str) -> LoadedStack:
        named = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"{name.lower()}-jobs"}}
        return LoadedStack(
            name,
            {"Resources": {f"{name}Queue": named}},
            {},
            template_file=f"{name}.template.json",
            environment=environment,
        )

    pinned = queue_stack("Pinned", "aws://111122223333/eu-west-1")
    agnostic = queue_stack("Agnostic", "aws://unknown-account/unknown-region")
    model = _linked(pinned, agnostic)
    staged = [
        LoadedStack(
            f"{stage}/Jobs",
            {
                "Resources": {
                    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}}
                }
            },
            {},
            environment=f"aws://{account}/eu-west-1",
        )
        for stage, account in (("Dev", "111111111111"), ("Prod", "222222222222"))
    ]
    stages = _linked(*staged)
    for stage, account in (("Dev", "111111111111"), ("Prod", "222222222222")):
        arn = f"arn:aws:sqs:eu-west-1:{account}:jobs"
        assert stages.resolve(arn) == Resolved(f"{stage}/Jobs/Queue")
    same = "arn:aws:sqs:eu-west-1:111122223333:pinned-jobs"
    other = "arn:aws:sqs:eu-west-1:999999999999:pinned-jobs"
    built = {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:pinned-jobs"}
    assert model.resolve(same) == Resolved("PinnedQueue")
    assert model.resolve(other) == LiteralValue(other)
    assert model.resolve(built) == Resolved("PinnedQueue")
    assert model.resolve("arn:aws:sqs:us-east-1:999999999999:agnostic-jobs") == Resolved(
        "AgnosticQueue"
    )


def test_an_import_reads_the_export_of_its_own_account_and_region() -> None:
    def exporter(name: str, environment: str) -> LoadedStack:
        output = {"Value": {"Ref": f"{name}Topic"}, "Export": {"Name": "Shared:TopicArn"}}
        return LoadedStack(
            name,
            {"Resources": {f"{name}Topic": TOPIC}, "Outputs": {"Arn": output}},
            {},
            environment=environment,
        )

    importer = LoadedStack(
        "Consumer",
        {"Resources": {"Sub": _subscription({"Fn::ImportValue": "Shared:TopicArn"})}},
        {},
        environment="aws://222222222222/eu-west-1",
    )
    model = _linked(
        exporter("Dev", "aws://111111111111/eu-west-1"),
        exporter("Prod", "aws://222222222222/eu-west-1"),
        importer,
    )
    assert _topic_of(model, "Sub") == Resolved("ProdTopic")
