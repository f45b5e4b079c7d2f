"""Every error path of ``python -m patterns.redrive``: one line on stderr, exit status 2 (130
when interrupted), never a traceback; and a stack without dead-letter queues says so.

The fakes are those of tests/test_redrive.py (the ``aws`` fixture and its clients).
"""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import pytest

from patterns import redrive
from tests.helpers import ROOT
from tests.test_redrive import FakeCloudFormation, FakeSns, FakeSqs, _url, aws  # noqa: F401


def _run(clients: Any, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return redrive.main(list(argv), clients=clients, out=out), out.getvalue()


def _one_line(err: str) -> str:
    assert err.startswith("redrive: "), err
    assert err.endswith("\n"), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def _without_dead_letter_queues() -> dict[str, Any]:
    sqs = FakeSqs()
    sqs.add_queue("plain")
    cloudformation = FakeCloudFormation({"Plain": [("Queue", "AWS::SQS::Queue", _url("plain"))]})
    return {"sqs": sqs, "cloudformation": cloudformation, "sns": FakeSns({})}


@pytest.mark.parametrize("command", ["start", "status", "cancel"])
def test_a_stack_without_dead_letter_queues_is_an_error_that_says_so(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes = _without_dead_letter_queues()
    code, text = _run(fakes.__getitem__, command, "Plain")
    assert (code, text) == (2, "")
    err = _one_line(capsys.readouterr().err)
    assert "stack Plain has no dead-letter queues" in err
    assert "nothing to redrive" in err
    assert fakes["sqs"].started == []


def test_list_of_a_stack_without_dead_letter_queues_says_so_and_succeeds() -> None:
    code, text = _run(_without_dead_letter_queues().__getitem__, "list", "Plain")
    assert (code, text) == (0, "stack Plain has no dead-letter queues\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: command"),
        (["purge", "Shop"], "invalid choice: 'purge'"),
        (["start"], "the following arguments are required: stack"),
        (["start", "Shop", "--rate", "fast"], "argument --rate: invalid int value: 'fast'"),
        (["list", "Shop", "--dlq", "x"], "unrecognized arguments: --dlq x"),
        (["status", "Shop", "--wait"], "unrecognized arguments: --wait"),
    ],
    ids=["no-command", "unknown-command", "no-stack", "rate-not-a-number", "list-dlq", "wait"],
)
def test_usage_errors_are_one_line_with_exit_status_2(
    aws: dict[str, Any],  # noqa: F811
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _ = _run(aws.__getitem__, *argv)
    assert code == 2
    err = _one_line(capsys.readouterr().err)
    assert message in err
    assert err.rstrip().endswith("--help)")


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(lambda service: None, "start", "--help")[0] == 0
    assert "--rate RATE" in capsys.readouterr().out


def test_an_unexpected_error_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def failing(service: str) -> Any:
        raise KeyError(service)

    assert _run(failing, "list", "Shop")[0] == 2
    assert _one_line(capsys.readouterr().err) == "redrive: unexpected KeyError: 'cloudformation'\n"


def test_an_interrupted_wait_says_the_task_keeps_running(
    aws: dict[str, Any],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    sqs = aws["sqs"]
    calls: list[str] = []

    def list_tasks(SourceArn: str, MaxResults: int) -> Any:  # noqa: N803 (boto3's names)
        calls.append(SourceArn)
        if sqs.started:  # Ctrl-C while --wait follows the task
            raise KeyboardInterrupt
        return {"Results": []}

    sqs.list_message_move_tasks = list_tasks
    code, _ = _run(aws.__getitem__, "start", "Shop", "--dlq", "orders-dlq", "--wait")
    assert code == 130
    assert len(sqs.started) == 1
    assert "a move task already started keeps running" in _one_line(capsys.readouterr().err)


def test_a_missing_boto3_is_one_line_naming_the_fix() -> None:
    """In a fresh interpreter where ``import boto3`` fails, as without the extra."""
    code = (
        "import sys; sys.modules['boto3'] = None\n"
        "from patterns import redrive\n"
        "sys.exit(redrive.main(['list', 'Shop']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert _one_line(result.stderr) == (
        "redrive: the redrive command needs boto3: pip install boto3 (or install this package "
        "with its redrive extra)\n"
    )
