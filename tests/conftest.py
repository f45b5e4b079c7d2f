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

import pytest  # noqa: E402

from tests.helpers import SynthesizedApp, synthesize_examples  # noqa: E402


@pytest.fixture(scope="session")
def examples_app(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """Every example stack, synthesized once with the compliance gate applied."""
    return synthesize_examples(tmp_path_factory.mktemp("cdk.out"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A run that collects no test must fail, never pass quietly as "no tests ran" (exit 5).
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
