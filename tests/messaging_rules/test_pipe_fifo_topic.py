"""Messaging-PIPE9: an EventBridge pipe whose target is an SNS FIFO topic, which pipes do not
support; a pipe to a standard topic passes."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns

from tests.messaging_rules.common import LEVELS, Case, Report, fail_stack, good_stack, synth_cases
from tests.messaging_rules.test_pipes import _queue_pipe


def pipe9_fail(stack: cdk.Stack) -> None:
    _queue_pipe(stack, target=sns.Topic(stack, "Target", fifo=True))


def pipe9_good(stack: cdk.Stack) -> None:
    _queue_pipe(stack, target=sns.Topic(stack, "Target"))


CASES = {"PIPE9": Case((pipe9_fail,), "Pipe", pipe9_good)}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return synth_cases(tmp_path_factory.mktemp("pipe-fifo-topic"), CASES)


def test_a_pipe_to_a_fifo_topic_is_an_error(report: Report) -> None:
    assert ("Messaging-PIPE9", LEVELS["PIPE9"], "Pipe") in report.of_stack(fail_stack("PIPE9", 0))


def test_a_pipe_to_a_standard_topic_passes(report: Report) -> None:
    assert report.of_stack(good_stack(pipe9_good)) == []
