"""python -m patterns.flows: EventBridge pipes drawn with their source, enrichment, target and
dead-letter target; edge labels that say what distinguishes a route (the part of an EventBridge
pattern that differs from the rule's siblings on the same bus, a consumer's filter). Plain-CDK
apps synthesized once; nodes named by construct path, never by hashed logical ID.
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from patterns.messaging.flow_labels import route_labels
from patterns.messaging.flow_render import to_dot, to_text
from patterns.messaging.flows import AT_RISK, BROKEN, OK, FlowGraph, flow_graph, paths
from patterns.messaging.model import StackModel
from tests.helpers import inline_function, new_app


def _pipes(stack: cdk.Stack) -> None:
    role = iam.Role(stack, "PipeRole", assumed_by=iam.ServicePrincipal("pipes.amazonaws.com"))
    dlq = sqs.Queue(stack, "SourceDlq", retention_period=cdk.Duration.days(14))
    source = sqs.Queue(
        stack, "Source", dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5)
    )
    source.grant_consume_messages(role)
    enrich = inline_function(stack, "Enrich")
    enrich.grant_invoke(role)
    topic = sns.Topic(stack, "Target")
    topic.grant_publish(role)
    pipes.CfnPipe(
        stack,
        "QueuePipe",
        role_arn=role.role_arn,
        source=source.queue_arn,
        source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
            filter_criteria=pipes.CfnPipe.FilterCriteriaProperty(
                filters=[
                    pipes.CfnPipe.FilterProperty(pattern=json.dumps({"body": {"kind": ["order"]}}))
                ]
            )
        ),
        enrichment=enrich.function_arn,
        target=topic.topic_arn,
    )
    # A stream pipe whose role may not write its target, without a dead-letter target.
    stream = kinesis.Stream(stack, "Stream")
    stream.grant_read(role)
    pipes.CfnPipe(
        stack,
        "StreamPipe",
        role_arn=role.role_arn,
        source=stream.stream_arn,
        source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
            kinesis_stream_parameters=pipes.CfnPipe.PipeSourceKinesisStreamParametersProperty(
                starting_position="TRIM_HORIZON"
            )
        ),
        target=sqs.Queue(stack, "Unwritable").queue_arn,
    )


def _routes(stack: cdk.Stack) -> None:
    """Two rules on one bus for the same source, differing only in the order status; a
    filtered event source mapping."""
    bus = events.EventBus(stack, "Orders")
    for status in ("PLACED", "CANCELLED"):
        queue = sqs.Queue(stack, f"{status.title()}Queue")
        events.Rule(
            stack,
            f"{status.title()}Rule",
            event_bus=bus,
            event_pattern=events.EventPattern(
                source=["com.example.orders"],
                detail_type=["Order Changed"],
                detail={"status": [status]},
            ),
        ).add_target(targets.SqsQueue(queue))
    work = sqs.Queue(stack, "Work")
    handler = lambda_.Function(
        stack,
        "Handler",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"),
    )
    handler.add_event_source(
        sources.SqsEventSource(
            work,
            filters=[
                lambda_.FilterCriteria.filter(
                    {"body": {"kind": lambda_.FilterRule.is_equal("refund")}}
                )
            ],
        )
    )


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("flow-labels")
    app = new_app(outdir=str(outdir))
    _pipes(cdk.Stack(app, "Pipes"))
    _routes(cdk.Stack(app, "Routes"))
    app.synth()
    return outdir


def _label(graph: FlowGraph, node_id: str) -> str:
    node = graph.nodes[node_id]
    return f"{node.kind} {node.label}"


def _edges(graph: FlowGraph) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(source, kind, target) -> (label, verdict) of every hop."""
    return {
        (_label(graph, e.source), e.kind, _label(graph, e.target)): (e.label, e.verdict)
        for e in graph.edges
    }


def test_a_pipe_is_drawn_between_its_source_and_target(assembly: Path) -> None:
    edges = _edges(flow_graph(assembly, "Pipes"))
    assert edges == {
        ("queue Source", "pipe-source", "pipe QueuePipe"): (
            'batch default\nfilter {"body":{"kind":["order"]}}',
            OK,
        ),
        ("pipe QueuePipe", "transform", "function Enrich"): ("enriches", OK),
        ("pipe QueuePipe", "pipe-target", "topic Target"): ("events", OK),
        ("queue Source", "redrive", "dlq SourceDlq"): ("after 5 receives", OK),
        # No dead-letter target for the stream (PIPE5), a role that may not send (PIPE4).
        ("stream Stream", "pipe-source", "pipe StreamPipe"): ("batch default", AT_RISK),
        ("pipe StreamPipe", "pipe-target", "queue Unwritable"): ("events", BROKEN),
    }


def test_a_pipe_s_failures_are_caught_by_its_source_s_dead_letter_queue(assembly: Path) -> None:
    graph = flow_graph(assembly, "Pipes")
    caught = {_label(graph, e.source): e.caught for e in graph.edges if e.kind == "pipe-source"}
    assert caught == {"queue Source": True, "stream Stream": False}
    chains = [[str(getattr(i, "label", "")) for i in p if hasattr(i, "kind")] for p in paths(graph)]
    assert ["Source", "QueuePipe", "Target"] in [
        [x for x in chain if x in ("Source", "QueuePipe", "Target")] for chain in chains
    ]
    assert "shape=rarrow" in to_dot(graph)
    assert "Messaging-PIPE4" in to_text(graph)


def test_an_eventbridge_edge_shows_what_differs_from_its_siblings(assembly: Path) -> None:
    edges = _edges(flow_graph(assembly, "Routes"))
    labels = {
        target: label for (_, kind, target), (label, _) in edges.items() if kind == "rule-target"
    }
    assert labels == {
        "queue PlacedQueue": "status PLACED",
        "queue CancelledQueue": "status CANCELLED",
    }


def test_a_consumer_s_filter_is_on_its_edge(assembly: Path) -> None:
    edges = _edges(flow_graph(assembly, "Routes"))
    ((label, _),) = [v for (s, kind, _), v in edges.items() if kind == "event-source"]
    assert label.splitlines() == ["batch default", 'filter {"body":{"kind":["refund"]}}']


def _rules_model(*patterns: dict[str, object], bus: object = None) -> StackModel:
    resources: dict[str, object] = {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
    }
    for index, pattern in enumerate(patterns):
        properties: dict[str, object] = {"EventPattern": pattern}
        if bus is not None:
            properties["EventBusName"] = bus
        resources[f"Rule{index}"] = {"Type": "AWS::Events::Rule", "Properties": properties}
    return StackModel({"Resources": resources}, "Stack")


def test_a_lone_rule_shows_its_pattern_without_the_source_or_references() -> None:
    model = _rules_model(
        {
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {
                "bucket": {"name": [{"Ref": "Bucket"}]},
                "object": {"key": [{"suffix": ".jpg"}, {"suffix": ".png"}]},
            },
        }
    )
    assert route_labels(model) == {"Rule0": "Object Created, object.key suffix .jpg | suffix .png"}


def test_identical_siblings_fall_back_to_their_source_and_detail_type() -> None:
    pattern: dict[str, object] = {"source": ["com.example"], "detail-type": ["Order Placed"]}
    model = _rules_model(pattern, pattern)
    assert route_labels(model) == {
        "Rule0": "com.example, Order Placed",
        "Rule1": "com.example, Order Placed",
    }


def test_rules_of_other_sources_or_buses_are_not_siblings() -> None:
    model = _rules_model(
        {"source": ["com.example.orders"], "detail-type": ["Changed"]},
        {"source": ["com.example.billing"], "detail-type": ["Changed"]},
    )
    assert route_labels(model) == {"Rule0": "Changed", "Rule1": "Changed"}


def test_an_enrichment_the_role_may_not_invoke_is_in_the_path_summary(tmp_path: Path) -> None:
    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Enriched")
    role = iam.Role(stack, "PipeRole", assumed_by=iam.ServicePrincipal("pipes.amazonaws.com"))
    dlq = sqs.Queue(stack, "SourceDlq", retention_period=cdk.Duration.days(14))
    source = sqs.Queue(
        stack, "Source", dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5)
    )
    source.grant_consume_messages(role)
    target = sns.Topic(stack, "Target")
    target.grant_publish(role)
    pipes.CfnPipe(
        stack,
        "Pipe",
        role_arn=role.role_arn,
        source=source.queue_arn,
        enrichment=inline_function(stack, "Enrich").function_arn,  # not granted: PIPE3
        target=target.topic_arn,
    )
    app.synth()
    text = to_text(flow_graph(tmp_path))
    assert "path 1: broken" in text
    assert "ERROR Messaging-PIPE3 at Enriched/Pipe -> Enriched/Enrich (transform)" in text
