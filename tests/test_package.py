"""The distribution: what the wheel holds, and what `import patterns` costs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import patterns
from tests.helpers import ROOT

# Built wheels and fresh interpreters: `make package`, part of `make test`, not the unit suite.
pytestmark = pytest.mark.package

# What the wheel is built from: the repository's files, copied so that no stale build/ or
# egg-info of an earlier build (which setuptools would pack again) can hide a missing module.
_NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "node_modules",
    ".local",
    "cdk.out",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source") / "repo"
    shutil.copytree(ROOT, source, ignore=_NOT_COPIED)
    outdir = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = outdir.glob("*.whl")
    return built


def test_wheel_ships_every_file_of_the_package_and_py_typed(wheel: Path) -> None:
    """Every module of every subpackage, and any data file (which needs package-data)."""
    names = set(zipfile.ZipFile(wheel).namelist())
    files = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "patterns").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert files - names == set(), "files of patterns/ missing from the wheel"
    assert "patterns/py.typed" in names
    assert "patterns/cost/__main__.py" in names, "python -m patterns.cost must work installed"
    assert "patterns/consumers/queue_lambda.py" in names


def test_wheel_ships_the_package_and_nothing_else(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/", 1)[0] for name in names}
    assert {t for t in top_level if not t.endswith(".dist-info")} == {"patterns"}
    assert not any(
        name.startswith(("examples/", "tests/", "tools/", "benchmarks/", "scripts/", "app.py"))
        for name in names
    )


def test_wheel_declares_dependency_ranges(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    text = archive.read(metadata).decode()
    assert "Requires-Dist: aws-cdk-lib<3,>=2.275" in text
    assert "Requires-Dist: constructs<11,>=10" in text


def test_app_pins_are_exact_and_inside_the_library_ranges() -> None:
    pins = dict(
        line.split("==")
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert pins["aws-cdk-lib"].startswith("2.")
    assert int(pins["aws-cdk-lib"].split(".")[1]) >= 275
    assert pins["constructs"].startswith("10.")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "cdk-decoupling-patterns"


def test_import_patterns_loads_no_aws_cdk_module() -> None:
    code = (
        "import sys, patterns\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('aws_cdk', 'jsii', 'cdk_nag')))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    assert result.stdout.strip() == ""


def test_public_names_resolve_lazily() -> None:
    for name in patterns.__all__:
        assert getattr(patterns, name).__name__ == name
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        patterns.Nope  # noqa: B018


@pytest.mark.parametrize(
    "package", ["patterns", "patterns.kinesis_firehose_s3", "patterns.s3_event_fan_out"]
)
def test_one_export_table_gives_all_and_the_type_checking_imports(package: str) -> None:
    """``_EXPORTS`` is each lazy package's table; the imports mypy reads are generated from it."""
    import importlib

    from tools.exports import PACKAGES, stale

    module = importlib.import_module(package)
    assert package in PACKAGES
    assert module.__all__ == list(module._EXPORTS)
    assert stale(package) is None, (
        f"{package}: run `python -m tools.exports` after editing _EXPORTS"
    )
    for name in module.__all__:
        assert getattr(module, name).__name__ == name
    with pytest.raises(AttributeError, match=f"module '{package}' has no attribute 'Nope'"):
        module.Nope  # noqa: B018


def test_every_lazy_package_is_generated() -> None:
    """A package that loads lazily (``lazy_exports``) is one ``tools.exports`` rewrites."""
    from tools.exports import PACKAGES

    lazy = {
        ".".join(path.relative_to(ROOT).parent.parts)
        for path in (ROOT / "patterns").rglob("__init__.py")
        if "lazy_exports(__name__, _EXPORTS)" in path.read_text()
    }
    assert lazy == set(PACKAGES)


# The aws-cdk-lib service modules each pattern needs: importing it loads these and no more.
SERVICE_MODULES = {
    "QueueWithDeadLetterQueue": {"aws_cloudwatch", "aws_iam", "aws_kms", "aws_sqs"},
    "SnsToSqsFanOut": {
        "aws_cloudwatch",
        "aws_codestarnotifications",
        "aws_iam",
        "aws_kms",
        "aws_sns",
        "aws_sqs",
    },
    # aws_lambda itself loads ec2, ecr_assets, s3_assets, logs and applicationautoscaling.
    "LambdaQueueConsumer": {
        "aws_applicationautoscaling",
        "aws_cloudwatch",
        "aws_ec2",
        "aws_ecr_assets",
        "aws_iam",
        "aws_kms",
        "aws_lambda",
        "aws_logs",
        "aws_s3_assets",
        "aws_sqs",
    },
    "LambdaBrokerConsumer": {
        "aws_applicationautoscaling",
        "aws_cloudwatch",
        "aws_ec2",
        "aws_ecr_assets",
        "aws_iam",
        "aws_kms",
        "aws_lambda",
        "aws_logs",
        "aws_s3_assets",
        "aws_secretsmanager",
        "aws_sqs",
    },
    "LambdaStreamConsumer": {
        "aws_applicationautoscaling",
        "aws_cloudwatch",
        "aws_ec2",
        "aws_ecr_assets",
        "aws_iam",
        "aws_kinesis",
        "aws_kms",
        "aws_lambda",
        "aws_logs",
        "aws_s3_assets",
        "aws_sqs",
    },
    # aws_ecs itself loads autoscaling, the load balancers, ecr_assets and s3_assets.
    "QueueWorkerFleet": {
        "aws_applicationautoscaling",
        "aws_autoscaling",
        "aws_cloudwatch",
        "aws_ec2",
        "aws_ecr_assets",
        "aws_ecs",
        "aws_elasticloadbalancing",
        "aws_elasticloadbalancingv2",
        "aws_iam",
        "aws_kms",
        "aws_logs",
        "aws_s3_assets",
        "aws_sqs",
    },
    # As QueueWorkerFleet, with DynamoDB (the KCL tables) and Kinesis; aws_sqs comes with
    # patterns.consumers.common (the encrypted log group's module).
    "StreamWorkerFleet": {
        "aws_applicationautoscaling",
        "aws_autoscaling",
        "aws_cloudwatch",
        "aws_dynamodb",
        "aws_ec2",
        "aws_ecr_assets",
        "aws_ecs",
        "aws_elasticloadbalancing",
        "aws_elasticloadbalancingv2",
        "aws_iam",
        "aws_kinesis",
        "aws_kms",
        "aws_logs",
        "aws_s3_assets",
        "aws_sqs",
    },
    "AmazonMqBroker": {
        "aws_amazonmq",
        "aws_cloudwatch",
        "aws_ec2",
        "aws_iam",
        "aws_kms",
        "aws_logs",
        "aws_s3_assets",
        "aws_secretsmanager",
    },
}


@pytest.mark.parametrize("name", sorted(SERVICE_MODULES))
def test_a_pattern_loads_only_the_service_modules_it_uses(name: str) -> None:
    code = (
        f"import sys\nfrom patterns import {name}\n"
        "print(' '.join(sorted(m.split('.')[1] for m in sys.modules\n"
        "    if m.startswith('aws_cdk.aws_') and m.count('.') == 1)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    assert set(result.stdout.split()) == SERVICE_MODULES[name]
