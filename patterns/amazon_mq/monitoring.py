"""The broker's metrics, alarms and dashboard section.

Amazon MQ publishes in the ``AWS/AmazonMQ`` namespace with the dimension ``Broker``:
ActiveMQ per broker instance (``<name>-1``, and ``<name>-2`` for the standby of an
active/standby pair), RabbitMQ per broker, as sums over the nodes of a cluster. The alarms
and the dashboard are built from the broker's public ``metric_*`` methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

from patterns import dashboards, limits
from patterns.alarms import create_alarm
from patterns.amazon_mq.options import BrokerEngine
from patterns.metric_options import MetricOptions

if TYPE_CHECKING:
    from patterns.amazon_mq.broker import AmazonMqBroker

NAMESPACE = "AWS/AmazonMQ"
# What a metric_* method returns unless told otherwise (CloudWatch's own default period).
METRIC_PERIOD = Duration.minutes(5)
ALARM_THRESHOLD_PERCENT = 80
ALARM_PERIOD = Duration.minutes(5)
ALARM_EVALUATION_PERIODS = 3
# RabbitMQ blocks publishers when free disk falls below RabbitMQDiskFreeLimit; alarm while
# there is still room: when free disk is less than twice that limit.
DISK_FREE_ALARM_RATIO = 2


def instance_numbers(deployment_mode: str) -> list[int]:
    """The ActiveMQ broker instances that publish metrics: 1, and 2 for the standby."""
    return list(range(1, limits.AMAZON_MQ_BROKER_INSTANCES[deployment_mode] + 1))


def broker_metric(
    broker_name: str, metric_name: str, *, instance: int | None, props: MetricOptions
) -> cloudwatch.Metric:
    """``metric_name`` of the broker (RabbitMQ) or of its ActiveMQ ``instance``."""
    dimension = broker_name if instance is None else f"{broker_name}-{instance}"
    options: MetricOptions = {"dimensions_map": {"Broker": dimension}, "period": METRIC_PERIOD}
    options.update(props)
    return cloudwatch.Metric(namespace=NAMESPACE, metric_name=metric_name, **options)


def create_alarms(
    broker: AmazonMqBroker, deployment_mode: str, actions: Sequence[cloudwatch.IAlarmAction]
) -> list[cloudwatch.Alarm]:
    """The broker's alarms, children of ``broker``: CPU, memory and storage per engine."""
    if broker.engine == BrokerEngine.ACTIVEMQ:
        return _activemq_alarms(broker, deployment_mode, actions)
    return _rabbitmq_alarms(broker, deployment_mode, actions)


def _activemq_alarms(
    broker: AmazonMqBroker, deployment_mode: str, actions: Sequence[cloudwatch.IAlarmAction]
) -> list[cloudwatch.Alarm]:
    # Each alarm watches the higher of both instances (the standby publishes too).
    instances = instance_numbers(deployment_mode)
    alarms = []
    for construct_id, metric_name, method, what in (
        (
            "CpuUtilizationAlarm",
            "CpuUtilization",
            broker.metric_cpu_utilization,
            "CPU utilization",
        ),
        ("HeapUsageAlarm", "HeapUsage", broker.metric_heap_usage, "JVM heap usage"),
        (
            "StorePercentUsageAlarm",
            "StorePercentUsage",
            broker.metric_store_percent_usage,
            "persistent store usage",
        ),
    ):
        using: dict[str, cloudwatch.IMetric] = {
            f"i{index}": method(instance=index, period=ALARM_PERIOD) for index in instances
        }
        alarms.append(
            create_alarm(
                broker,
                construct_id,
                metric=cloudwatch.MathExpression(
                    expression=f"MAX([{', '.join(using)}])",
                    using_metrics=using,
                    label=f"{metric_name} (highest instance)",
                    period=ALARM_PERIOD,
                ),
                threshold=ALARM_THRESHOLD_PERCENT,
                evaluation_periods=ALARM_EVALUATION_PERIODS,
                description=(
                    f"{what} of the Amazon MQ broker {broker.broker_name} is at least "
                    f"{ALARM_THRESHOLD_PERCENT}%"
                ),
                actions=actions,
            )
        )
    return alarms


def _rabbitmq_alarms(
    broker: AmazonMqBroker, deployment_mode: str, actions: Sequence[cloudwatch.IAlarmAction]
) -> list[cloudwatch.Alarm]:
    # RabbitMQ node metrics with dimension Broker = "<name>" are sums over the nodes of a
    # cluster, so CPU is compared with 80% per node times the node count, and memory and
    # disk are compared as ratios of used to limit.
    nodes = limits.AMAZON_MQ_BROKER_INSTANCES[deployment_mode]  # a cluster: three nodes
    name = broker.broker_name
    cpu = create_alarm(
        broker,
        "SystemCpuUtilizationAlarm",
        metric=broker.metric_system_cpu_utilization(period=ALARM_PERIOD),
        threshold=ALARM_THRESHOLD_PERCENT * nodes,
        evaluation_periods=ALARM_EVALUATION_PERIODS,
        description=(
            f"CPU utilization of the Amazon MQ broker {name} averages at "
            f"least {ALARM_THRESHOLD_PERCENT}% per node"
        ),
        actions=actions,
    )
    memory = create_alarm(
        broker,
        "MemoryUsageAlarm",
        metric=cloudwatch.MathExpression(
            expression="100 * used / limit",
            using_metrics={
                "used": broker.metric_rabbit_mq_mem_used(period=ALARM_PERIOD),
                "limit": broker.metric_rabbit_mq_mem_limit(period=ALARM_PERIOD),
            },
            label="RabbitMQ memory used, % of the memory limit",
            period=ALARM_PERIOD,
        ),
        threshold=ALARM_THRESHOLD_PERCENT,
        evaluation_periods=ALARM_EVALUATION_PERIODS,
        description=(
            f"RabbitMQ memory of {name} is at least {ALARM_THRESHOLD_PERCENT}% "
            "of its limit; at 100% RabbitMQ blocks every publisher"
        ),
        actions=actions,
    )
    disk = create_alarm(
        broker,
        "DiskFreeAlarm",
        metric=cloudwatch.MathExpression(
            expression="free / limit",
            using_metrics={
                "free": broker.metric_rabbit_mq_disk_free(period=ALARM_PERIOD),
                "limit": broker.metric_rabbit_mq_disk_free_limit(period=ALARM_PERIOD),
            },
            label="RabbitMQ free disk, multiple of the free-disk limit",
            period=ALARM_PERIOD,
        ),
        threshold=DISK_FREE_ALARM_RATIO,
        comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluation_periods=ALARM_EVALUATION_PERIODS,
        description=(
            f"Free disk of {name} is at most {DISK_FREE_ALARM_RATIO} times "
            "RabbitMQ's free-disk limit, below which it blocks every publisher"
        ),
        actions=actions,
    )
    return [cpu, memory, disk]


def add_to_dashboard(
    broker: AmazonMqBroker,
    dashboard: cloudwatch.Dashboard,
    alarms: Sequence[cloudwatch.Alarm],
    *,
    deployment_mode: str,
    path: str,
) -> None:
    """Add the broker's section: its resources per instance or node, then every alarm."""
    engine_metrics = (
        _activemq_graphs(broker, deployment_mode)
        if broker.engine == BrokerEngine.ACTIVEMQ
        else _rabbitmq_graphs(broker)
    )
    dashboards.section(
        dashboard,
        f"Amazon MQ broker {path}",
        f"{broker.engine.value} broker {broker.broker_name}: resources and the alarms.",
        [
            *(dashboards.graph(title, metrics) for title, metrics in engine_metrics),
            *dashboards.alarm_graphs(alarms),
        ],
        owner=broker,
        state=lambda: {"alarms": len(broker.alarms)},
    )


_Graphs = list[tuple[str, list[cloudwatch.IMetric]]]


def _activemq_graphs(broker: AmazonMqBroker, deployment_mode: str) -> _Graphs:
    """CPU, JVM heap, store and connections, a line per broker instance."""
    period = dashboards.PERIOD
    name = broker.broker_name
    labels = {index: f"{name}-{index}" for index in instance_numbers(deployment_mode)}
    return [
        (
            title,
            [method(instance=index, period=period, label=label) for index, label in labels.items()],
        )
        for title, method in (
            ("CPU (%) per instance", broker.metric_cpu_utilization),
            ("JVM heap (%) per instance", broker.metric_heap_usage),
            ("Persistent store (%) per instance", broker.metric_store_percent_usage),
            ("Connections per instance", broker.metric_current_connections_count),
        )
    ]


def _rabbitmq_graphs(broker: AmazonMqBroker) -> _Graphs:
    """CPU, memory and free disk against their limits, connections and messages."""
    period = dashboards.PERIOD
    return [
        (
            "CPU (%, sum over nodes)",
            [broker.metric_system_cpu_utilization(period=period, label="cpu")],
        ),
        (
            "Memory (bytes)",
            [
                broker.metric_rabbit_mq_mem_used(period=period, label="used"),
                broker.metric_rabbit_mq_mem_limit(period=period, label="limit"),
            ],
        ),
        (
            "Free disk (bytes)",
            [
                broker.metric_rabbit_mq_disk_free(period=period, label="free"),
                broker.metric_rabbit_mq_disk_free_limit(period=period, label="limit"),
            ],
        ),
        (
            "Connections and messages",
            [
                broker.metric_connection_count(period=period, label="connections"),
                broker.metric_message_count(period=period, label="messages"),
            ],
        ),
    ]
