"""What the flow graph is made of: nodes (places a message passes or rests), edges (the hops
between them, for delivery or for failure), each with its findings, verdict, caught and
watched; and which rules judge which kind of hop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from patterns.messaging.rules import ERROR, WARNING, Finding

OK, AT_RISK, BROKEN = "ok", "at risk", "broken"

KINDS = {
    "AWS::S3::Bucket": "bucket",
    "AWS::Events::Rule": "rule",
    "AWS::SNS::Topic": "topic",
    "AWS::SQS::Queue": "queue",
    "AWS::Kinesis::Stream": "stream",
    "AWS::KinesisFirehose::DeliveryStream": "firehose",
    "AWS::AmazonMQ::Broker": "broker",
    "AWS::Lambda::Function": "function",
    "AWS::ECS::Service": "fleet",
    "AWS::Pipes::Pipe": "pipe",
    "AWS::DynamoDB::Table": "table",
    "AWS::StepFunctions::StateMachine": "state machine",
}
# Drawn only when a hop names them (a bucket that notifies, a function that consumes, ...).
WIRED_ONLY = (
    "AWS::S3::Bucket",
    "AWS::Lambda::Function",
    "AWS::DynamoDB::Table",
    "AWS::StepFunctions::StateMachine",
)

# Hops a message takes on its way; the others are where a failed one goes.
DELIVERY: tuple[str, ...] = (
    "notification",
    "s3-events",
    "rule-target",
    "subscription",
    "event-source",
    "consumer",
    "firehose-source",
    "firehose-destination",
    "pipe-source",
    "pipe-target",
)
FAILURE: tuple[str, ...] = ("redrive", "subscription-dlq", "target-dlq", "on-failure", "pipe-dlq")
# A Firehose transformation or a pipe's enrichment: records go through the function (or state
# machine) and back, so it is drawn but no path ends there.
TRANSFORM = "transform"

# Edge kind -> the rules (ID suffixes; "*" ends a family) that judge that hop; the other
# rules judge the node they report on (a queue's settings, a topic's name, a broker).
EDGE_RULES = {
    "notification": ("S3N1", "S3N2", "S3N3", "S3N4", "S3N5", "DENY1"),
    "s3-events": ("S3N6",),
    "rule-target": (
        "EB1",
        "EB2",
        "EB3",
        "EB4",
        "EBT1",
        "EBT2",
        "EBT3",
        "EBBUS2",
        "FHPUT1",
        "DENY1",
    ),
    "target-dlq": ("EB5",),
    "subscription": (
        "SNS1",
        "SNS2",
        "SNS3",
        "SNS4",
        "SNS5",
        "SNS6",
        "SNS8",
        "SNS9",
        "SNS11",
        "SNS12",
        "SNS13",
        "SNS14",
        "SUB1",
        "SUB2",
        "SUB3",
        "FHPUT1",
        "DENY1",
    ),
    "subscription-dlq": ("SNS7",),
    "redrive": ("SQS1", "SQS2", "SQS3", "SQS7"),
    "event-source": ("LAMBDA*",),
    "firehose-source": ("FH1", "FH3"),
    "firehose-destination": ("FH2", "FH4"),
    "on-failure": ("ASYNC1",),
    "pipe-source": ("PIPE1", "PIPE2", "PIPE5", "PIPE6"),
    "transform": ("PIPE3",),
    "pipe-target": ("PIPE4", "PIPE8", "PIPE9", "FHPUT1"),
    "pipe-dlq": ("PIPE7",),
}


def judges(suffix: str, rule: str) -> bool:
    if rule.endswith("*"):
        return suffix.startswith(rule[:-1]) and suffix[len(rule) - 1 :].isdigit()
    return suffix == rule


@dataclass
class Node:
    id: str  # "<stack>/<logical ID>", or "external:..." for what the assembly does not hold
    kind: str  # a KINDS value, "dlq", "alarm topic" or "external"
    stack: str  # the template it is in ("" for external nodes)
    label: str  # the construct path inside its stack, or what names the external resource
    findings: list[Finding] = field(default_factory=list)
    caught: bool | None = None  # None: not a place where a message fails on its own
    watched: bool | None = None

    @property
    def verdict(self) -> str:
        return verdict_of(self.findings)

    @property
    def path(self) -> str:
        """The construct path (the label within its top-level stack), or the external name."""
        return f"{self.stack.split('/')[0]}/{self.label}" if self.stack else self.label


@dataclass
class Edge:
    source: str
    target: str
    kind: str  # a DELIVERY or FAILURE value
    label: str
    origin: tuple[str, str]  # (stack, logical ID) of the resource that makes the hop
    findings: list[Finding] = field(default_factory=list)
    caught: bool | None = None
    watched: bool | None = None

    @property
    def verdict(self) -> str:
        return verdict_of(self.findings)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.source, self.target, self.kind, self.label)


def verdict_of(findings: list[Finding]) -> str:
    levels = {f.level for f in findings}
    return BROKEN if ERROR in levels else AT_RISK if WARNING in levels else OK


@dataclass
class FlowGraph:
    stacks: list[str]  # template names, parents before their nested stacks
    nodes: dict[str, Node]
    edges: list[Edge]
    unplaced: list[Finding]  # findings on resources that are neither a node nor a hop
    titles: dict[str, str] = field(default_factory=dict)  # template -> its construct path

    def out(self, node_id: str, kinds: tuple[str, ...]) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id and e.kind in kinds]

    def into(self, node_id: str, kinds: tuple[str, ...]) -> list[Edge]:
        return [e for e in self.edges if e.target == node_id and e.kind in kinds]

    @property
    def broken(self) -> bool:
        elements: list[Node | Edge] = [*self.nodes.values(), *self.edges]
        return any(e.verdict == BROKEN for e in elements)
