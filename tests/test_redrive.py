"""The redrive command against fake AWS clients: what it finds, starts, refuses and cancels.

The same command runs against LocalStack in tests/e2e/test_redrive.py.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from patterns import redrive

ACCOUNT = "111122223333"


def _arn(name: str) -> str:
    return f"arn:aws:sqs:eu-west-1:{ACCOUNT}:{name}"


def _url(name: str) -> str:
    return f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/{name}"


class FakeCloudFormation:
    def __init__(self, stacks: dict[str, list[tuple[str, str, str]]]) -> None:
        self.stacks = stacks

    def get_paginator(self, operation: str) -> Any:
        assert operation == "list_stack_resources"
        return self

    def paginate(self, StackName: str) -> list[dict[str, Any]]:  # noqa: N803 (boto3's name)
        if StackName not in self.stacks:
            raise RuntimeError(f"Stack with id {StackName} does not exist")
        return [
            {
                "StackResourceSummaries": [
                    {"LogicalResourceId": lid, "ResourceType": kind, "PhysicalResourceId": pid}
                    for lid, kind, pid in self.stacks[StackName]
                ]
            }
        ]


class FakeSqs:
    def __init__(self) -> None:
        self.attributes: dict[str, dict[str, str]] = {}
        self.tasks: dict[str, list[dict[str, Any]]] = {}
        self.started: list[dict[str, Any]] = []
        self.cancelled: list[str] = []
        self.refuse: str | None = None

    def add_queue(self, name: str, depth: int = 0, dlq: str | None = None) -> None:
        attributes = {
            "QueueArn": _arn(name),
            "ApproximateNumberOfMessages": str(depth),
            "ApproximateNumberOfMessagesNotVisible": "0",
        }
        if dlq is not None:
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": _arn(dlq), "maxReceiveCount": 5}
            )
        self.attributes[_url(name)] = attributes

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> Any:  # noqa: N803
        return {"Attributes": self.attributes[QueueUrl]}

    def list_message_move_tasks(self, SourceArn: str, MaxResults: int) -> Any:  # noqa: N803
        return {"Results": self.tasks.get(SourceArn, [])}

    def start_message_move_task(self, **arguments: Any) -> Any:
        if self.refuse:
            raise RuntimeError(self.refuse)
        self.started.append(arguments)
        self.tasks[arguments["SourceArn"]] = [
            {"Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": 3, "TaskHandle": "h"}
        ]
        return {"TaskHandle": "h"}

    def cancel_message_move_task(self, TaskHandle: str) -> Any:  # noqa: N803
        self.cancelled.append(TaskHandle)
        return {"ApproximateNumberOfMessagesMoved": 2}


class FakeSns:
    def __init__(self, dlq_of: dict[str, str]) -> None:
        self.dlq_of = dlq_of

    def get_subscription_attributes(self, SubscriptionArn: str) -> Any:  # noqa: N803
        dlq = self.dlq_of.get(SubscriptionArn)
        attributes = (
            {"RedrivePolicy": json.dumps({"deadLetterTargetArn": _arn(dlq)})} if dlq else {}
        )
        return {"Attributes": attributes}


@pytest.fixture
def aws() -> dict[str, Any]:
    sqs = FakeSqs()
    sqs.add_queue("orders", dlq="orders-dlq")
    sqs.add_queue("orders-dlq", depth=3)
    sqs.add_queue("billing", dlq="billing-dlq")
    sqs.add_queue("billing-dlq", depth=0)
    sqs.add_queue("billing-subscription-dlq", depth=4)
    sqs.add_queue("plain")
    subscription = "arn:aws:sns:eu-west-1:111122223333:topic:sub-1"
    cloudformation = FakeCloudFormation(
        {
            "Shop": [
                ("OrdersQueue", "AWS::SQS::Queue", _url("orders")),
                ("OrdersDlq", "AWS::SQS::Queue", _url("orders-dlq")),
                ("Plain", "AWS::SQS::Queue", _url("plain")),
                ("Nested", "AWS::CloudFormation::Stack", "arn:aws:cloudformation:nested"),
            ],
            "arn:aws:cloudformation:nested": [
                ("BillingQueue", "AWS::SQS::Queue", _url("billing")),
                ("BillingDlq", "AWS::SQS::Queue", _url("billing-dlq")),
                ("BillingSubDlq", "AWS::SQS::Queue", _url("billing-subscription-dlq")),
                ("Subscription", "AWS::SNS::Subscription", subscription),
            ],
        }
    )
    return {
        "sqs": sqs,
        "cloudformation": cloudformation,
        "sns": FakeSns({subscription: "billing-subscription-dlq"}),
    }


def _run(aws: dict[str, Any], *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = redrive.main(list(argv), clients=aws.__getitem__, out=out)
    return code, out.getvalue()


def test_finds_every_dead_letter_queue_of_the_stack_and_its_nested_stacks(aws):
    dlqs = redrive.find_dead_letter_queues(aws.__getitem__, "Shop")
    assert [(d.name, d.visible, d.redrivable) for d in dlqs] == [
        ("billing-dlq", 0, True),
        ("billing-subscription-dlq", 4, False),
        ("orders-dlq", 3, True),
    ]
    assert dlqs[2].source_queues == [_arn("orders")]
    assert dlqs[1].subscriptions == ["arn:aws:sns:eu-west-1:111122223333:topic:sub-1"]


def test_list_prints_depth_sources_and_what_cannot_be_redriven(aws):
    code, text = _run(aws, "list", "Shop")
    assert code == 0
    assert "orders-dlq  (OrdersDlq)\n  messages: 3 waiting, 0 in flight" in text
    assert "dead-letter queue of orders" in text
    assert "billing-subscription-dlq" in text
    assert "redrive: not possible with SQS" in text
    assert "plain  (" not in text  # a queue that is no one's dead-letter queue


def test_start_moves_waiting_messages_back_at_the_rate_asked(aws):
    code, text = _run(aws, "start", "Shop", "--rate", "10")
    assert code == 0
    assert aws["sqs"].started == [
        {"SourceArn": _arn("orders-dlq"), "MaxNumberOfMessagesPerSecond": 10}
    ]
    assert "orders-dlq: moving about 3 messages back to orders at 10 messages per second" in text
    assert "billing-dlq: nothing to redrive" in text
    assert "billing-subscription-dlq: skipped" in text


def test_start_without_a_rate_lets_sqs_choose_and_wait_follows_to_the_end(aws):
    code, text = _run(aws, "start", "Shop", "--dlq", "OrdersDlq", "--wait")
    assert code == 0
    assert aws["sqs"].started == [{"SourceArn": _arn("orders-dlq")}]
    assert "orders-dlq: COMPLETED: 3 moved" in text


def test_start_refuses_when_a_task_already_runs(aws, capsys):
    aws["sqs"].tasks[_arn("orders-dlq")] = [
        {"Status": "RUNNING", "ApproximateNumberOfMessagesMoved": 1, "TaskHandle": "t"}
    ]
    code, _ = _run(aws, "start", "Shop", "--dlq", "orders-dlq")
    assert code == 2
    assert aws["sqs"].started == []
    assert "already has a running move task" in capsys.readouterr().err


def test_start_refuses_a_subscription_dead_letter_queue_by_name(aws, capsys):
    code, _ = _run(aws, "start", "Shop", "--dlq", "billing-subscription-dlq")
    assert code == 2
    assert "only moves messages out of dead-letter queues of SQS queues" in capsys.readouterr().err


@pytest.mark.parametrize("rate", ["0", "501"])
def test_start_refuses_a_rate_outside_what_sqs_allows(aws, capsys, rate):
    code, _ = _run(aws, "start", "Shop", "--rate", rate)
    assert code == 2
    assert f"--rate {rate} must be between 1 and 500" in capsys.readouterr().err


def test_start_reports_what_sqs_refused(aws, capsys):
    aws["sqs"].refuse = "AccessDenied: not allowed"
    code, _ = _run(aws, "start", "Shop")
    assert code == 2
    assert "SQS refused to redrive orders-dlq: AccessDenied: not allowed" in capsys.readouterr().err


def test_unknown_dead_letter_queue_and_unknown_stack_are_clear_errors(aws, capsys):
    assert _run(aws, "status", "Shop", "--dlq", "nope")[0] == 2
    assert "--dlq 'nope' names no dead-letter queue of the stack" in capsys.readouterr().err
    assert _run(aws, "list", "Missing")[0] == 2
    assert "cannot read the resources of stack 'Missing'" in capsys.readouterr().err


def test_status_and_cancel_act_on_running_tasks_only(aws):
    aws["sqs"].tasks[_arn("orders-dlq")] = [
        {
            "Status": "RUNNING",
            "ApproximateNumberOfMessagesMoved": 1,
            "ApproximateNumberOfMessagesToMove": 3,
            "TaskHandle": "t",
        }
    ]
    code, text = _run(aws, "status", "Shop")
    assert code == 0
    assert "orders-dlq: 3 waiting; RUNNING: 1/3 moved" in text
    code, text = _run(aws, "cancel", "Shop")
    assert code == 0
    assert aws["sqs"].cancelled == ["t"]
    assert "orders-dlq: cancelled after 2 messages moved" in text
    aws["sqs"].tasks.clear()
    assert "no running move task to cancel" in _run(aws, "cancel", "Shop")[1]


def test_errors_of_the_aws_sdk_are_reported_without_a_traceback(aws, capsys):
    error_type = type("NoRegionError", (Exception,), {"__module__": "botocore.exceptions"})

    def failing(service: str) -> Any:
        raise error_type("You must specify a region.")

    code = redrive.main(["list", "Shop"], clients=failing, out=io.StringIO())
    assert code == 2
    assert capsys.readouterr().err == "redrive: You must specify a region.\n"
