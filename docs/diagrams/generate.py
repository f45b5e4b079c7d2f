"""Render one architecture diagram per pattern into docs/diagrams/<name>.png.

Run with ``make diagrams`` (needs the ``diagrams`` package from requirements-docs.txt and
Graphviz's ``dot``). The output is committed, so it must not change between runs: every
node has a fixed id (``diagrams`` would otherwise draw a random one), every graph attribute
is set here and the PNG carries no timestamp. ``python docs/diagrams/generate.py NAME ...``
renders only the named diagrams.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from diagrams import Cluster, Diagram, Edge, Node
from diagrams.aws.analytics import KinesisDataFirehose, KinesisDataStreams
from diagrams.aws.compute import ElasticContainerService
from diagrams.aws.general import Client, Users
from diagrams.aws.integration import (
    MQ,
    Eventbridge,
    SimpleNotificationServiceSns,
    SimpleQueueServiceSqs,
)
from diagrams.aws.iot import IotCar
from diagrams.aws.management import CloudwatchAlarm, CloudwatchLogs
from diagrams.aws.security import KeyManagementService, SecretsManager
from diagrams.aws.storage import SimpleStorageServiceS3Bucket

OUT_DIR = Path(__file__).resolve().parent

GRAPH = {
    "pad": "0.3",
    "nodesep": "0.35",
    "ranksep": "0.9",
    "splines": "spline",
    "fontname": "Sans-Serif",
    "fontsize": "20",
    "labelloc": "t",
    "dpi": "80",
    "newrank": "true",
}
NODE = {"fontsize": "12"}
EDGE = {"fontsize": "11", "fontname": "Sans-Serif"}

# Edge styles: the data path, the failure path, what encrypts and what is watched.
DATA = {"color": "#232F3E", "penwidth": "1.6"}
FAILURE = {"color": "#C7131F", "style": "dashed", "fontcolor": "#C7131F"}
KEY = {"color": "#7B8894", "style": "dotted", "arrowhead": "none"}
METRIC = {"color": "#7B8894", "style": "dotted"}
ALARM = {"color": "#7B8894"}
# The alarms of a construct stand in one column; the construct's name is at its top right,
# out of the way of the edges that come in from the left.
ALARMS = {"rank": "same"}
CONSTRUCT = {"labeljust": "r", "fontsize": "14"}


@contextmanager
def diagram(name: str, title: str) -> Iterator[Diagram]:
    """A left-to-right diagram rendered to ``OUT_DIR/<name>.png`` when the block ends."""
    with Diagram(
        title,
        filename=str(OUT_DIR / name),
        outformat="png",
        show=False,
        direction="LR",
        graph_attr=GRAPH,
        node_attr=NODE,
        edge_attr=EDGE,
    ) as d:
        yield d


def edge(kind: dict[str, str], label: str = "", **attrs: str) -> Edge:
    """An edge of one of the kinds above, optionally labelled and with attributes changed."""
    return Edge(label=label, **{**kind, **attrs})


def queue_with_dlq() -> None:
    with diagram("queue_with_dlq", "SQS queue with a dead-letter queue"):
        producer = Client("producer", nodeid="producer")
        consumer = ElasticContainerService("consumer", nodeid="consumer")
        with Cluster("patterns.QueueWithDeadLetterQueue", graph_attr=CONSTRUCT):
            key = KeyManagementService("KMS key\n(optional;\nelse SSE-SQS)", nodeid="key")
            queue = SimpleQueueServiceSqs("queue\n(standard or FIFO)", nodeid="queue")
            dlq = SimpleQueueServiceSqs("dead-letter queue\nkeeps 14 days", nodeid="dlq")
            with Cluster("CloudWatch alarms", graph_attr=ALARMS):
                age = CloudwatchAlarm("oldest message\nage", nodeid="age_alarm")
                depth = CloudwatchAlarm("DLQ not empty", nodeid="dlq_alarm")
        topic = SimpleNotificationServiceSns("alarm topic\n(alarm_actions)", nodeid="alarm_topic")

        producer >> edge(DATA, "SendMessage") >> queue
        queue >> edge(DATA, "ReceiveMessage\n(consumer polls)") >> consumer
        queue >> edge(FAILURE, "after max_receive_count\nreceives") >> dlq
        [queue, dlq] >> edge(KEY) >> key
        queue >> edge(METRIC) >> age
        dlq >> edge(METRIC) >> depth
        [age, depth] >> edge(ALARM) >> topic


def sns_fan_out() -> None:
    with diagram("sns_fan_out", "SNS topic fanned out to SQS queues"):
        publisher = Client("publisher", nodeid="publisher")
        with Cluster("patterns.SnsToSqsFanOut", graph_attr=CONSTRUCT):
            key = KeyManagementService("KMS key", nodeid="key")
            topic = SimpleNotificationServiceSns("topic\n(KMS-encrypted)", nodeid="topic")
            subscriptions = []
            # Graphviz stacks a rank's nodes bottom-up here: declare them in reverse.
            for index, name in ((2, "billing"), (1, "orders")):
                with Cluster(f"subscription {index} ({name}): filter policy"):
                    sub_dlq = SimpleQueueServiceSqs(
                        "subscription DLQ\n(SNS redrive policy)", nodeid=f"sub_dlq_{index}"
                    )
                    queue = SimpleQueueServiceSqs(f"{name} queue", nodeid=f"queue_{index}")
                    dlq = SimpleQueueServiceSqs(f"{name} DLQ", nodeid=f"dlq_{index}")
                subscriptions.append((sub_dlq, queue, dlq))
                topic >> edge(DATA, "matches\nfilter") >> queue
                topic >> edge(FAILURE, "undeliverable") >> sub_dlq
                queue >> edge(FAILURE, "max_receive_count") >> dlq
            more = Node(
                "... N subscriptions", nodeid="more", shape="plaintext", labelloc="c", width="1.6"
            )
            topic >> edge(DATA, style="dashed") >> more
            with Cluster("CloudWatch alarms", graph_attr=ALARMS):
                failed = CloudwatchAlarm("topic failed\nnotifications", nodeid="failed_alarm")
                sub_depth = CloudwatchAlarm("subscription DLQ\ndepth", nodeid="sub_dlq_alarm")
                depth = CloudwatchAlarm("queue DLQ\ndepth", nodeid="dlq_alarm")
        alarm_topic = SimpleNotificationServiceSns(
            "alarm topic\n(alarm_actions)", nodeid="alarm_topic"
        )

        publisher >> edge(DATA, "Publish") >> topic
        key >> edge(KEY) >> topic
        topic >> edge(METRIC) >> failed
        for sub_dlq, _queue, dlq in subscriptions:
            sub_dlq >> edge(METRIC) >> sub_depth
            dlq >> edge(METRIC) >> depth
        [failed, sub_depth, depth] >> edge(ALARM) >> alarm_topic


def s3_event_fan_out() -> None:
    with diagram("s3_event_fan_out", "S3 object events fanned out to SQS queues"):
        uploads = Users("uploads", nodeid="uploads")
        bus = Eventbridge("EventBridge\ndefault bus", nodeid="bus")
        with Cluster("patterns.S3EventFanOut", graph_attr=CONSTRUCT):
            bucket = SimpleStorageServiceS3Bucket("bucket\n(encrypted, versioned)", nodeid="bucket")
            logs = SimpleStorageServiceS3Bucket("access log bucket", nodeid="log_bucket")
            rule = Eventbridge(
                "rule\n(prefix, suffix, wildcard,\nsize; may overlap)", nodeid="rule"
            )
            rule_dlq = SimpleQueueServiceSqs("delivery DLQ", nodeid="rule_dlq")
            topic = SimpleNotificationServiceSns("topic", nodeid="topic")
            queues = []
            # Graphviz stacks a rank's nodes bottom-up here: declare them in reverse.
            for name in ("audit", "metadata", "thumbnail"):
                with Cluster(f"{name} subscription"):
                    queue = SimpleQueueServiceSqs(f"{name} queue", nodeid=f"{name}_queue")
                    dlq = SimpleQueueServiceSqs(f"{name} DLQ", nodeid=f"{name}_dlq")
                queues.append(queue)
                queue >> edge(FAILURE, "max_receive_count") >> dlq
        uploads >> edge(DATA, "PutObject") >> bucket
        bucket >> edge(METRIC, "server access logs") >> logs
        bucket >> edge(DATA, "every event\n(EVENT_BRIDGE, default)") >> bus
        bus >> edge(DATA) >> rule
        rule >> edge(DATA, "matching events,\nonce each") >> topic
        rule >> edge(FAILURE, "undeliverable") >> rule_dlq
        (
            bucket
            >> edge(
                DATA, "or NOTIFICATION:\nevent notification", style="dashed", constraint="false"
            )
            >> topic
        )
        topic >> edge(DATA) >> queues


def kinesis_firehose_s3() -> None:
    with diagram("kinesis_firehose_s3", "Kinesis data stream delivered to S3 by Firehose"):
        trucks = IotCar("producers: 100 trucks\npartition key truck_id", nodeid="trucks")
        with Cluster("patterns.KinesisToFirehoseToS3", graph_attr=CONSTRUCT):
            key = KeyManagementService("KMS key", nodeid="key")
            stream = KinesisDataStreams("data stream (KMS)\nshards or on-demand", nodeid="stream")
            firehose = KinesisDataFirehose("Firehose\ndelivery stream", nodeid="firehose")
            bucket = SimpleStorageServiceS3Bucket(
                "bucket: GZIP objects\nunder prefixes;\nfailures under\nthe error prefix",
                nodeid="bucket",
            )
            errors = CloudwatchLogs("Firehose error logs", nodeid="error_logs")
            with Cluster("CloudWatch alarms", graph_attr=ALARMS):
                iterator = CloudwatchAlarm("iterator age", nodeid="iterator_alarm")
                throttled = CloudwatchAlarm("write throughput\nexceeded", nodeid="throughput_alarm")
                freshness = CloudwatchAlarm("data freshness", nodeid="freshness_alarm")
        others = ElasticContainerService(
            "other consumers\n(may replay within\nthe retention period)", nodeid="others"
        )
        alarm_topic = SimpleNotificationServiceSns(
            "alarm topic\n(alarm_actions)", nodeid="alarm_topic"
        )

        trucks >> edge(DATA, "PutRecords") >> stream
        stream >> edge(KEY) >> key
        stream >> edge(DATA, "reads") >> firehose
        firehose >> edge(DATA, "buffers, compresses") >> bucket
        firehose >> edge(FAILURE, "delivery errors") >> errors
        stream >> edge(DATA, style="dashed") >> others
        stream >> edge(METRIC) >> [iterator, throttled]
        firehose >> edge(METRIC) >> freshness
        [iterator, throttled, freshness] >> edge(ALARM) >> alarm_topic


def amazon_mq() -> None:
    with diagram("amazon_mq", "Private, highly available Amazon MQ broker"):
        with Cluster(
            "patterns.AmazonMqBroker (and the broker, its security group)", graph_attr=CONSTRUCT
        ):
            key = KeyManagementService("KMS key", nodeid="key")
            secret = SecretsManager("admin secret\n(generated)", nodeid="secret")
            logs = CloudwatchLogs("CloudWatch Logs\n(general, audit)", nodeid="logs")
            with Cluster("CloudWatch alarms", graph_attr=ALARMS):
                alarms = CloudwatchAlarm("CPU, memory,\nstorage", nodeid="alarms")
        with Cluster("VPC", graph_attr={"bgcolor": "#F4F6F6"}):
            with Cluster("allowed security groups"):
                clients = Client("clients\n(OpenWire, MQTT, ...)", nodeid="clients")
            with Cluster("private subnet, AZ a"):
                active = MQ("active broker", nodeid="active")
            with Cluster("private subnet, AZ b"):
                standby = MQ("standby broker", nodeid="standby")
            note = Node(
                "ActiveMQ: an active/standby pair (shown)\nRabbitMQ: a 3-node cluster instead",
                nodeid="note",
                shape="note",
                width="3.6",
                height="0.7",
                fixedsize="false",
                style="filled",
                fillcolor="#FFFFFF",
                labelloc="c",
            )
        alarm_topic = SimpleNotificationServiceSns(
            "alarm topic\n(alarm_actions)", nodeid="alarm_topic"
        )

        clients >> edge(DATA, "broker security group:\nonly the chosen ports") >> active
        active >> edge(FAILURE, "failover") >> standby
        key >> edge(KEY) >> secret
        secret >> edge(METRIC, "password") >> active
        active >> edge(METRIC, "logs") >> logs
        active >> edge(METRIC) >> alarms
        alarms >> edge(ALARM) >> alarm_topic
        standby >> edge({"style": "invis"}) >> note


PATTERNS: dict[str, Callable[[], None]] = {
    "queue_with_dlq": queue_with_dlq,
    "sns_fan_out": sns_fan_out,
    "s3_event_fan_out": s3_event_fan_out,
    "kinesis_firehose_s3": kinesis_firehose_s3,
    "amazon_mq": amazon_mq,
}


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(PATTERNS))
    if unknown:
        sys.exit(f"unknown diagram(s): {', '.join(unknown)}; choose from {', '.join(PATTERNS)}")
    for name in names or PATTERNS:
        PATTERNS[name]()
        print(OUT_DIR / f"{name}.png")


if __name__ == "__main__":
    main(sys.argv[1:])
