"""QueueWorkerFleet: backlog-per-worker scaling, scale-in protection, permissions, validation."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from patterns import QueueWithDeadLetterQueue, QueueWorkerFleet
from tests.helpers import arn, by_path, logical_id, new_app, ref

POLICY = "AWS::ApplicationAutoScaling::ScalingPolicy"
TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
IMAGE = "public.ecr.aws/docker/library/python:3.13-slim"


def _cluster(stack: cdk.Stack, insights: bool = True) -> ecs.Cluster:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    return ecs.Cluster(
        stack,
        "Cluster",
        vpc=vpc,
        container_insights_v2=ecs.ContainerInsights.ENABLED if insights else None,
    )


def _fleet(stack: cdk.Stack, queue: QueueWithDeadLetterQueue, **options: Any) -> QueueWorkerFleet:
    if "cluster" not in options:
        options["cluster"] = stack.node.try_find_child("Cluster") or _cluster(stack)
    defaults: dict[str, Any] = {
        "image": ecs.ContainerImage.from_registry(IMAGE),
        "processing_time": Duration.seconds(60),
        "acceptable_latency": Duration.minutes(10),
    }
    return QueueWorkerFleet(stack, "Fleet", queue=queue, **{**defaults, **options})


class Built:
    def __init__(self) -> None:
        app = new_app()
        self.stack = cdk.Stack(app, "Test")
        self.queue = QueueWithDeadLetterQueue(
            self.stack, "Videos", visibility_timeout=Duration.minutes(2)
        )
        self.fleet = _fleet(self.stack, self.queue, max_workers=50, cpu=1024, memory_limit_mib=2048)
        self.template = Template.from_stack(self.stack)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.fixture(scope="module")
def template(built: Built) -> Template:
    return built.template


def _queries(template: Template) -> dict[str, dict[str, Any]]:
    policy = by_path(template, POLICY, "Fleet/BacklogPerWorkerScaling")["Properties"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    return {query["Id"]: query for query in config["CustomizedMetricSpecification"]["Metrics"]}


def test_scales_on_backlog_per_worker(template: Template) -> None:
    policy = by_path(template, POLICY, "Fleet/BacklogPerWorkerScaling")["Properties"]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    # acceptable latency 10 min / 60 s per message = 10 messages per worker
    assert config["TargetValue"] == 10
    assert config["ScaleOutCooldown"] == 60
    assert config["ScaleInCooldown"] == 300
    assert policy["ScalingTargetId"] == ref(template, TARGET, "Fleet/ScalableTarget/Resource")
    queries = _queries(template)
    assert queries["backlog_per_worker"] == {
        "Id": "backlog_per_worker",
        "Expression": "FILL(visible, 0) / IF(FILL(running, 0) > 0, FILL(running, 0), 1)",
        "Label": "Backlog per worker",
        "ReturnData": True,
    }
    visible = queries["visible"]["MetricStat"]["Metric"]
    assert visible["Namespace"] == "AWS/SQS"
    assert visible["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert visible["Dimensions"] == [
        {
            "Name": "QueueName",
            "Value": {
                "Fn::GetAtt": [
                    logical_id(template, "AWS::SQS::Queue", "Videos/Queue/Resource"),
                    "QueueName",
                ]
            },
        }
    ]
    running = queries["running"]["MetricStat"]["Metric"]
    assert running["Namespace"] == "ECS/ContainerInsights"
    assert running["MetricName"] == "RunningTaskCount"
    assert queries["visible"]["ReturnData"] is False
    assert queries["running"]["ReturnData"] is False


def test_scalable_target_min_zero_to_max_with_the_service_linked_role(template: Template) -> None:
    target = by_path(template, TARGET, "Fleet/ScalableTarget/Resource")["Properties"]
    assert target["MinCapacity"] == 0
    assert target["MaxCapacity"] == 50
    assert target["ScalableDimension"] == "ecs:service:DesiredCount"
    assert "AWSServiceRoleForApplicationAutoScaling_ECSService" in str(target["RoleARN"])
    roles = [
        resource["Metadata"]["aws:cdk:path"]
        for resource in template.find_resources("AWS::IAM::Role").values()
        if "/Fleet/" in resource["Metadata"]["aws:cdk:path"]
    ]
    assert sorted(roles) == ["Test/Fleet/ExecutionRole/Resource", "Test/Fleet/TaskRole/Resource"]


def test_first_worker_starts_from_zero(template: Template) -> None:
    policy = by_path(
        template, POLICY, "Fleet/ScalableTarget/StartFirstWorkerScaling/UpperPolicy/Resource"
    )
    steps = policy["Properties"]["StepScalingPolicyConfiguration"]["StepAdjustments"]
    assert steps == [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]
    alarm = by_path(
        template,
        "AWS::CloudWatch::Alarm",
        "Fleet/ScalableTarget/StartFirstWorkerScaling/UpperAlarm/Resource",
    )["Properties"]
    (expression,) = [m for m in alarm["Metrics"] if "Expression" in m]
    assert expression["Expression"] == "IF(FILL(running, 0) < 1, FILL(visible, 0), 0)"
    assert alarm["Threshold"] == 1


def test_no_start_from_zero_policy_with_a_minimum() -> None:
    stack = cdk.Stack(new_app(), "MinOne")
    queue = QueueWithDeadLetterQueue(stack, "Queue", visibility_timeout=Duration.minutes(2))
    _fleet(stack, queue, min_workers=1)
    template = Template.from_stack(stack)
    template.resource_count_is(POLICY, 1)
    assert (
        by_path(template, TARGET, "Fleet/ScalableTarget/Resource")["Properties"]["MinCapacity"] == 1
    )


def _container(template: Template) -> dict[str, Any]:
    task = by_path(template, "AWS::ECS::TaskDefinition", "Fleet/TaskDefinition/Resource")
    (container,) = task["Properties"]["ContainerDefinitions"]
    return dict(container)


def test_worker_container(template: Template) -> None:
    container = _container(template)
    environment = {item["Name"]: item["Value"] for item in container["Environment"]}
    assert environment["QUEUE_URL"] == ref(template, "AWS::SQS::Queue", "Videos/Queue/Resource")
    assert environment["PROTECTION_MINUTES"] == "2"  # the 2-minute visibility timeout
    assert container["Image"] == IMAGE
    assert container["ReadonlyRootFilesystem"] is True
    assert container["StopTimeout"] == 120
    assert container["MountPoints"] == [
        {"ContainerPath": "/tmp", "ReadOnly": False, "SourceVolume": "scratch"}
    ]
    log = container["LogConfiguration"]
    assert log["LogDriver"] == "awslogs"
    assert log["Options"]["awslogs-group"] == ref(
        template, "AWS::Logs::LogGroup", "Fleet/Logs/Resource"
    )
    group = by_path(template, "AWS::Logs::LogGroup", "Fleet/Logs/Resource")["Properties"]
    assert group["KmsKeyId"] == arn(template, "AWS::KMS::Key", "Fleet/LogsKey/Resource")
    assert group["RetentionInDays"] == 365
    # Operational logs go with the stack, and their key follows what it encrypts.
    assert by_path(template, "AWS::Logs::LogGroup", "Fleet/Logs/Resource")["DeletionPolicy"] == (
        "Delete"
    )
    key = by_path(template, "AWS::KMS::Key", "Fleet/LogsKey/Resource")
    assert key["DeletionPolicy"] == "Delete"
    assert key["Properties"]["EnableKeyRotation"] is True
    (logs_statement,) = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s["Principal"]
        != {
            "AWS": {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":iam::",
                        {"Ref": "AWS::AccountId"},
                        ":root",
                    ],
                ]
            }
        }
    ]
    assert "kms:EncryptionContext:aws:logs:arn" in logs_statement["Condition"]["ArnLike"]


def test_service_runs_private_with_rollback(template: Template) -> None:
    service = by_path(template, "AWS::ECS::Service", "Fleet/Service/Service")["Properties"]
    network = service["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["AssignPublicIp"] == "DISABLED"
    assert network["Subnets"] == [
        ref(template, "AWS::EC2::Subnet", "Vpc/PrivateSubnet1/Subnet"),
        ref(template, "AWS::EC2::Subnet", "Vpc/PrivateSubnet2/Subnet"),
    ]
    deployment = service["DeploymentConfiguration"]
    assert deployment["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert deployment["MinimumHealthyPercent"] == 100


def _statements(template: Template) -> list[dict[str, Any]]:
    policy = by_path(template, "AWS::IAM::ManagedPolicy", "Fleet/TaskRole/Policy/Resource")
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


def test_workers_consume_their_queue_and_protect_their_tasks(template: Template) -> None:
    statements = _statements(template)
    (consume,) = [s for s in statements if "sqs:ReceiveMessage" in s["Action"]]
    assert consume["Resource"] == arn(template, "AWS::SQS::Queue", "Videos/Queue/Resource")
    assert "sqs:SendMessage" not in consume["Action"]
    (protect,) = [s for s in statements if "ecs:UpdateTaskProtection" in s["Action"]]
    assert protect["Action"] == ["ecs:GetTaskProtection", "ecs:UpdateTaskProtection"]
    assert protect["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ecs:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":task/",
                ref(template, "AWS::ECS::Cluster", "Cluster/Resource"),
                "/*",
            ],
        ]
    }
    assert len(statements) == 2
    template.resource_count_is("AWS::IAM::Policy", 0)  # no inline policies


def test_kms_queue_grants_decrypt() -> None:
    stack = cdk.Stack(new_app(), "Kms")
    queue = QueueWithDeadLetterQueue(
        stack, "Videos", visibility_timeout=Duration.minutes(2), encryption=sqs.QueueEncryption.KMS
    )
    _fleet(stack, queue)
    statements = _statements(Template.from_stack(stack))
    (decrypt,) = [s for s in statements if "kms:Decrypt" in s["Action"]]
    assert decrypt["Resource"] == arn(
        Template.from_stack(stack), "AWS::KMS::Key", "Videos/EncryptionKey/Resource"
    )


def test_attributes(built: Built) -> None:
    assert built.fleet.target_backlog_per_worker == 10
    assert built.fleet.backlog_per_worker.expression.startswith("FILL(visible, 0)")
    assert built.fleet.service.node.path == "Test/Fleet/Service"


# --- validation: one test per rule ---------------------------------------------------------


def _build(queue_options: dict[str, Any] | None = None, **options: Any) -> cdk.Stack:
    stack = cdk.Stack(new_app(), "Rules")
    queue = QueueWithDeadLetterQueue(
        stack, "Queue", **{"visibility_timeout": Duration.minutes(2), **(queue_options or {})}
    )
    _fleet(stack, queue, **options)
    return stack


@pytest.mark.parametrize("max_workers", [0, 5001])
def test_max_workers_range(max_workers: int) -> None:
    with pytest.raises(
        ValueError, match=rf"max_workers must be between 1 and 5000, got {max_workers}"
    ):
        _build(max_workers=max_workers)


def test_min_workers_at_most_max() -> None:
    with pytest.raises(ValueError, match="min_workers must be between 0 and 3, got 4"):
        _build(min_workers=4, max_workers=3)


def test_min_workers_not_negative() -> None:
    with pytest.raises(ValueError, match="min_workers must be between 0 and 10, got -1"):
        _build(min_workers=-1)


def test_cpu_must_be_a_fargate_size() -> None:
    with pytest.raises(ValueError, match=r"cpu must be one of 256, 512, .* got 300"):
        _build(cpu=300)


def test_memory_must_fit_the_cpu() -> None:
    with pytest.raises(
        ValueError,
        match=r"memory_limit_mib 512 is not a Fargate size for cpu 1024: allowed 2048 to 8192 "
        r"in steps of 1024 MiB",
    ):
        _build(cpu=1024, memory_limit_mib=512)


def test_processing_time_within_visibility_timeout() -> None:
    with pytest.raises(
        ValueError,
        match=r"processing_time \(180 s\) is longer than the queue's visibility_timeout "
        r"\(120 s\)",
    ):
        _build(processing_time=Duration.minutes(3), acceptable_latency=Duration.minutes(10))


def test_latency_at_least_processing_time() -> None:
    with pytest.raises(
        ValueError,
        match=r"acceptable_latency \(30 seconds\) must be at least processing_time "
        r"\(1 minute\)",
    ):
        _build(acceptable_latency=Duration.seconds(30))


def test_processing_time_positive() -> None:
    with pytest.raises(ValueError, match="processing_time must be positive, got 0 seconds"):
        _build(processing_time=Duration.seconds(0))


def test_reserved_environment_names() -> None:
    with pytest.raises(ValueError, match="environment may not set QUEUE_URL"):
        _build(environment={"QUEUE_URL": "x"})


def test_container_insights_required() -> None:
    stack = cdk.Stack(new_app(), "NoInsights")
    queue = QueueWithDeadLetterQueue(stack, "Queue", visibility_timeout=Duration.minutes(2))
    cluster = _cluster(stack, insights=False)
    with pytest.raises(ValueError, match="has Container Insights off"):
        _fleet(stack, queue, cluster=cluster)


def test_imported_cluster_warns_about_container_insights() -> None:
    stack = cdk.Stack(new_app(), "Imported")
    queue = QueueWithDeadLetterQueue(stack, "Queue", visibility_timeout=Duration.minutes(2))
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    cluster = ecs.Cluster.from_cluster_attributes(
        stack, "Existing", cluster_name="workers", vpc=vpc, security_groups=[]
    )
    _fleet(stack, queue, cluster=cluster)
    Annotations.from_stack(stack).has_warning(
        "/Imported/Fleet", Match.string_like_regexp("Container Insights is on")
    )


def test_entry_point_and_command_reach_the_container() -> None:
    stack = cdk.Stack(new_app(), "Command")
    queue = QueueWithDeadLetterQueue(stack, "Videos", visibility_timeout=Duration.minutes(2))
    _fleet(stack, queue, entry_point=["sh", "-c"], command=["echo hi"])
    container = _container(Template.from_stack(stack))
    assert container["EntryPoint"] == ["sh", "-c"]
    assert container["Command"] == ["echo hi"]


def test_defaults_leave_the_image_entry_point(template: Template) -> None:
    container = _container(template)
    assert "EntryPoint" not in container
    assert "Command" not in container
