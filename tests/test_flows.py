"""python -m patterns.flows: the graph of message paths of plain-CDK apps and of our examples.

The plain apps are built with aws-cdk-lib alone, synthesized once; the assertions name nodes by
construct path, never by hashed logical ID. The pictures in docs/flows/ are checked against the
graph of the synthesized examples (DOT source and summary exactly, SVG node by node).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs

from examples import EXAMPLES
from patterns.flows import main
from patterns.messaging.flow_render import render, to_dot, to_text
from patterns.messaging.flows import AT_RISK, BROKEN, OK, FlowGraph, flow_graph, paths
from tests.helpers import ROOT, SynthesizedApp, new_app

FLOWS = ROOT / "docs" / "flows"


def _plain(stack: cdk.Stack) -> None:
    bucket = s3.Bucket(stack, "Uploads")
    topic = sns.Topic(stack, "Topic")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SnsDestination(topic))
    dlq = sqs.Queue(stack, "DeadLetters", retention_period=cdk.Duration.days(14))
    queue = sqs.Queue(
        stack,
        "Work",
        visibility_timeout=cdk.Duration.seconds(60),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5),
    )
    topic.add_subscription(subs.SqsSubscription(queue, raw_message_delivery=True))
    function = lambda_.Function(
        stack,
        "Handler",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
    )
    function.add_event_source(sources.SqsEventSource(queue, report_batch_item_failures=True))


def _imports(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    imported = sqs.Queue.from_queue_arn(stack, "Imported", cdk.Fn.import_value("Shared-QueueArn"))
    theirs = sqs.Queue.from_queue_arn(
        stack, "Theirs", "arn:aws:sqs:eu-west-1:111111111111:their-queue"
    )
    for queue in (imported, theirs):
        sns.Subscription(
            stack,
            f"To{queue.node.id}",
            topic=topic,
            protocol=sns.SubscriptionProtocol.SQS,
            endpoint=queue.queue_arn,
        )


def _broken(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    queue = sqs.Queue(stack, "Queue")
    # No queue policy lets the topic send: Messaging-SNS3, every delivery refused.
    sns.CfnSubscription(
        stack, "Subscription", topic_arn=topic.topic_arn, protocol="sqs", endpoint=queue.queue_arn
    )


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("flows")
    app = new_app(outdir=str(outdir))
    for name, build in (("Plain", _plain), ("Imports", _imports), ("Broken", _broken)):
        build(cdk.Stack(app, name))
    producer = cdk.Stack(app, "Producer")
    shared = sns.Topic(producer, "Topic")
    consumer = cdk.Stack(app, "Consumer")
    shared.add_subscription(subs.SqsSubscription(sqs.Queue(consumer, "Queue")))
    parent = cdk.Stack(app, "Parent")
    nested_topic = sns.Topic(cdk.NestedStack(parent, "Child"), "Topic")
    nested_topic.add_subscription(subs.SqsSubscription(sqs.Queue(parent, "Queue")))
    app.synth()
    return outdir


def _label(graph: FlowGraph, node_id: str) -> str:
    node = graph.nodes[node_id]
    return f"{node.kind} {node.label}"


def _edges(graph: FlowGraph) -> set[tuple[str, str, str, str]]:
    return {
        (_label(graph, e.source), e.kind, _label(graph, e.target), e.verdict) for e in graph.edges
    }


def test_a_plain_app_gives_exactly_its_nodes_hops_and_verdicts(assembly: Path) -> None:
    graph = flow_graph(assembly, "Plain")
    assert sorted(_label(graph, n) for n in graph.nodes) == [
        "bucket Uploads",
        "dlq DeadLetters",
        "function Handler",
        "queue Work",
        "topic Topic",
    ]
    assert _edges(graph) == {
        ("bucket Uploads", "notification", "topic Topic", OK),
        # No subscription dead-letter queue: Messaging-SNS6, a warning.
        ("topic Topic", "subscription", "queue Work", AT_RISK),
        ("queue Work", "redrive", "dlq DeadLetters", OK),
        ("queue Work", "event-source", "function Handler", OK),
    }
    by_kind = {e.kind: e for e in graph.edges}
    assert [f.rule_id for f in by_kind["subscription"].findings] == ["Messaging-SNS6"]
    assert (by_kind["subscription"].caught, by_kind["notification"].caught) == (False, False)
    assert by_kind["event-source"].caught is True  # the queue's DLQ catches what fails
    assert by_kind["subscription"].label == "sqs, raw"
    assert by_kind["notification"].label == "ObjectCreated:*"
    assert all(n.watched in (False, None) for n in graph.nodes.values())  # no alarm at all
    assert [[str(getattr(i, "label", "")) for i in p] for p in paths(graph)] == [
        [
            "Uploads",
            "ObjectCreated:*",
            "Topic",
            "sqs, raw",
            "Work",
            "batch default, partial failures",
            "Handler",
        ]
    ]
    assert not graph.broken
    text = to_text(graph)
    assert "path 1: at risk" in text
    assert "not caught: Plain/Uploads -> Plain/Topic" in text
    assert "not watched: queue Plain/Work" in text
    assert "not watched: Plain/Work -> Plain/DeadLetters (redrive)" in text


def test_an_alarm_with_an_action_watches_its_queue(tmp_path: Path) -> None:
    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Watched")
    dlq = sqs.Queue(stack, "DeadLetters")
    queue = sqs.Queue(
        stack, "Work", dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5)
    )
    alarm = dlq.metric_approximate_number_of_messages_visible().create_alarm(
        stack,
        "DlqAlarm",
        threshold=0,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    )
    alarm.add_alarm_action(cw_actions.SnsAction(sns.Topic(stack, "Alarms")))
    queue.metric_approximate_age_of_oldest_message().create_alarm(
        stack, "SilentAlarm", threshold=60, evaluation_periods=1
    )  # no action: watches nothing
    app.synth()
    graph = flow_graph(tmp_path)
    nodes = {n.path: (n.kind, n.watched) for n in graph.nodes.values()}
    assert nodes == {
        "Watched/DeadLetters": ("dlq", True),
        "Watched/Work": ("queue", False),
        "Watched/Alarms": ("alarm topic", False),
    }
    (redrive,) = graph.edges
    assert (redrive.kind, redrive.watched) == ("redrive", True)


def test_imports_and_other_accounts_are_external_nodes(assembly: Path) -> None:
    graph = flow_graph(assembly, "Imports")
    external = sorted(n.label for n in graph.nodes.values() if n.kind == "external")
    assert external == [
        "sqs: arn:aws:sqs:eu-west-1:111111111111:their-queue",
        "sqs: import Shared-QueueArn",
    ]
    assert {e.kind for e in graph.edges} == {"subscription"}
    assert all(e.source.endswith("/" + _topic_id(graph)) for e in graph.edges)


def _topic_id(graph: FlowGraph) -> str:
    (topic,) = [n.id for n in graph.nodes.values() if n.kind == "topic"]
    return topic.rsplit("/", 1)[1]


def test_a_broken_hop_is_marked_and_exits_non_zero(assembly: Path, capsys) -> None:
    graph = flow_graph(assembly, "Broken")
    assert _edges(graph) == {("topic Topic", "subscription", "queue Queue", BROKEN)}
    (edge,) = graph.edges
    assert "Messaging-SNS3" in {f.rule_id for f in edge.findings}
    assert graph.broken
    assert main([str(assembly), "--stack", "Broken"]) == 1
    out = capsys.readouterr().out
    assert "path 1: broken" in out
    assert "ERROR Messaging-SNS3 at Broken/Topic -> Broken/Queue" in out
    dot = to_dot(graph)
    assert "style=dotted, penwidth=3.5" in dot
    assert "BROKEN SNS3" in dot
    assert main([str(assembly), "--stack", "Plain"]) == 0


def test_a_subscription_across_stacks_follows_the_export(assembly: Path) -> None:
    graph = flow_graph(assembly)
    assert ("topic Topic", "subscription", "queue Queue", AT_RISK) in _edges(graph)
    crossing = [
        e
        for e in graph.edges
        if e.source.startswith("Producer/") and e.target.startswith("Consumer/")
    ]
    assert len(crossing) == 1


def test_a_subscription_to_a_nested_stack_topic_follows_its_output(assembly: Path) -> None:
    graph = flow_graph(assembly, "Parent")
    assert [(graph.nodes[e.source].stack, graph.nodes[e.target].stack) for e in graph.edges] == [
        (next(s for s in graph.stacks if s.startswith("Parent/")), "Parent")
    ]
    assert not any(n.kind == "external" for n in graph.nodes.values())
    assert 'subgraph "cluster_Parent/' in to_dot(graph)
    assert 'label="Parent/Child"' in to_dot(graph)


def test_the_command_needs_a_cloud_assembly(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 2


# --- the docs: pictures drawn from the examples ------------------------------------------------


@pytest.mark.parametrize("example", [e.stack_name for e in EXAMPLES])
def test_the_flow_pictures_are_drawn_from_the_examples(
    examples_app: SynthesizedApp, example: str
) -> None:
    graph = flow_graph(examples_app.outdir, example)
    stale = f"docs/flows/{example} is stale: make flows"
    assert (FLOWS / f"{example}.dot").read_text() == to_dot(graph, example), stale
    assert (FLOWS / f"{example}.txt").read_text() == to_text(graph), stale
    svg = (FLOWS / f"{example}.svg").read_text()
    titles = re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>', svg)
    assert sorted(t.replace("&#45;", "-") for t in titles) == sorted(graph.nodes), stale
    assert (FLOWS / f"{example}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not graph.broken


PAGES = {
    "OrdersProcessing": "queue_with_dlq",
    "OrderFanOut": "sns_fan_out",
    "ImageUploads": "s3_event_fan_out",
    "TruckPositions": "kinesis_firehose_s3",
    "BrokerMigration": "amazon_mq",
}


@pytest.mark.parametrize("example", sorted(PAGES))
def test_each_pattern_page_shows_its_example_flows(example: str) -> None:
    page = (ROOT / "docs" / "patterns" / f"{PAGES[example]}.md").read_text()
    assert f"](../flows/{example}.svg)" in page


def test_the_readme_shows_the_flows() -> None:
    assert "](docs/flows/OrderFanOut.svg)" in (ROOT / "README.md").read_text()


def test_dot_renders_every_node(assembly: Path, tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        if os.environ.get("REQUIRE_GRAPHVIZ"):
            pytest.fail(
                "Graphviz's dot is missing: make setup installs graphviz-pure, make unit links it"
            )
        pytest.skip("Graphviz's dot is not on PATH (make unit puts graphviz-pure there)")
    graph = flow_graph(assembly)
    svg, png = render(to_dot(graph), tmp_path / "flows")
    assert len(re.findall(r'class="node"', svg.read_text())) == len(graph.nodes)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fleets_reading_a_stream_of_another_stack_are_drawn(tmp_path: Path) -> None:
    """A KCL-style fleet: an ECS service whose task role polls a stream (GetRecords) or
    subscribes through its enhanced fan-out consumer (SubscribeToShard), the stream in
    another stack; a role with neither reads nothing."""
    app = new_app(outdir=str(tmp_path))
    stream = kinesis.Stream(cdk.Stack(app, "Streams"), "Positions", shard_count=1)
    readers = cdk.Stack(app, "Readers")
    consumer = kinesis.CfnStreamConsumer(
        readers, "Consumer", stream_arn=stream.stream_arn, consumer_name="geofencing"
    )
    grants = {
        "Polling": ("kinesis:GetRecords", stream.stream_arn),
        "FanOut": ("kinesis:SubscribeToShard", consumer.attr_consumer_arn),
        "Describing": ("kinesis:DescribeStreamSummary", stream.stream_arn),
    }
    for name, (action, resource) in grants.items():
        role = iam.Role(
            readers, f"{name}Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com")
        )
        role.add_to_policy(iam.PolicyStatement(actions=[action], resources=[resource]))
        task = ecs.CfnTaskDefinition(
            readers,
            f"{name}Task",
            task_role_arn=role.role_arn,
            container_definitions=[
                ecs.CfnTaskDefinition.ContainerDefinitionProperty(name="app", image="app")
            ],
        )
        ecs.CfnService(readers, f"{name}Service", task_definition=task.ref)
    app.synth()
    graph = flow_graph(tmp_path)
    assert {
        (e.kind, e.label, _label(graph, e.target)) for e in graph.edges if e.kind == "consumer"
    } == {
        ("consumer", "reads (polling)", "fleet PollingService"),
        ("consumer", "reads (enhanced fan-out)", "fleet FanOutService"),
    }
    assert {_label(graph, e.source) for e in graph.edges} == {"stream Positions"}
