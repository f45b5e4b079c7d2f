"""python -m patterns.flows as a command: --format json, --fail-on, exit codes, and one-line errors
(never a traceback) on usage errors, unreadable assemblies, unknown stacks and pictures that
cannot be drawn. One small plain-CDK app (a broken hop, a hop at risk, a clean queue).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs

from patterns.flows import main, parser
from tests.helpers import ROOT, new_app

PROG = "python -m patterns.flows: error: "


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("flows-command")
    app = new_app(outdir=str(outdir))
    broken = cdk.Stack(app, "Broken")
    topic = sns.Topic(broken, "Topic")
    queue = sqs.Queue(broken, "Queue")
    # No queue policy lets the topic send: Messaging-SNS3, every delivery refused.
    sns.CfnSubscription(
        broken, "Subscription", topic_arn=topic.topic_arn, protocol="sqs", endpoint=queue.queue_arn
    )
    risky = cdk.Stack(app, "Risky")
    # A subscription without a dead-letter queue: Messaging-SNS6, a warning.
    sns.Topic(risky, "Topic").add_subscription(subs.SqsSubscription(sqs.Queue(risky, "Queue")))
    clean = cdk.Stack(app, "Clean")
    dlq = sqs.Queue(clean, "DeadLetters", retention_period=cdk.Duration.days(14))
    sqs.Queue(clean, "Work", dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5))
    app.synth()
    return outdir


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(code: int, err: str) -> None:
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(PROG), err


@pytest.mark.parametrize(
    ("stack", "fail_on", "code"),
    [
        ("Broken", "error", 1),
        ("Broken", "warning", 1),
        ("Risky", "error", 0),
        ("Risky", "warning", 1),
        ("Clean", "error", 0),
        ("Clean", "warning", 0),
    ],
)
def test_fail_on_sets_the_exit_code(
    assembly: Path, stack: str, fail_on: str, code: int, capsys
) -> None:
    assert _run([str(assembly), "--stack", stack, "--fail-on", fail_on], capsys)[0] == code


def test_the_json_graph_has_nodes_hops_paths_and_counts(assembly: Path, capsys) -> None:
    code, out, err = _run([str(assembly), "--stack", "Broken", "--format", "json"], capsys)
    assert (code, err) == (1, "")
    document: dict[str, Any] = json.loads(out)
    assert (document["version"], document["stack"]) == (1, "Broken")
    (hop,) = document["hops"]
    assert (hop["kind"], hop["verdict"]) == ("subscription", "broken")
    assert "Messaging-SNS3" in {f["rule"] for f in hop["findings"]}
    ids = {n["id"] for n in document["nodes"]}
    assert {hop["source"], hop["target"]} <= ids
    assert document["paths"] == [{"verdict": "broken", "nodes": [hop["source"], hop["target"]]}]
    assert document["summary"] == {
        "nodes": len(document["nodes"]),
        "hops": 1,
        "paths": 1,
        "broken": 1,
        "atRisk": 0,
    }


def test_the_json_of_a_clean_stack_exits_zero(assembly: Path, capsys) -> None:
    code, out, _ = _run([str(assembly), "--stack", "Clean", "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out)["summary"]["broken"] == 0


def test_help_is_help_not_a_folder(capsys) -> None:
    code, out, err = _run(["--help"], capsys)
    assert (code, err) == (0, "")
    assert "--format" in out
    assert "--fail-on" in out


@pytest.mark.parametrize(
    "argv", [["--frobnicate"], ["--format", "svg"], ["--fail-on", "info"], ["--stack"]]
)
def test_a_usage_error_is_one_line(argv: list[str], capsys) -> None:
    code, out, err = _run(argv, capsys)
    _one_line_error(code, err)
    assert out == ""


def test_dot_and_json_together_is_a_usage_error(assembly: Path, capsys) -> None:
    _one_line_error(*_run([str(assembly), "--dot", "--format", "json"], capsys)[::2])


def test_an_unknown_stack_is_one_line(assembly: Path, capsys) -> None:
    code, _, err = _run([str(assembly), "--stack", "Nope"], capsys)
    _one_line_error(code, err)
    assert "'Nope'" in err


@pytest.mark.parametrize(
    "case", ["missing folder", "a file", "no manifest", "manifest not JSON", "missing template"]
)
def test_an_unreadable_assembly_is_one_line(
    case: str, assembly: Path, tmp_path: Path, capsys
) -> None:
    copy = tmp_path / "cdk.out"
    shutil.copytree(assembly, copy)
    if case == "missing folder":
        shutil.rmtree(copy)
    elif case == "a file":
        shutil.rmtree(copy)
        copy.write_text("{}")
    elif case == "no manifest":
        (copy / "manifest.json").unlink()
    elif case == "manifest not JSON":
        (copy / "manifest.json").write_text("{")
    else:
        (copy / "Broken.template.json").unlink()
    code, out, err = _run([str(copy)], capsys)
    _one_line_error(code, err)
    assert out == ""


def test_a_picture_that_cannot_be_written_is_one_line(
    assembly: Path, tmp_path: Path, capsys
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = _run([str(assembly), "--output", str(blocker / "flows")], capsys)
    _one_line_error(code, err)


def test_a_picture_without_graphviz_is_one_line(
    assembly: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on it
    code, _, err = _run([str(assembly), "--output", str(tmp_path / "flows")], capsys)
    _one_line_error(code, err)
    assert "Graphviz" in err
    assert (tmp_path / "flows.dot").is_file()
    # Every option the message suggests is one the command has.
    known = {o for action in parser()._actions for o in action.option_strings}
    assert set(re.findall(r"--[a-z-]+", err)) <= known


@pytest.mark.parametrize("argv", [["--help"], ["--no-such-option"], ["missing-folder"]])
def test_the_command_line_never_prints_a_traceback(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "patterns.flows", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert "Traceback" not in result.stderr
    if argv == ["--help"]:
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout.startswith("usage: python -m patterns.flows")
    else:
        _one_line_error(result.returncode, result.stderr)
