"""AWS's limits and name rules, and the AWS-managed-key detector: each written once, in modules
the CDK-free messaging checks can import, and read alike by the constructs and the rules."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms

from patterns import QueueWithDeadLetterQueue
from patterns.keys import aws_managed_alias, is_aws_managed
from patterns.limits import (
    SNS_TOPIC_NAME_MAX_LENGTH,
    SQS_QUEUE_NAME_MAX_LENGTH,
    NameProblem,
    name_problems,
)
from patterns.messaging.model import StackModel
from patterns.messaging.permissions import key_info
from tests.helpers import new_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("module", ["patterns.limits", "patterns.keys"])
def test_module_loads_no_cdk(module: str) -> None:
    """The messaging rules read templates without the CDK: what they import must not load it."""
    code = (
        f"import sys, {module}\n"
        "print(','.join(m for m in sys.modules if m.startswith(('aws_cdk', 'jsii'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    assert result.stdout.strip() == ""


P = NameProblem
NAMES = [
    ("orders", False, []),
    ("orders.fifo", True, []),
    ("Orders_v2-eu", False, []),
    ("orders", True, [P.MISSING_FIFO_SUFFIX]),
    ("orders.fifo", False, [P.FIFO_SUFFIX_ON_STANDARD, P.BAD_CHARACTERS]),
    ("orders.v2", False, [P.BAD_CHARACTERS]),
    ("", False, [P.BAD_CHARACTERS]),
    (".fifo", True, [P.BAD_CHARACTERS]),
    ("a" * 80, False, []),
    ("a" * 81, False, [P.TOO_LONG]),
    ("a" * 75 + ".fifo", True, []),
    ("a" * 76 + ".fifo", True, [P.TOO_LONG]),
]


@pytest.mark.parametrize(("name", "fifo", "problems"), NAMES)
def test_queue_name_rule(name: str, fifo: bool, problems: list[NameProblem]) -> None:
    assert name_problems(name, fifo=fifo, max_length=SQS_QUEUE_NAME_MAX_LENGTH) == problems


def test_topic_name_rule_is_the_same_rule_with_its_own_length() -> None:
    assert name_problems("t" * 256, fifo=False, max_length=SNS_TOPIC_NAME_MAX_LENGTH) == []
    assert name_problems("t" * 257, fifo=False, max_length=SNS_TOPIC_NAME_MAX_LENGTH) == [
        NameProblem.TOO_LONG
    ]


@pytest.mark.parametrize(("name", "fifo", "problems"), NAMES)
def test_the_queue_pattern_refuses_exactly_the_names_the_rule_finds(
    name: str, fifo: bool, problems: list[NameProblem]
) -> None:
    stack = cdk.Stack(new_app(), "Names")
    # A dead-letter queue name of its own, so the derived "-dlq" name does not interfere.
    options = {"fifo": fifo, "dead_letter_queue_name": "failed.fifo" if fifo else "failed"}
    if problems:
        with pytest.raises(ValueError, match=r"queue_name"):
            QueueWithDeadLetterQueue(stack, "Q", queue_name=name, **options)  # type: ignore[arg-type]
    elif name:  # an empty name means "generate one" to the pattern
        QueueWithDeadLetterQueue(stack, "Q", queue_name=name, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reference", "alias"),
    [
        ("alias/aws/sqs", "alias/aws/sqs"),
        ("arn:aws:kms:eu-west-1:111122223333:alias/aws/sns", "alias/aws/sns"),
        ("arn::kms:::alias/aws/sqs", "alias/aws/sqs"),  # literal parts of a Fn::Join
        ("alias/orders", None),
        ("arn:aws:kms:eu-west-1:111122223333:key/1234", None),
        ("alias/team/alias/aws/sqs", None),  # a customer's alias that merely ends like one
    ],
)
def test_one_detector_for_aws_managed_keys(reference: str, alias: str | None) -> None:
    assert aws_managed_alias(reference) == alias


def test_a_customer_alias_that_ends_like_an_aws_managed_one_is_not_refused() -> None:
    """Alias names may contain slashes; only one that *starts* alias/aws/ is AWS's."""
    stack = cdk.Stack(new_app(), "Keys")
    assert not is_aws_managed(kms.Alias.from_alias_name(stack, "A", "alias/team/alias/aws/x"))
    assert is_aws_managed(kms.Alias.from_alias_name(stack, "B", "alias/aws/sqs"))


def test_the_template_reader_names_the_alias_and_nothing_after_it() -> None:
    model = StackModel({"Resources": {}})
    found = key_info(
        model, {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":alias/aws/sqs"]]}
    )
    assert (found.kind, found.detail) == ("aws-managed", "alias/aws/sqs")
    assert key_info(model, "alias/team/alias/aws/x").kind != "aws-managed"


def test_queue_metrics_take_the_one_typing_of_metric_options() -> None:
    for name, method in inspect.getmembers(QueueWithDeadLetterQueue, inspect.isfunction):
        if name.startswith("metric_"):
            props = inspect.signature(method).parameters["props"]
            assert props.annotation == "Unpack[MetricOptions]", name
