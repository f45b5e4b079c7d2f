"""The end-to-end session: LocalStack on 127.0.0.1, the stacks deployed with the CDK CLI.

The ``localstack`` fixture starts a fresh LocalStack (one already running is reused only with
``E2E_REUSE_LOCALSTACK=1``: the emulator silently skips some stack updates); ``deployed``
deploys on it the example stacks of ``scripts/localstack/stacks.txt`` and the suite's own stacks
(``tests/e2e/local_app.py``) with ``cdk bootstrap`` + ``cdk deploy``, and hands the tests the
outputs. When the session ends, pass or fail, it stops the LocalStack it started. The
lifecycle tests (``test_lifecycle.py``) use ``localstack`` alone and deploy their own app.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.aws import ENDPOINT, client
from tests.e2e.outputs import StackOutputs

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts" / "localstack"
LOCAL = ROOT / ".local"

# boto3 and the CLI never read the user's AWS files or credentials and never use a proxy.
os.environ.update(
    {
        "AWS_CONFIG_FILE": str(LOCAL / "aws-none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(LOCAL / "aws-none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
)


def _healthy() -> bool:
    try:
        with urllib.request.urlopen(f"{ENDPOINT}/_localstack/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _run(command: list[str], **env: str) -> None:
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, **env})
    print(f"{' '.join(command[-1:])}: {time.monotonic() - started:.0f}s")


@pytest.fixture(scope="session")
def localstack() -> Iterator[None]:
    """A fresh LocalStack for this session, stopped when the session ends, pass or fail."""
    started_here = False
    if _healthy():
        # LocalStack's CloudFormation reports UPDATE_COMPLETE for some changes it does not
        # apply (subscription attributes, bucket notifications, shard counts), so a suite run
        # against stacks deployed earlier could pass on stale resources.
        if os.environ.get("E2E_REUSE_LOCALSTACK") != "1":
            pytest.fail(
                f"LocalStack already answers on {ENDPOINT} (make deploy-local?): the suite "
                "deploys on a fresh one. Run `make destroy-local` first, or set "
                "E2E_REUSE_LOCALSTACK=1 to reuse it (changes to deployed stacks may be "
                "silently skipped by the emulator)."
            )
    else:
        _run([str(SCRIPTS / "start.sh")])
        started_here = True
    try:
        LOCAL.mkdir(exist_ok=True)
        yield
    finally:
        if started_here:
            _run([str(SCRIPTS / "stop.sh")])


@pytest.fixture(scope="session")
def deployed(localstack: None) -> StackOutputs:
    """Outputs of every stack deployed on LocalStack for this session."""
    _run([str(SCRIPTS / "deploy.sh")])
    _run(
        [str(SCRIPTS / "deploy.sh")],
        DEPLOY_APP="python3 -m tests.e2e.local_app",
        OUTPUTS_FILE=str(LOCAL / "outputs-e2e.json"),
        SKIP_BOOTSTRAP="1",
    )
    return StackOutputs(LOCAL / "outputs.json", LOCAL / "outputs-e2e.json")


@pytest.fixture(scope="session")
def sqs(deployed: StackOutputs) -> Any:
    return client("sqs")


@pytest.fixture(scope="session")
def sns(deployed: StackOutputs) -> Any:
    return client("sns")


@pytest.fixture(scope="session")
def s3(deployed: StackOutputs) -> Any:
    return client("s3")
