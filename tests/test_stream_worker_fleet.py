"""StreamWorkerFleet: KCL tables, permissions per version and mode, shard-bounded lag scaling,
alarms, counting among the stream's readers, validation, stages and an imported stream."""

from __future__ import annotations

import json
import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Annotations, Match, Template
from constructs import Construct

from patterns import KinesisToFirehoseToS3, StreamThroughput, StreamWorkerFleet
from patterns.consumers import kcl
from patterns.limits import KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX
from tests.helpers import ROOT, arn, by_path, inline_function, logical_id, new_app

TABLE = "AWS::DynamoDB::Table"
POLICY = "AWS::IAM::ManagedPolicy"
ALARM = "AWS::CloudWatch::Alarm"
TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
IMAGE = "public.ecr.aws/docker/library/amazoncorretto:21"
# Planned for one classic reader: max(2 MB/s written, 4 MB/s read x 1 / 2) = 2 shards; a
# second classic reader (the polling fleet) makes it 4 x 2 / 2 = 4.
THROUGHPUT = StreamThroughput(write_mb_per_second=2, read_mb_per_second=4)


def _cluster(stack: cdk.Stack, insights: bool = True) -> ecs.Cluster:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, restrict_default_security_group=False)
    return ecs.Cluster(
        stack,
        "Cluster",
        vpc=vpc,
        container_insights_v2=ecs.ContainerInsights.ENABLED if insights else None,
    )


def _fleet(
    stack: cdk.Stack, stream: Any, construct_id: str = "Fleet", **options: Any
) -> StreamWorkerFleet:
    if "cluster" not in options:
        options["cluster"] = stack.node.try_find_child("Cluster") or _cluster(stack)
    return StreamWorkerFleet(
        stack,
        construct_id,
        stream=stream,
        image=ecs.ContainerImage.from_registry(IMAGE),
        **options,
    )


class Built:
    """One pipeline read by a polling KCL 3.x fleet and an enhanced fan-out KCL 2.x fleet."""

    def __init__(self) -> None:
        app = new_app()
        self.stack = cdk.Stack(app, "Trucks")
        self.pipeline = KinesisToFirehoseToS3(self.stack, "Positions", throughput=THROUGHPUT)
        self.polling = _fleet(self.stack, self.pipeline, "Geofencing")
        self.fan_out = _fleet(
            self.stack, self.pipeline, "Archive", kcl_version=2, enhanced_fan_out=True
        )
        self.polling.add_to_dashboard(cloudwatch.Dashboard(self.stack, "Dashboard"))
        self.template = Template.from_stack(self.stack)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.fixture(scope="module")
def template(built: Built) -> Template:
    return built.template


def _statements(template: Template, fleet: str) -> dict[str, dict[str, Any]]:
    policy = by_path(template, POLICY, f"{fleet}/TaskRole/Policy/Resource")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    return {
        statement.get("Sid", str(index)): statement for index, statement in enumerate(statements)
    }


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return sorted([actions] if isinstance(actions, str) else actions)


# --- tables ------------------------------------------------------------------------------


def test_kcl3_lease_table_has_kcl_key_and_index_on_demand_pitr_and_the_stream_key(
    built: Built, template: Template
) -> None:
    table = by_path(template, TABLE, "Geofencing/LeaseTable/Resource")
    props = table["Properties"]
    assert props["TableName"] == built.polling.application_name
    assert props["KeySchema"] == [{"AttributeName": "leaseKey", "KeyType": "HASH"}]
    assert props["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "LeaseOwnerToLeaseKeyIndex",
            "KeySchema": [
                {"AttributeName": "leaseOwner", "KeyType": "HASH"},
                {"AttributeName": "leaseKey", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    key = arn(template, "AWS::KMS::Key", "Positions/EncryptionKey/Resource")
    assert props["SSESpecification"] == {
        "KMSMasterKeyId": key,
        "SSEEnabled": True,
        "SSEType": "KMS",
    }
    # Checkpoints into records in transit: destroyed with the stream (removal rule).
    assert table["DeletionPolicy"] == "Delete"


@pytest.mark.parametrize(
    ("child", "suffix", "key"),
    [
        ("WorkerMetricsTable", "-WorkerMetricStats", "wid"),
        ("CoordinatorStateTable", "-CoordinatorState", "key"),
    ],
)
def test_kcl3_metadata_tables_are_named_like_kcl_defaults(
    built: Built, template: Template, child: str, suffix: str, key: str
) -> None:
    props = by_path(template, TABLE, f"Geofencing/{child}/Resource")["Properties"]
    assert props["TableName"] == built.polling.application_name + suffix
    assert props["KeySchema"] == [{"AttributeName": key, "KeyType": "HASH"}]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEType"] == "KMS"


def test_kcl2_has_the_lease_table_only_without_index(built: Built, template: Template) -> None:
    tables = [
        resource["Metadata"]["aws:cdk:path"]
        for resource in template.find_resources(TABLE).values()
        if "/Archive/" in resource["Metadata"]["aws:cdk:path"]
    ]
    assert tables == ["Trucks/Archive/LeaseTable/Resource"]
    props = by_path(template, TABLE, "Archive/LeaseTable/Resource")["Properties"]
    assert "GlobalSecondaryIndexes" not in props
    assert built.fan_out.worker_metrics_table is None
    assert built.fan_out.coordinator_state_table is None


def test_application_names_are_per_stack_and_position(built: Built) -> None:
    assert built.polling.application_name.startswith("Trucks-Geofencing-")
    assert built.fan_out.application_name.startswith("Trucks-Archive-")


# --- permissions -------------------------------------------------------------------------


def test_polling_fleet_reads_only_its_stream(template: Template) -> None:
    read = _statements(template, "Geofencing")["KclReadStream"]
    assert _actions(read) == sorted(kcl.POLLING_STREAM_ACTIONS)
    assert read["Resource"] == arn(template, "AWS::Kinesis::Stream", "Positions/Stream/Resource")


def test_lease_table_statement_is_the_kcl3_list_without_create_table(template: Template) -> None:
    lease = _statements(template, "Geofencing")["KclLeaseTable"]
    assert _actions(lease) == sorted(
        [
            "dynamodb:DescribeTable",
            "dynamodb:UpdateTable",
            "dynamodb:Scan",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        ]
    )
    assert lease["Resource"] == arn(template, TABLE, "Geofencing/LeaseTable/Resource")


def test_metadata_tables_statement_names_both_tables(template: Template) -> None:
    statement = _statements(template, "Geofencing")["KclWorkerMetricsAndCoordinatorStateTables"]
    assert _actions(statement) == sorted(kcl.METADATA_TABLE_ACTIONS)
    expected = [
        arn(template, TABLE, "Geofencing/WorkerMetricsTable/Resource"),
        arn(template, TABLE, "Geofencing/CoordinatorStateTable/Resource"),
    ]
    assert sorted(statement["Resource"], key=json.dumps) == sorted(expected, key=json.dumps)


def test_query_only_on_the_lease_owner_index(template: Template) -> None:
    statement = _statements(template, "Geofencing")["KclLeaseOwnerIndex"]
    assert statement["Action"] == "dynamodb:Query"
    table = arn(template, TABLE, "Geofencing/LeaseTable/Resource")
    assert statement["Resource"] == {"Fn::Join": ["", [table, "/index/LeaseOwnerToLeaseKeyIndex"]]}


def test_put_metric_data_only_in_the_application_namespace(
    built: Built, template: Template
) -> None:
    statement = _statements(template, "Geofencing")["KclPutMetricsInItsNamespace"]
    assert statement["Action"] == "cloudwatch:PutMetricData"
    assert statement["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": built.polling.application_name}
    }


def test_no_fleet_may_create_tables_or_register_consumers(template: Template) -> None:
    for fleet in ("Geofencing", "Archive"):
        actions = {a for s in _statements(template, fleet).values() for a in _actions(s)}
        assert "dynamodb:CreateTable" not in actions
        assert "kinesis:RegisterStreamConsumer" not in actions
        assert not any(action.endswith("*") and "kms" not in action for action in actions)


def test_fan_out_fleet_subscribes_through_its_registered_consumer(
    built: Built, template: Template
) -> None:
    consumer = by_path(template, "AWS::Kinesis::StreamConsumer", "Archive/StreamConsumer/Resource")
    assert consumer["Properties"]["ConsumerName"] == built.fan_out.application_name
    statements = _statements(template, "Archive")
    assert _actions(statements["KclReadStream"]) == sorted(kcl.FAN_OUT_STREAM_ACTIONS)
    subscribe = statements["KclSubscribeToShards"]
    assert _actions(subscribe) == sorted(kcl.FAN_OUT_CONSUMER_ACTIONS)
    assert subscribe["Resource"] == {
        "Fn::GetAtt": [
            logical_id(template, "AWS::Kinesis::StreamConsumer", "Archive/StreamConsumer/Resource"),
            "ConsumerARN",
        ]
    }


def test_kcl2_lease_table_statement_has_no_update_table_and_no_index(template: Template) -> None:
    statements = _statements(template, "Archive")
    assert "dynamodb:UpdateTable" not in _actions(statements["KclLeaseTable"])
    assert "KclLeaseOwnerIndex" not in statements


def test_workers_get_their_names_from_the_environment(built: Built, template: Template) -> None:
    task = by_path(template, "AWS::ECS::TaskDefinition", "Geofencing/TaskDefinition/Resource")
    (container,) = task["Properties"]["ContainerDefinitions"]
    environment = {item["Name"]: item["Value"] for item in container["Environment"]}
    name = built.polling.application_name
    assert environment["KCL_APPLICATION_NAME"] == name
    assert environment["KCL_METRICS_NAMESPACE"] == name
    assert environment["KCL_LEASE_TABLE"] == {
        "Ref": logical_id(template, TABLE, "Geofencing/LeaseTable/Resource")
    }
    assert environment["KCL_WORKER_METRICS_TABLE"] == {
        "Ref": logical_id(template, TABLE, "Geofencing/WorkerMetricsTable/Resource")
    }
    assert environment["KCL_RETRIEVAL_MODE"] == "POLLING"
    assert "KCL_CONSUMER_ARN" not in environment
    assert container["ReadonlyRootFilesystem"] is True


# --- scaling, readers, alarms --------------------------------------------------------------


def test_polling_fleet_is_counted_as_a_classic_reader(built: Built, template: Template) -> None:
    stream = by_path(template, "AWS::Kinesis::Stream", "Positions/Stream/Resource")
    assert THROUGHPUT.shard_count == 2
    assert stream["Properties"]["ShardCount"] == 4  # re-planned for the fleet, not for EFO
    assert built.polling.max_workers == 4


def test_scaling_between_one_and_the_shard_count(template: Template) -> None:
    target = by_path(template, TARGET, "Geofencing/ScalableTarget/Resource")["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)


def test_scales_on_the_application_lag(built: Built, template: Template) -> None:
    alarms = [
        by_path(template, ALARM, f"Geofencing/ScalableTarget/LagScaling/{which}Alarm/Resource")
        for which in ("Upper", "Lower")
    ]
    for alarm in alarms:
        props = alarm["Properties"]
        assert props["Namespace"] == built.polling.application_name
        assert props["MetricName"] == "MillisBehindLatest"
        assert props["Dimensions"] == [{"Name": "Operation", "Value": "ApplicationLevelMetrics"}]
    thresholds = sorted(alarm["Properties"]["Threshold"] for alarm in alarms)
    assert thresholds == [15_000, 60_000]  # scale in below a quarter of the 1-minute lag


def test_lag_alarm(built: Built, template: Template) -> None:
    props = by_path(template, ALARM, "Geofencing/LagAlarm/Resource")["Properties"]
    assert props["Threshold"] == 600_000
    assert props["Namespace"] == built.polling.application_name
    assert props["Statistic"] == "Maximum"


def test_table_throttling_alarm_sums_every_table(template: Template) -> None:
    props = by_path(template, ALARM, "Geofencing/TableThrottlingAlarm/Resource")["Properties"]
    names = {
        query["MetricStat"]["Metric"]["MetricName"]
        for query in props["Metrics"]
        if "MetricStat" in query
    }
    assert names == {"ReadThrottleEvents", "WriteThrottleEvents"}
    assert len([q for q in props["Metrics"] if "MetricStat" in q]) == 6  # 3 tables x 2
    assert props["Threshold"] == 1


def test_no_running_worker_alarm_watches_tasks_and_incoming_records(template: Template) -> None:
    props = by_path(template, ALARM, "Geofencing/NoRunningWorkerAlarm/Resource")["Properties"]
    assert props["EvaluationPeriods"] == 5
    metrics = {
        query["MetricStat"]["Metric"]["MetricName"]
        for query in props["Metrics"]
        if "MetricStat" in query
    }
    assert metrics == {"RunningTaskCount", "IncomingRecords"}


def test_alarms_and_dashboard(built: Built, template: Template) -> None:
    assert [alarm.node.id for alarm in built.polling.alarms] == [
        "LagAlarm",
        "TableThrottlingAlarm",
        "NoRunningWorkerAlarm",
    ]
    body = json.dumps(next(iter(template.find_resources("AWS::CloudWatch::Dashboard").values())))
    assert "KCL worker fleet" in body
    assert "MillisBehindLatest" in body


# --- validation ----------------------------------------------------------------------------


@pytest.fixture
def stack() -> cdk.Stack:
    return cdk.Stack(new_app(), "Test")


def _stream(stack: cdk.Stack, shards: int = 2) -> kinesis.Stream:
    return kinesis.Stream(stack, "Stream", shard_count=shards)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kcl_version": 1}, "kcl_version must be 2 or 3"),
        ({"min_workers": 0}, "min_workers must be between 1"),
        ({"max_workers": 0}, "max_workers must be between 1"),
        ({"min_workers": 3, "max_workers": 2}, "min_workers must be between 1 and 2"),
        ({"cpu": 300}, "cpu must be one of"),
        ({"cpu": 256, "memory_limit_mib": 4096}, "memory_limit_mib 4096 is not a Fargate size"),
        ({"environment": {"KCL_LEASE_TABLE": "x"}}, "environment may not set KCL_LEASE_TABLE"),
        ({"min_workers": 1.5}, "min_workers must be a whole number between 1"),
        ({"max_workers": 2.5}, "max_workers must be a whole number between 1"),
        ({"environment": {"ZONES": 3}}, "environment maps names to strings"),
        (
            {"vpc_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)},
            "vpc_subnets selects public subnets",
        ),
        ({"lag_alarm_threshold": Duration.days(2)}, "lag_alarm_threshold must be between"),
        ({"lag_alarm_threshold": Duration.seconds(30)}, "lag_alarm_threshold must be between"),
        ({"scale_out_lag": Duration.seconds(5)}, "scale_out_lag must be between"),
        ({"scale_out_lag": Duration.minutes(20)}, "scale_out_lag must be between"),
    ],
)
def test_validation(stack: cdk.Stack, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        _fleet(stack, _stream(stack), **options)


def test_container_insights_off_is_refused(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match="has Container Insights off"):
        _fleet(stack, _stream(stack), cluster=_cluster(stack, insights=False))


def test_more_workers_than_shards_fails_at_synth(stack: cdk.Stack) -> None:
    _fleet(stack, _stream(stack, shards=2), max_workers=3)
    with pytest.raises(RuntimeError, match=r"max_workers \(3\) .* exceeds the 2 shard\(s\)"):
        Template.from_stack(stack)


def test_a_shard_count_lowered_after_construction_fails_at_synth(stack: cdk.Stack) -> None:
    stream = _stream(stack, shards=4)
    _fleet(stack, stream, max_workers=4)
    cfn = stream.node.default_child
    assert isinstance(cfn, kinesis.CfnStream)
    cfn.shard_count = 2
    with pytest.raises(RuntimeError, match=r"Set max_workers to at most 2"):
        Template.from_stack(stack)


def test_the_default_maximum_follows_a_shard_count_changed_after_construction(
    stack: cdk.Stack,
) -> None:
    stream = _stream(stack, shards=4)
    fleet = _fleet(stack, stream)  # no max_workers: the stream's shards
    cfn = stream.node.default_child
    assert isinstance(cfn, kinesis.CfnStream)
    cfn.shard_count = 2
    [target] = Template.from_stack(stack).find_resources(TARGET).values()
    assert target["Properties"]["MaxCapacity"] == 2
    assert fleet.max_workers == 2


def test_twenty_one_enhanced_fan_out_readers_are_refused(stack: cdk.Stack) -> None:
    pipeline = KinesisToFirehoseToS3(stack, "Pipeline", shard_count=1)
    for number in range(KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX):
        pipeline.add_stream_reader(Construct(stack, f"Reader{number}"), enhanced_fan_out=True)
    with pytest.raises(ValueError, match="at most 20 per stream"):
        pipeline.add_stream_reader(Construct(stack, "OneTooMany"), enhanced_fan_out=True)


# --- compositions --------------------------------------------------------------------------


def test_two_stages_of_one_app_share_no_name() -> None:
    app = new_app()
    names: list[set[str]] = []
    for stage_name in ("Dev", "Prod"):
        stage = cdk.Stage(app, stage_name)
        stack = cdk.Stack(stage, "Trucks")
        fleet = _fleet(stack, _stream(stack), kcl_version=3, enhanced_fan_out=True)
        template = Template.from_stack(stack)
        tables = {
            resource["Properties"]["TableName"]
            for resource in template.find_resources(TABLE).values()
        }
        consumers = {
            resource["Properties"]["ConsumerName"]
            for resource in template.find_resources("AWS::Kinesis::StreamConsumer").values()
        }
        assert len(tables) == 3
        names.append(tables | consumers | {fleet.application_name})
    assert names[0].isdisjoint(names[1])


def test_an_imported_stream(stack: cdk.Stack) -> None:
    stream_arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/positions"
    key = kms.Key.from_key_arn(
        stack, "StreamKey", "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd"
    )
    stream = kinesis.Stream.from_stream_attributes(
        stack, "Imported", stream_arn=stream_arn, encryption_key=key
    )
    fleet = _fleet(stack, stream)
    template = Template.from_stack(stack)
    Annotations.from_stack(stack).has_warning(
        "/Test/Fleet", Match.string_like_regexp("shard count is not known at synth")
    )
    assert fleet.max_workers == 4
    read = _statements(template, "Fleet")["KclReadStream"]
    assert read["Resource"] == stream_arn
    lease = by_path(template, TABLE, "Fleet/LeaseTable/Resource")["Properties"]
    assert lease["SSESpecification"]["KMSMasterKeyId"] == key.key_arn  # the stream's key


def test_an_imported_unencrypted_stream_gets_aws_managed_table_encryption(
    stack: cdk.Stack,
) -> None:
    stream = kinesis.Stream.from_stream_arn(
        stack, "Imported", "arn:aws:kinesis:eu-west-1:111122223333:stream/positions"
    )
    _fleet(stack, stream, max_workers=2)
    lease = by_path(Template.from_stack(stack), TABLE, "Fleet/LeaseTable/Resource")["Properties"]
    # SSEEnabled alone: KMS with the AWS-managed key (aws/dynamodb), not an AWS-owned key.
    assert lease["SSESpecification"] == {"SSEEnabled": True}


def test_docs_options_table_lists_every_keyword_argument() -> None:
    import inspect

    page = (ROOT / "docs" / "patterns" / "kinesis_firehose_s3.md").read_text()
    section = page.split("### `StreamWorkerFleet` options\n", 1)[1].split("\n#", 1)[0]
    listed = re.findall(r"^\| `([a-z_0-9]+)` \|", section, flags=re.MULTILINE)
    expected = [
        name
        for name, parameter in inspect.signature(StreamWorkerFleet.__init__).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    assert listed == expected


def test_docs_attributes_list_every_property() -> None:
    page = (ROOT / "docs" / "patterns" / "kinesis_firehose_s3.md").read_text()
    section = page.split("### `StreamWorkerFleet` attributes\n", 1)[1].split("\n**", 1)[0]
    properties = {
        name
        for name in dir(StreamWorkerFleet)
        if isinstance(getattr(StreamWorkerFleet, name), property)
        and not name.startswith("_")
        and name != "node"
    }
    assert set(re.findall(r"`([a-z_]+)`", section)) - {"None"} == properties


def test_the_tables_key_is_usable_only_through_dynamodb(template: Template) -> None:
    statement = _statements(template, "Geofencing")["KclTablesKeyThroughDynamoDB"]
    assert _actions(statement) == sorted(
        ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
    )
    assert statement["Resource"] == arn(
        template, "AWS::KMS::Key", "Positions/EncryptionKey/Resource"
    )
    condition = statement["Condition"]["StringEquals"]["kms:ViaService"]
    assert json.dumps(condition).startswith(
        '{"Fn::Join": ["", ["dynamodb.", {"Ref": "AWS::Region"}'
    )


def test_retained_tables_on_request(stack: cdk.Stack) -> None:
    _fleet(stack, _stream(stack), removal_policy=cdk.RemovalPolicy.RETAIN)
    table = by_path(Template.from_stack(stack), TABLE, "Fleet/LeaseTable/Resource")
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_the_example_reads_truck_positions_through_its_own_consumer(examples_app: Any) -> None:
    """TruckPositions: geofencing beside the live map and Firehose, through enhanced fan-out,
    so the shard plan (two classic readers) is unchanged and one worker per shard at most."""
    template = examples_app.template("TruckPositions")
    stream = by_path(template, "AWS::Kinesis::Stream", "Positions/Stream/Resource")
    consumer = by_path(
        template, "AWS::Kinesis::StreamConsumer", "Geofencing/StreamConsumer/Resource"
    )
    assert consumer["Properties"]["StreamARN"] == arn(
        template, "AWS::Kinesis::Stream", "Positions/Stream/Resource"
    )
    target = by_path(template, TARGET, "Geofencing/ScalableTarget/Resource")["Properties"]
    assert target["MaxCapacity"] == stream["Properties"]["ShardCount"]
    assert len(template.find_resources(TABLE)) == 3


def test_a_lambda_consumer_added_after_a_fleet_counts_it_too(stack: cdk.Stack) -> None:
    pipeline = KinesisToFirehoseToS3(stack, "Positions", throughput=THROUGHPUT)
    fleet = _fleet(stack, pipeline)  # 2 classic readers: 4 shards
    pipeline.add_lambda_consumer("LiveMap", inline_function(stack, "LiveMapFunction"))
    template = Template.from_stack(stack)  # the shards are planned at synth, for every reader
    stream = by_path(template, "AWS::Kinesis::Stream", "Positions/Stream/Resource")
    assert stream["Properties"]["ShardCount"] == 6  # Firehose, the fleet, the function
    # The fleet's default maximum follows the final shard count, not the count it saw.
    assert fleet.max_workers == 6
    [target] = template.find_resources(TARGET).values()
    assert target["Properties"]["MaxCapacity"] == 6


def _acknowledged(construct: Construct) -> set[str]:
    return {
        rule_id
        for entry in construct.node.metadata
        if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule_id in entry.data
    }


def test_the_fleet_acknowledges_ecs2_for_its_own_variables_only(stack: cdk.Stack) -> None:
    # Like QueueWorkerFleet: the KCL_* names are the fleet's, no secret; variables of the
    # user's are the user's to judge (documented on the option).
    own = _fleet(stack, _stream(stack))
    users = _fleet(stack, stack.node.find_child("Stream"), "Users", environment={"ZONE": "a"})
    assert "AwsSolutions::AwsSolutions-ECS2" in _acknowledged(own.task_definition)
    assert "AwsSolutions::AwsSolutions-ECS2" not in _acknowledged(users.task_definition)


def test_the_gate_finds_nothing_open_on_a_plain_fleet(tmp_path: Any) -> None:
    import contextlib

    from patterns.alarm_topic import AlarmTopic
    from patterns.compliance import apply_compliance_checks
    from tools.compliance import read_findings

    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Gate")
    _fleet(stack, _stream(stack), alarm_actions=[AlarmTopic(stack, "Alarms").action])
    apply_compliance_checks(app)
    # The plain VPC and stream of this app have findings of their own: the fleet's are read.
    with contextlib.suppress(RuntimeError):
        app.synth()
    assert [
        finding
        for finding in read_findings(tmp_path)
        if not finding.acknowledged_id and finding.path.startswith("Gate/Fleet/")
    ] == []
