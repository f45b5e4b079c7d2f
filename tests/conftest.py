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

from tests.helpers import SynthesizedApp, synthesize_examples  # noqa: E402


@pytest.fixture(scope="session")
def examples_app(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """Every example stack, synthesized once with the compliance gate applied."""
    return synthesize_examples(tmp_path_factory.mktemp("cdk.out"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A run that collects no test must fail, never pass quietly as "no tests ran" (exit 5).
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
