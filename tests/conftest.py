"""Test-session set-up shared by every test module.

Environment first, before anything imports aws_cdk: the jsii runtime runs on the project's
own Node, a deprecated CDK API fails the test that uses it, and CDK's built-in template
validation is off for speed (``make synth`` keeps it on; the 500-resource limit it catches
is also checked by the fan-out itself, see ``tests/test_fan_out_scale.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_PROJECT_NODE = ROOT / "node_modules" / ".bin" / "node"
if _PROJECT_NODE.exists():
    os.environ.setdefault("JSII_NODE", str(_PROJECT_NODE))
os.environ.setdefault("JSII_DEPRECATED", "fail")
os.environ.setdefault("CDK_VALIDATION", "false")

import base64  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
from typing import IO, AnyStr  # noqa: E402

import jsii._kernel.providers.process as jsii_process  # noqa: E402
import pytest  # noqa: E402

NODE_OUTPUT = logging.getLogger("tests.node")


def _node_output_to_log(reader: IO[AnyStr]) -> None:
    """What the jsii runtime's Node process prints (CDK's validation report of a test app's
    warnings, say), as log records of the test that caused it rather than terminal output.

    jsii forwards it from a thread of its own, so it can land on the terminal after pytest
    stopped capturing the test that printed it; pytest shows log records with a failing test
    and nowhere else. Same line format as ``jsii._kernel.providers.process.stderr_sink``.
    """
    for line in iter(reader.readline, b""):
        try:
            console = json.loads(line)
            for stream in ("stderr", "stdout"):
                if console.get(stream) is not None:
                    text = base64.b64decode(console[stream]).decode(errors="replace")
                    NODE_OUTPUT.warning("%s", text.rstrip())
        except ValueError:
            text = line if isinstance(line, str) else line.decode(errors="replace")
            NODE_OUTPUT.warning("%s", text.rstrip())


# Before the first aws_cdk import starts the Node process (the sink is looked up then).
jsii_process.stderr_sink = _node_output_to_log

from tests.helpers import SynthesizedApp, read_examples, synthesize_examples  # noqa: E402


@pytest.fixture(scope="session")
def examples_app(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """Every example stack, synthesized once per run with the compliance gate applied.

    Under pytest-xdist the workers share it (the pattern of xdist's docs, "Making
    session-scoped fixtures execute only once"): the first to take the lock synthesizes into
    a folder of the run's temporary directory and leaves a marker; the others wait for the
    lock and read the cloud assembly from that folder. Without xdist, or without ``fcntl``
    (Windows), each process synthesizes its own.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        fcntl = None  # type: ignore[assignment]
    if os.environ.get("PYTEST_XDIST_WORKER") is None or fcntl is None:
        return synthesize_examples(tmp_path_factory.mktemp("cdk.out"))
    # The workers' temporary directories are folders of the run's own, which only they share.
    shared = tmp_path_factory.getbasetemp().parent / "examples-cdk.out"
    done = shared.with_name(f"{shared.name}.done")
    with open(shared.with_name(f"{shared.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if done.exists():
            return read_examples(shared)
        synthesized = synthesize_examples(shared)
        done.touch()  # only after a synthesis that succeeded
        return synthesized


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A run that collects no test must fail, never pass quietly as "no tests ran" (exit 5).
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
