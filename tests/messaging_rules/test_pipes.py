"""Messaging-PIPE*: EventBridge pipes (AWS::Pipes::Pipe) whose role cannot read the source,
invoke the enrichment or write the target or dead-letter target, and pipes whose failed
records nothing keeps; each rule on plain-CDK apps that fall into its trap and one that does not.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_amazonmq as amazonmq
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn

from patterns.cloud_assembly import read_assembly
from patterns.messaging.connections import pipes as read_pipes
from patterns.messaging.model import Resolved, StackModel
from patterns.messaging.rules import INFO
from patterns.messaging.rules.pipes import pipe_source_access
from tests.helpers import inline_function
from tests.messaging_rules.common import (
    LEVELS,
    Case,
    Report,
    fail_stack,
    good_stack,
    synth_cases,
)

Pipe = pipes.CfnPipe


def _role(stack: cdk.Stack, service: str = "pipes.amazonaws.com") -> iam.Role:
    return iam.Role(stack, "PipeRole", assumed_by=iam.ServicePrincipal(service))


def _queue_with_dlq(stack: cdk.Stack, construct_id: str) -> sqs.Queue:
    dlq = sqs.Queue(stack, f"{construct_id}Dlq", retention_period=cdk.Duration.days(14))
    return sqs.Queue(
        stack,
        construct_id,
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5),
    )


def _stream_parameters(dead_letter_arn: str | None) -> Pipe.PipeSourceParametersProperty:
    dead = Pipe.DeadLetterConfigProperty(arn=dead_letter_arn) if dead_letter_arn else None
    return Pipe.PipeSourceParametersProperty(
        kinesis_stream_parameters=Pipe.PipeSourceKinesisStreamParametersProperty(
            starting_position="TRIM_HORIZON",
            dead_letter_config=dead,
            maximum_retry_attempts=3,
        )
    )


def _queue_pipe(
    stack: cdk.Stack,
    *,
    role: iam.IRole | None = None,
    source: sqs.IQueue | None = None,
    grant_source: bool = True,
    enrichment: str | None = None,
    target: sns.ITopic | None = None,
    grant_target: bool = True,
) -> None:
    """Queue (with DLQ) -> optional enrichment -> topic, every grant the pipe needs unless
    told otherwise."""
    role = role or _role(stack)
    source = source or _queue_with_dlq(stack, "Source")
    target = target or sns.Topic(stack, "Target")
    if grant_source:
        source.grant_consume_messages(role)
    if grant_target:
        target.grant_publish(role)
    Pipe(
        stack,
        "Pipe",
        role_arn=role.role_arn,
        source=source.queue_arn,
        enrichment=enrichment,
        target=target.topic_arn,
    )


def good_pipes(stack: cdk.Stack) -> None:
    """Every source kind and several targets, each with the grants and the failure handling."""
    _fifo_pipe(stack, "orders")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("pipes.amazonaws.com"))
    _broker_pipe(stack, role, grant_secret=True)
    # A role whose only grant is an AWS-managed policy: it may well allow the pipe, so only a
    # note (never an error) says the template cannot tell.
    managed = iam.Role(
        stack,
        "ManagedRole",
        assumed_by=iam.ServicePrincipal("pipes.amazonaws.com"),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSQSFullAccess")],
    )
    Pipe(
        stack,
        "ManagedPipe",
        role_arn=managed.role_arn,
        source=_queue_with_dlq(stack, "ManagedSource").queue_arn,
        target=_queue_with_dlq(stack, "ManagedTarget").queue_arn,
    )
    # A function target named by its alias, granted on the alias (a role of its own, so no
    # other grant of the role covers it).
    alias_role = iam.Role(
        stack, "AliasRole", assumed_by=iam.ServicePrincipal("pipes.amazonaws.com")
    )
    live = inline_function(stack, "Consumer").add_alias("live")
    live.grant_invoke(alias_role)
    to_alias = _queue_with_dlq(stack, "AliasSource")
    to_alias.grant_consume_messages(alias_role)
    Pipe(
        stack,
        "AliasPipe",
        role_arn=alias_role.role_arn,
        source=to_alias.queue_arn,
        target=live.function_arn,
    )
    enrich = inline_function(stack, "Enrich")
    enrich.grant_invoke(role)
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    topic = sns.Topic(stack, "Target", master_key=key)
    topic.grant_publish(role)
    source = _queue_with_dlq(stack, "QueueSource")
    source.grant_consume_messages(role)
    Pipe(
        stack,
        "QueuePipe",
        role_arn=role.role_arn,
        source=source.queue_arn,
        enrichment=enrich.function_arn,
        target=topic.topic_arn,
    )
    stream = kinesis.Stream(
        stack, "Stream", encryption=kinesis.StreamEncryption.KMS, encryption_key=key
    )
    stream.grant_read(role)
    target_queue = _queue_with_dlq(stack, "TargetQueue")
    target_queue.grant_send_messages(role)
    stream_dlq = sqs.Queue(stack, "StreamDlq", encryption_master_key=key)
    stream_dlq.grant_send_messages(role)
    express = sfn.StateMachine(
        stack,
        "Express",
        definition_body=sfn.DefinitionBody.from_chainable(sfn.Pass(stack, "Pass")),
        state_machine_type=sfn.StateMachineType.EXPRESS,
    )
    express.grant_start_sync_execution(role)
    Pipe(
        stack,
        "StreamPipe",
        role_arn=role.role_arn,
        source=stream.stream_arn,
        source_parameters=_stream_parameters(stream_dlq.queue_arn),
        enrichment=express.state_machine_arn,
        target=target_queue.queue_arn,
    )
    table = dynamodb.Table(
        stack,
        "Table",
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
        stream=dynamodb.StreamViewType.NEW_IMAGE,
    )
    table.grant_stream_read(role)
    standard = sfn.StateMachine(
        stack,
        "Standard",
        definition_body=sfn.DefinitionBody.from_chainable(sfn.Pass(stack, "Wait")),
    )
    standard.grant_start_execution(role)
    Pipe(
        stack,
        "TablePipe",
        role_arn=role.role_arn,
        source=table.table_stream_arn or "",
        source_parameters=Pipe.PipeSourceParametersProperty(
            dynamo_db_stream_parameters=Pipe.PipeSourceDynamoDBStreamParametersProperty(
                starting_position="TRIM_HORIZON",
                dead_letter_config=Pipe.DeadLetterConfigProperty(arn=stream_dlq.queue_arn),
                maximum_record_age_in_seconds=3600,
            )
        ),
        target=standard.state_machine_arn,
        target_parameters=Pipe.PipeTargetParametersProperty(
            step_function_state_machine_parameters=Pipe.PipeTargetStateMachineParametersProperty(
                invocation_type="FIRE_AND_FORGET"
            )
        ),
    )


def _fifo_pipe(stack: cdk.Stack, group: str | None) -> None:
    role = _role(stack)
    source = _queue_with_dlq(stack, "Source")
    source.grant_consume_messages(role)
    target = sqs.Queue(stack, "Ordered", fifo=True, content_based_deduplication=True)
    target.grant_send_messages(role)
    parameters = Pipe.PipeTargetParametersProperty(
        sqs_queue_parameters=Pipe.PipeTargetSqsQueueParametersProperty(message_group_id=group)
    )
    Pipe(
        stack,
        "Pipe" if group is None else "FifoPipe",
        role_arn=role.role_arn,
        source=source.queue_arn,
        target=target.queue_arn,
        target_parameters=parameters if group else None,
    )


def _broker_pipe(stack: cdk.Stack, role: iam.Role, grant_secret: bool) -> None:
    """An ActiveMQ broker's queue -> a topic; the broker's password in Secrets Manager."""
    secret = secretsmanager.Secret(stack, "BrokerCredentials")
    broker = amazonmq.CfnBroker(
        stack,
        "Broker",
        broker_name="orders",
        deployment_mode="SINGLE_INSTANCE",
        engine_type="ACTIVEMQ",
        engine_version="5.18",
        host_instance_type="mq.t3.micro",
        auto_minor_version_upgrade=True,
        publicly_accessible=False,
        users=[
            amazonmq.CfnBroker.UserProperty(
                username="pipe",
                password=secret.secret_value_from_json("password").unsafe_unwrap(),
            )
        ],
    )
    role.add_to_policy(
        iam.PolicyStatement(actions=["mq:DescribeBroker"], resources=[broker.attr_arn])
    )
    if grant_secret:
        secret.grant_read(role)
    target = sns.Topic(stack, "BrokerTarget")
    target.grant_publish(role)
    Pipe(
        stack,
        "Pipe" if not grant_secret else "BrokerPipe",
        role_arn=role.role_arn,
        source=broker.attr_arn,
        source_parameters=Pipe.PipeSourceParametersProperty(
            active_mq_broker_parameters=Pipe.PipeSourceActiveMQBrokerParametersProperty(
                credentials=Pipe.MQBrokerAccessCredentialsProperty(basic_auth=secret.secret_arn),
                queue_name="orders",
            )
        ),
        target=target.topic_arn,
    )


def pipe2_broker_fail(stack: cdk.Stack) -> None:
    _broker_pipe(stack, _role(stack), grant_secret=False)


def pipe8_fail(stack: cdk.Stack) -> None:
    _fifo_pipe(stack, None)


def pipe1_fail(stack: cdk.Stack) -> None:
    _queue_pipe(stack, role=_role(stack, "lambda.amazonaws.com"))


def pipe2_fail(stack: cdk.Stack) -> None:
    _queue_pipe(stack, grant_source=False)


def pipe2_key_fail(stack: cdk.Stack) -> None:
    """The role may read the records but not decrypt them."""
    role = _role(stack)
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    stream = kinesis.Stream(
        stack, "Stream", encryption=kinesis.StreamEncryption.KMS, encryption_key=key
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream"],
            resources=[stream.stream_arn],
        )
    )
    target = sqs.Queue(stack, "Target")
    target.grant_send_messages(role)
    dlq = sqs.Queue(stack, "Dlq")
    dlq.grant_send_messages(role)
    Pipe(
        stack,
        "Pipe",
        role_arn=role.role_arn,
        source=stream.stream_arn,
        source_parameters=_stream_parameters(dlq.queue_arn),
        target=target.queue_arn,
    )


def pipe3_fail(stack: cdk.Stack) -> None:
    _queue_pipe(stack, enrichment=inline_function(stack, "Enrich").function_arn)


def pipe3_standard_fail(stack: cdk.Stack) -> None:
    role = _role(stack)
    machine = sfn.StateMachine(
        stack,
        "Standard",
        definition_body=sfn.DefinitionBody.from_chainable(sfn.Pass(stack, "Pass")),
    )
    machine.grant_start_sync_execution(role)
    _queue_pipe(stack, role=role, enrichment=machine.state_machine_arn)


def pipe4_fail(stack: cdk.Stack) -> None:
    _queue_pipe(stack, grant_target=False)


def pipe4_key_fail(stack: cdk.Stack) -> None:
    """The role may publish, but not with the topic's key."""
    role = _role(stack)
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    topic = sns.Topic(stack, "Target", master_key=key)
    role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[topic.topic_arn]))
    _queue_pipe(stack, role=role, target=topic, grant_target=False)


def pipe5_fail(stack: cdk.Stack) -> None:
    role = _role(stack)
    stream = kinesis.Stream(stack, "Stream")
    stream.grant_read(role)
    target = sqs.Queue(stack, "Target")
    target.grant_send_messages(role)
    Pipe(
        stack,
        "Pipe",
        role_arn=role.role_arn,
        source=stream.stream_arn,
        source_parameters=_stream_parameters(None),
        target=target.queue_arn,
    )


def pipe6_fail(stack: cdk.Stack) -> None:
    _queue_pipe(stack, source=sqs.Queue(stack, "Source"))


def pipe7_fail(stack: cdk.Stack) -> None:
    role = _role(stack)
    stream = kinesis.Stream(stack, "Stream")
    stream.grant_read(role)
    target = sqs.Queue(stack, "Target")
    target.grant_send_messages(role)
    dlq = sqs.Queue(stack, "Dlq")  # the role may not send to it
    Pipe(
        stack,
        "Pipe",
        role_arn=role.role_arn,
        source=stream.stream_arn,
        source_parameters=_stream_parameters(dlq.queue_arn),
        target=target.queue_arn,
    )


CASES = {
    "PIPE1": Case((pipe1_fail,), "Pipe", good_pipes),
    "PIPE2": Case((pipe2_fail, pipe2_key_fail, pipe2_broker_fail), "Pipe", good_pipes),
    "PIPE3": Case((pipe3_fail, pipe3_standard_fail), "Pipe", good_pipes),
    "PIPE4": Case((pipe4_fail, pipe4_key_fail), "Pipe", good_pipes),
    "PIPE5": Case((pipe5_fail,), "Pipe", good_pipes),
    "PIPE6": Case((pipe6_fail,), "Pipe", good_pipes),
    "PIPE7": Case((pipe7_fail,), "Pipe", good_pipes),
    "PIPE8": Case((pipe8_fail,), "Pipe", good_pipes),
}
FAILS = [(suffix, index) for suffix, case in CASES.items() for index in range(len(case.fails))]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return synth_cases(tmp_path_factory.mktemp("pipes"), CASES)


@pytest.mark.parametrize(("suffix", "index"), FAILS)
def test_the_failing_app_reports_the_rule(report: Report, suffix: str, index: int) -> None:
    found = report.of_stack(fail_stack(suffix, index))
    expected = (f"Messaging-{suffix}", LEVELS[suffix], CASES[suffix].where(index))
    assert expected in found, found


def test_the_passing_app_reports_nothing(report: Report) -> None:
    assert report.of_stack(good_stack(good_pipes)) == []


def test_a_failing_app_reports_only_its_own_trap(report: Report) -> None:
    """Each failing app breaks one thing: no other pipe rule fires on it."""
    for suffix, index in FAILS:
        rules = {r for r, _, _ in report.of_stack(fail_stack(suffix, index))}
        pipe_rules = {r for r in rules if r.startswith("Messaging-PIPE")}
        assert pipe_rules == {f"Messaging-{suffix}"}, (suffix, index, rules)


def _template(report: Report, stack: str) -> StackModel:
    loaded = {s.name: s for s in read_assembly(report.outdir).stacks}
    return StackModel(loaded[stack].template, stack)


def test_a_pipe_is_read_with_its_source_enrichment_target_and_dead_letter_target(
    report: Report,
) -> None:
    model = _template(report, good_stack(good_pipes))
    found = {model.path(p.logical_id).split("/")[1]: p for p in read_pipes(model)}
    assert sorted(found) == [
        "AliasPipe",
        "BrokerPipe",
        "FifoPipe",
        "ManagedPipe",
        "QueuePipe",
        "StreamPipe",
        "TablePipe",
    ]
    kinds = {name: pipe.source_kind for name, pipe in found.items()}
    assert kinds == {
        "AliasPipe": "queue",
        "BrokerPipe": "broker",
        "ManagedPipe": "queue",
        "FifoPipe": "queue",
        "QueuePipe": "queue",
        "StreamPipe": "kinesis",
        "TablePipe": "dynamodb",
    }

    def name(target: object) -> str:
        assert isinstance(target, Resolved), target
        return model.path(target.logical_id).split("/")[1]

    stream = found["StreamPipe"]
    assert (name(stream.source), name(stream.enrichment), name(stream.target)) == (
        "Stream",
        "Express",
        "TargetQueue",
    )
    assert name(stream.dead_letter) == "StreamDlq"
    assert name(stream.role) == "Role"
    assert found["QueuePipe"].dead_letter is None
    assert name(found["TablePipe"].source) == "Table"


def test_a_role_with_managed_policies_from_outside_is_a_note_not_an_error(report: Report) -> None:
    model = _template(report, good_stack(good_pipes))
    (pipe,) = [p for p in read_pipes(model) if model.path(p.logical_id).endswith("/ManagedPipe")]
    hits = [h for h in pipe_source_access(model) if h.logical_id == pipe.logical_id]
    assert [h.level for h in hits] == [INFO], hits
    assert "AmazonSQSFullAccess" in hits[0].message
