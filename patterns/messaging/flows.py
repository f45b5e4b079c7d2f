"""The message paths of a cloud assembly as a graph, each hop with the verdict of the rules.

Nodes are the places a message passes or rests (buckets that notify, EventBridge rules, topics,
queues and their dead-letter queues, streams, delivery streams, brokers, EventBridge pipes, the
functions and worker fleets that consume, alarm topics); edges are the hops between them
(notifications, rule targets, subscriptions, redrive policies, event source mappings, Firehose
sources and destinations, a pipe's source, enrichment, target and dead-letter target, failure
destinations), each labelled with what routes messages along it (``flow_labels``). The wiring
is read through :mod:`patterns.messaging.connections`, the same code the rules use, over every
template of the assembly: references between a nested stack and its parent, and imports of
another stack's exports, are followed; what still cannot be followed (an import from outside the
assembly, a resource of another account) becomes an external node, never an error.

On each node and edge: the verdict of the ``MessagingChecks`` rules that apply (``ok``,
``at risk`` for a warning, ``broken`` for an error), whether a failure there is *caught* (a
dead-letter queue or failure destination receives it) and whether it is *watched* (an alarm
with an action watches where the failure shows: the resource that catches it, else the
resource the hop starts from). Pure Python, no aws_cdk import.
"""

from __future__ import annotations

import json
from pathlib import Path

from patterns.cloud_assembly import CloudAssembly, LoadedStack, read_assembly
from patterns.messaging.assembly import check_model
from patterns.messaging.connections import (
    alarm_watches,
    event_buckets,
    event_source_mappings,
    notifications,
    pipes,
    redrives,
    subscriptions,
)
from patterns.messaging.flow_labels import filter_label, route_labels
from patterns.messaging.flow_model import (
    AT_RISK,
    BROKEN,
    DELIVERY,
    EDGE_RULES,
    FAILURE,
    KINDS,
    OK,
    TRANSFORM,
    WIRED_ONLY,
    Edge,
    FlowGraph,
    Node,
    judges,
)
from patterns.messaging.linking import AssemblyModel
from patterns.messaging.model import (
    LiteralValue,
    Resolved,
    Target,
    Unknown,
    as_bool,
    as_json_object,
    as_list,
)
from patterns.messaging.permissions import actions_cover, identity_statements, role_id
from patterns.messaging.rules import INFO, Finding


class _Builder:
    """The nodes and hops of one linked model of the templates (``AssemblyModel``): a node's
    ID is its template and logical ID there, as the rules' findings locate it."""

    def __init__(self, model: AssemblyModel) -> None:
        self.model = model
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple[str, str, str, str], Edge] = {}

    # --- nodes -----------------------------------------------------------------------------

    def node(self, target: Target) -> str:
        """The node a target names, created on first use."""
        target = self.follow(target)
        if isinstance(target, Resolved):
            return self.resource(target.logical_id)
        text = target.text if isinstance(target, LiteralValue) else self.model.reference(target)
        node_id = f"external:{text}"
        self.nodes.setdefault(node_id, Node(node_id, "external", "", text))
        return node_id

    def follow(self, target: Target) -> Target:
        """Through aliases, versions and stream consumers to what they stand for."""
        model = self.model
        if isinstance(target, Resolved):
            kind = model.type_of(target.logical_id)
            props = model.props(target.logical_id)
            if kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                return self.follow(model.resolve_function(props.get("FunctionName")))
            if kind == "AWS::Kinesis::StreamConsumer":
                return self.follow(model.resolve(props.get("StreamARN")))
        return target

    def existing(self, target: Target, kinds: tuple[str, ...]) -> str | None:
        """The node of a resource of one of ``kinds`` the target names (created if need be)."""
        target = self.follow(target)
        if isinstance(target, Resolved) and self.model.type_of(target.logical_id) in kinds:
            return self.resource(target.logical_id)
        return None

    def node_id(self, key: str) -> str:
        """``<template>/<logical ID>`` of a resource of the model."""
        where = self.model.locate(key)
        return f"{where.stack}/{where.logical_id}"

    def resource(self, key: str) -> str:
        node_id = self.node_id(key)
        if node_id not in self.nodes:
            stack = self.model.locate(key).stack
            label = self.model.path(key).removesuffix("/Resource")
            label = label.removeprefix(stack.split("/")[0] + "/")
            kind = KINDS.get(self.model.type_of(key), self.model.type_of(key))
            self.nodes[node_id] = Node(node_id, kind, stack, label)
        return node_id

    # --- edges -----------------------------------------------------------------------------

    def edge(self, source: str, target: str, kind: str, label: str, origin: str) -> Edge:
        where = self.model.locate(origin)
        new = Edge(source, target, kind, label, (where.stack, where.logical_id))
        return self.edges.setdefault(new.key, new)

    def read(self) -> None:
        model = self.model
        # Every place a message rests; buckets, rules, functions and fleets when wired.
        for logical_id, _ in model.of_type(*KINDS):
            if model.type_of(logical_id) not in WIRED_ONLY:
                self.resource(logical_id)
        self.read_subscriptions()
        for note in notifications(model):
            bucket = self.node(note.bucket)
            label = " ".join(e.removeprefix("s3:") for e in note.events)
            label += "".join(
                f" {k}={v}" for k, v in (("prefix", note.prefix), ("suffix", note.suffix)) if v
            )
            self.edge(bucket, self.node(note.destination), "notification", label, note.at)
        self.read_rules()
        for queue, redrive, target in redrives(model):
            count = redrive.get("maxReceiveCount", "?")
            source = self.resource(queue)
            self.edge(source, self.node(target), "redrive", f"after {count} receives", queue)
        self.read_mappings()
        self.read_functions()
        self.read_firehoses()
        self.read_fleets()
        self.read_pipes()

    def read_subscriptions(self) -> None:
        model = self.model
        for sub in subscriptions(model):
            topic = self.node(sub.topic)
            endpoint = self.node(sub.endpoint)
            if isinstance(sub.endpoint, LiteralValue | Unknown):
                self.nodes[endpoint].label = f"{sub.protocol}: {self.nodes[endpoint].label}"
            label = sub.protocol
            if as_bool(sub.properties.get("RawMessageDelivery")) is True:
                label += ", raw"
            policy = as_json_object(sub.properties.get("FilterPolicy"))
            if policy:
                scope = sub.properties.get("FilterPolicyScope")
                on = " on body" if scope == "MessageBody" else ""
                label += f"\nfilter{on} {json.dumps(policy, sort_keys=True, separators=(',', ':'))}"
            self.edge(topic, endpoint, "subscription", label, sub.logical_id)
            redrive = as_json_object(sub.properties.get("RedrivePolicy"))
            if redrive:
                dlq = self.node(model.resolve(redrive.get("deadLetterTargetArn")))
                short = self.nodes[endpoint].label.rsplit("/", 1)[-1]
                label = f"undeliverable to {short}"
                self.edge(topic, dlq, "subscription-dlq", label, sub.logical_id)

    def read_rules(self) -> None:
        model = self.model
        labels = route_labels(model)
        for rule_id, props in model.of_type("AWS::Events::Rule"):
            rule = self.resource(rule_id)
            pattern = props.get("EventPattern")
            label = labels.get(rule_id) or f"schedule {props.get('ScheduleExpression', '')}"
            label = label.strip()
            for bucket in _followed(event_buckets(model, pattern)):
                source = self.node(bucket)
                self.edge(source, rule, "s3-events", "EventBridge", rule_id)
            for target in as_list(props.get("Targets")):
                if not isinstance(target, dict):
                    continue
                destination = self.node(model.resolve(target.get("Arn")))
                self.edge(rule, destination, "rule-target", label, rule_id)
                dead = target.get("DeadLetterConfig")
                if isinstance(dead, dict) and dead.get("Arn"):
                    dlq = self.node(model.resolve(dead["Arn"]))
                    self.edge(rule, dlq, "target-dlq", "undeliverable events", rule_id)

    def read_mappings(self) -> None:
        model = self.model
        for mapping, props, source, function in event_source_mappings(model):
            source_node, function_node = self.node(source), self.node(function)
            label = f"batch {props.get('BatchSize', 'default')}"
            if "ReportBatchItemFailures" in as_list(props.get("FunctionResponseTypes")):
                label += ", partial failures"
            label += filter_label(props.get("FilterCriteria"))
            if isinstance(source, Resolved) and model.type_of(source.logical_id).endswith(
                "StreamConsumer"
            ):
                label += ", enhanced fan-out"
            self.edge(source_node, function_node, "event-source", label, mapping)
            config = props.get("DestinationConfig")
            destination = config.get("OnFailure") if isinstance(config, dict) else None
            if isinstance(destination, dict) and destination.get("Destination"):
                failed = self.node(model.resolve(destination["Destination"]))
                self.edge(function_node, failed, "on-failure", "failed batches", mapping)

    def read_functions(self) -> None:
        model = self.model
        for function, props in model.of_type("AWS::Lambda::Function"):
            dead = props.get("DeadLetterConfig")
            if isinstance(dead, dict) and dead.get("TargetArn"):
                source = self.resource(function)
                target = self.node(model.resolve(dead["TargetArn"]))
                self.edge(source, target, "on-failure", "failed events", function)
        for config, props in model.of_type("AWS::Lambda::EventInvokeConfig"):
            settings = props.get("DestinationConfig")
            on_failure = settings.get("OnFailure") if isinstance(settings, dict) else None
            destination = on_failure.get("Destination") if isinstance(on_failure, dict) else None
            if destination:
                source = self.node(model.resolve_function(props.get("FunctionName")))
                target = self.node(model.resolve(destination))
                self.edge(source, target, "on-failure", "failed events", config)

    def read_firehoses(self) -> None:
        model = self.model
        for stream, props in model.of_type("AWS::KinesisFirehose::DeliveryStream"):
            node = self.resource(stream)
            source = props.get("KinesisStreamSourceConfiguration")
            if isinstance(source, dict):
                origin = self.node(model.resolve(source.get("KinesisStreamARN")))
                self.edge(origin, node, "firehose-source", "records", stream)
            for key in ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration"):
                config = props.get(key)
                if not isinstance(config, dict):
                    continue
                for processor in as_list(
                    (config.get("ProcessingConfiguration") or {}).get("Processors")
                ):
                    if not isinstance(processor, dict) or processor.get("Type") != "Lambda":
                        continue
                    for parameter in as_list(processor.get("Parameters")):
                        if (
                            isinstance(parameter, dict)
                            and parameter.get("ParameterName") == "LambdaArn"
                        ):
                            function = model.resolve_function(parameter.get("ParameterValue"))
                            target = self.node(function)
                            self.edge(node, target, TRANSFORM, "transforms records", stream)
                bucket = self.node(model.resolve(config.get("BucketARN")))
                self.edge(node, bucket, "firehose-destination", "objects", stream)
                backup = config.get("S3BackupConfiguration")
                if isinstance(backup, dict) and backup.get("BucketARN"):
                    target = self.node(model.resolve(backup["BucketARN"]))
                    self.edge(node, target, "firehose-destination", "source backup", stream)

    def read_fleets(self) -> None:
        """ECS services whose task role may receive from a queue, or read a stream (polling
        with kinesis:GetRecords, or through its enhanced fan-out consumer with
        kinesis:SubscribeToShard, as a KCL application does): the fleet consumes it."""
        model = self.model
        for service, props in model.of_type("AWS::ECS::Service"):
            task = model.resolve(props.get("TaskDefinition"))
            if not isinstance(task, Resolved):
                continue
            role = role_id(model, model.props(task.logical_id).get("TaskRoleArn"))
            if role is None:
                continue
            for statement in identity_statements(model, role):
                if statement.get("Effect") != "Allow":
                    continue
                for action, label in _FLEET_READS:
                    if not actions_cover(model, statement, action):
                        continue
                    for value in as_list(statement.get("Resource")):
                        source = self._fleet_source(model.resolve(value), action)
                        if source is not None:
                            fleet = self.resource(service)
                            self.edge(self.node(source), fleet, "consumer", label, service)

    def _fleet_source(self, target: Target, action: str) -> Target | None:
        """The queue or stream a fleet's grant names (an enhanced fan-out consumer's stream)."""
        model = self.model
        if not isinstance(target, Resolved):
            return None
        kind = model.type_of(target.logical_id)
        if action == "kinesis:SubscribeToShard":
            if kind != "AWS::Kinesis::StreamConsumer":
                return None
            stream = model.resolve(model.props(target.logical_id).get("StreamARN"))
            return stream if isinstance(stream, Resolved) else None
        expected = "AWS::SQS::Queue" if action == "sqs:ReceiveMessage" else "AWS::Kinesis::Stream"
        return target if kind == expected else None

    def read_pipes(self) -> None:
        """A pipe between its source and target, its enrichment and dead-letter target beside."""
        model = self.model
        for pipe in pipes(model):
            node = self.resource(pipe.logical_id)
            label = "batch " + str(pipe.source_parameters.get("BatchSize", "default"))
            parameters = pipe.properties.get("SourceParameters") or {}
            if isinstance(parameters, dict):
                label += filter_label(parameters.get("FilterCriteria"))
            source = self.node(pipe.source)
            self.edge(source, node, "pipe-source", label, pipe.logical_id)
            if pipe.enrichment is not None:
                enrichment = self.node(pipe.enrichment)
                self.edge(node, enrichment, TRANSFORM, "enriches", pipe.logical_id)
            target = self.node(pipe.target)
            self.edge(node, target, "pipe-target", "events", pipe.logical_id)
            if pipe.dead_letter is not None:
                dlq = self.node(pipe.dead_letter)
                self.edge(node, dlq, "pipe-dlq", "failed records", pipe.logical_id)


# What a fleet's role may do that makes it a consumer, and the label of its hop.
_FLEET_READS = (
    ("sqs:ReceiveMessage", "receives"),
    ("kinesis:GetRecords", "reads (polling)"),
    ("kinesis:SubscribeToShard", "reads (enhanced fan-out)"),
)


def _followed(targets: list[Target]) -> list[Target]:
    return [t for t in targets if isinstance(t, Resolved)]


def build(stacks: list[LoadedStack], findings: list[Finding] | None = None) -> FlowGraph:
    """The flow graph of the templates of an assembly (``cloud_assembly.read_assembly``),
    judged by ``findings`` (default: the rules over these templates linked into one model)."""
    model = AssemblyModel(stacks)
    return _build(model, check_model(model, {}) if findings is None else findings)


def _build(model: AssemblyModel, findings: list[Finding]) -> FlowGraph:
    builder = _Builder(model)
    builder.read()
    nodes, edges = builder.nodes, sorted(builder.edges.values(), key=lambda e: e.key)
    watched: set[str] = set()
    alarm_topics: dict[tuple[str, str], list[str]] = {}
    for alarm, actions, dimensions in alarm_watches(model):
        found = [builder.existing(a, ("AWS::SNS::Topic",)) for a in actions]
        topics = [t for t in found if t is not None]
        where = model.locate(alarm)
        alarm_topics[(where.stack, where.logical_id)] = topics
        for topic in topics:
            nodes[topic].kind = "alarm topic"
        if actions:
            for dimension in _followed(dimensions):
                target = builder.follow(dimension)
                if isinstance(target, Resolved):
                    watched.add(builder.node_id(target.logical_id))
    graph = FlowGraph([s.name for s in model.stacks], nodes, edges, [], _titles(model))
    _place_findings(graph, findings, alarm_topics)
    _judge(graph, watched)
    return graph


def _titles(model: AssemblyModel) -> dict[str, str]:
    """Each template's construct path: a nested stack's from its resource in the parent."""
    titles = {}
    for stack in model.stacks:
        key = model.key_of(stack.parent or "", stack.parent_resource or "")
        if key is None:
            titles[stack.name] = stack.name
            continue
        path = model.path(key)
        titles[stack.name] = path.split(".NestedStack/")[0] if ".NestedStack/" in path else path
    return titles


def _place_findings(
    graph: FlowGraph, findings: list[Finding], alarm_topics: dict[tuple[str, str], list[str]]
) -> None:
    """Each finding on the hops or nodes of the resource that carries it: a hop between
    stacks is judged by the findings of the whole assembly, like a hop inside one."""
    by_origin: dict[tuple[str, str], list[Edge]] = {}
    for edge in graph.edges:
        by_origin.setdefault(edge.origin, []).append(edge)
    drawn = set(graph.stacks)
    for finding in findings:
        if finding.level == INFO or finding.stack not in drawn:
            continue
        suffix = finding.rule_id.split("-", 1)[1]
        place = (finding.stack, finding.logical_id)
        edges = [
            e
            for e in by_origin.get(place, [])
            if any(judges(suffix, rule) for rule in EDGE_RULES.get(e.kind, ()))
        ]
        targets: list[Node | Edge] = list(edges)
        if not targets and f"{finding.stack}/{finding.logical_id}" in graph.nodes:
            targets = [graph.nodes[f"{finding.stack}/{finding.logical_id}"]]
        if not targets and place in alarm_topics:
            targets = [graph.nodes[t] for t in alarm_topics[place]]
        for target in targets:
            target.findings.append(finding)
        if not targets:
            graph.unplaced.append(finding)


def _judge(graph: FlowGraph, watched: set[str]) -> None:
    """Caught and watched on every node and hop."""
    catches = {e.source for e in graph.edges if e.kind == "redrive"}
    for node in graph.nodes.values():
        failure_targets = graph.into(node.id, FAILURE)
        if failure_targets and node.kind == "queue":
            node.kind = "dlq"
        if node.kind in ("external", "bucket", "rule", "pipe"):
            continue
        node.watched = node.id in watched
        if node.kind == "queue":
            node.caught = node.id in catches
        elif node.kind == "function" and graph.into(
            node.id, ("notification", "rule-target", "subscription")
        ):
            node.caught = bool(graph.out(node.id, ("on-failure",)))
    for edge in graph.edges:
        catcher: list[str] = []
        if edge.kind == "subscription":
            catcher = [
                e.target
                for e in graph.out(edge.source, ("subscription-dlq",))
                if e.origin == edge.origin
            ]
            edge.caught = bool(catcher)
        elif edge.kind == "rule-target":
            catcher = [e.target for e in graph.out(edge.source, ("target-dlq",))]
            edge.caught = bool(catcher)
        elif edge.kind == "notification":
            edge.caught = False
        elif edge.kind == "pipe-source":
            # An SQS source keeps what fails in its own dead-letter queue; a stream source
            # in the pipe's (a broker redelivers by its own configuration).
            kind = graph.nodes[edge.source].kind
            if kind in ("queue", "dlq"):
                catcher = [e.target for e in graph.out(edge.source, ("redrive",))]
            elif kind in ("stream", "table"):
                catcher = [e.target for e in graph.out(edge.target, ("pipe-dlq",))]
            else:
                continue
            edge.caught = bool(catcher)
        elif edge.kind in ("event-source", "consumer"):
            source = graph.nodes[edge.source]
            if source.kind in ("queue", "dlq"):
                catcher = [e.target for e in graph.out(edge.source, ("redrive",))]
            elif source.kind != "stream":
                continue  # a broker redelivers and dead-letters by its own configuration
            else:
                catcher = [
                    e.target
                    for e in graph.out(edge.target, ("on-failure",))
                    if e.origin == edge.origin
                ]
            edge.caught = bool(catcher)
        elif edge.kind in FAILURE:
            catcher = [edge.target]
        if edge.kind in DELIVERY and edge.caught is None:
            continue
        where = catcher or [edge.source]
        edge.watched = all(graph.nodes[w].watched for w in where)


def paths(graph: FlowGraph) -> list[list[Edge | Node]]:
    """Every path from an entry point to a consumer or store, along delivery hops."""
    # An entry point receives from outside the app; a place that only keeps what failed
    # (a DLQ), an alarm topic or a transformation function starts no path of its own.
    entries = [
        n
        for n in graph.nodes.values()
        if not graph.into(n.id, (*DELIVERY, TRANSFORM))
        and n.kind != "alarm topic"
        and (
            graph.out(n.id, DELIVERY)
            or (n.kind not in ("dlq", "external") and not graph.into(n.id, FAILURE))
        )
    ]
    found: list[list[Edge | Node]] = []

    def walk(node: Node, trail: list[Edge | Node], seen: set[str]) -> None:
        onward = [e for e in graph.out(node.id, DELIVERY) if e.target not in seen]
        if not onward:
            found.append(trail)
            return
        for edge in onward:
            target = graph.nodes[edge.target]
            walk(target, [*trail, edge, target], seen | {target.id})

    for entry in sorted(entries, key=lambda n: n.id):
        walk(entry, [entry], {entry.id})
    return found


def flow_graph(assembly: Path | CloudAssembly, stack: str | None = None) -> FlowGraph:
    """The flow graph of a cloud assembly (its folder, or the assembly read), or of one stack
    and its nested stacks (judged by the rules over the whole assembly, so a hop to another
    stack is judged too)."""
    read = assembly if isinstance(assembly, CloudAssembly) else read_assembly(assembly)
    stacks = read.stacks
    model = AssemblyModel(stacks)
    findings = check_model(model, {})
    if stack is not None:
        chosen = [s for s in stacks if s.name == stack or s.name.startswith(stack + "/")]
        if len(chosen) < len(stacks):
            return build(chosen, findings)
    return _build(model, findings)  # the model the rules read, not linked twice


__all__ = [
    "AT_RISK",
    "BROKEN",
    "DELIVERY",
    "EDGE_RULES",
    "FAILURE",
    "OK",
    "Edge",
    "FlowGraph",
    "Node",
    "build",
    "flow_graph",
    "paths",
]
