"""The page "Starting your own app" (docs/getting-started.md) stays true: the app its files make
synthesizes under the compliance gate with the feature flags ``cdk init`` writes, the checks
command finds nothing in it, and the unit tests it gives users to copy pass; the package.json
it tells users to copy is this repository's pinning, and the dependency lines name the extras
the package has."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.doc_blocks import CLAIM
from tests.helpers import CDK_CONTEXT, ROOT

README = (ROOT / "README.md").read_text()
PAGE = (ROOT / "docs" / "getting-started.md").read_text()
# A block that is a file of the app: its first line names the file (tests/test_docs.py runs
# the page's other blocks alone).
APP_FILE = re.compile(r"# ([\w/]+\.py)\n")
# What `cdk init app --language python` writes in a folder named shop, besides these files.
INIT_PACKAGES = ["shop", "tests", "tests/unit"]


def _app_files() -> dict[str, str]:
    files: dict[str, str] = {}
    for code in re.findall(r"```python\n(.*?)```", PAGE, flags=re.DOTALL):
        named = APP_FILE.match(code)
        if named:
            files[named.group(1)] = code
    return files


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``command`` in the user's app, with the package importable as if pip had installed it
    (and no variable of the pytest running this test)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environment["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        command, cwd=cwd, env={**environment, **env}, capture_output=True, text=True, timeout=600
    )


def test_the_page_gives_the_whole_app() -> None:
    assert set(_app_files()) == {"shop/shop_stack.py", "app.py", "tests/unit/test_shop_stack.py"}
    # The page's other python blocks run alone in tests/test_docs.py: each builds an App.
    others = [
        code
        for code in re.findall(r"```python\n(.*?)```", PAGE, flags=re.DOTALL)
        if not APP_FILE.match(code)
    ]
    assert all("App()" in code or CLAIM.search(code) for code in others)


def test_the_app_synthesizes_passes_the_checks_and_its_unit_tests_pass(tmp_path: Path) -> None:
    files = _app_files()
    for path, code in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(code)
    for package in INIT_PACKAGES:
        (tmp_path / package / "__init__.py").touch()

    # `cdk synth` runs `python3 app.py` with cdk.json's context (the flags cdk init writes,
    # which this repository's cdk.json holds) and the output folder in the environment.
    context = {key: value for key, value in CDK_CONTEXT.items() if key.startswith("@aws-cdk")}
    synth = _run(
        [sys.executable, "app.py"],
        tmp_path,
        CDK_OUTDIR=str(tmp_path / "cdk.out"),
        CDK_CONTEXT_JSON=json.dumps(context),
    )
    assert synth.returncode == 0, synth.stdout + synth.stderr
    manifest = json.loads((tmp_path / "cdk.out" / "manifest.json").read_text())
    assert manifest["artifacts"]["ShopStack"]["type"] == "aws:cloudformation:stack"

    checks = _run([sys.executable, "-m", "patterns.checks", "cdk.out"], tmp_path)
    assert checks.returncode == 0, checks.stdout + checks.stderr

    tests = re.findall(r"^def (test_\w+)", files["tests/unit/test_shop_stack.py"], re.MULTILINE)
    assert len(tests) >= 3
    unit = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit"], tmp_path
    )
    assert unit.returncode == 0, unit.stdout + unit.stderr
    assert f"{len(tests)} passed" in unit.stdout, unit.stdout


def test_the_package_json_to_copy_is_this_repository_s_pinning() -> None:
    (block,) = re.findall(r"```json\n(.*?)```", PAGE, flags=re.DOTALL)
    shown = json.loads(block)
    ours = json.loads((ROOT / "package.json").read_text())
    assert shown["devDependencies"] == ours["devDependencies"]
    assert shown["allowScripts"] == ours["allowScripts"]


def test_the_cli_and_library_versions_named_are_those_tested() -> None:
    ours = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    assert f"CLI {ours['aws-cdk']}" in PAGE
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (cdk_lib,) = (line for line in dependencies if line.startswith("aws-cdk-lib"))
    floor = re.search(r">=([\d.]+)", cdk_lib)
    assert floor
    assert f"aws-cdk-lib {floor.group(1)}" in PAGE
    (requirements,) = re.findall(r"```text\n(.*?)```", PAGE, flags=re.DOTALL)
    assert f"aws-cdk-lib>={floor.group(1)}" in requirements
    assert re.search(r"^cdk-decoupling-patterns\[compliance\] @ git\+", requirements, re.M)
    # Prose is wrapped: compared with its whitespace as single spaces.
    assert f"aws-cdk-lib ({cdk_lib.removeprefix('aws-cdk-lib')})" in " ".join(README.split())


def test_the_feature_flags_the_page_says_the_constructs_set_are_those_they_set() -> None:
    from patterns.feature_flags import ECS_SERVICE_FLAGS

    section = PAGE.split("## 3. `cdk.json` and feature flags\n", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"`(@aws-cdk/[\w-]+:\w+)`", section)) == {
        "@aws-cdk/aws-iam:minimizePolicies",
        *ECS_SERVICE_FLAGS,
    }


def test_every_extra_the_docs_install_exists() -> None:
    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    # Every page and everything the package prints (an error message names the extra too).
    pages = [*(ROOT / "docs").rglob("*.md"), *(ROOT / "patterns").rglob("*.py")]
    docs = README + "".join(page.read_text() for page in pages)
    named = set(re.findall(r"cdk-decoupling-patterns\[(\w+)\]", docs))
    assert named
    assert named <= extras
    # Installed from a clone or git (``name[extra] @ git+...``), never by name alone from
    # PyPI, where the package is not.
    assert not re.search(r"pip install ['\"]cdk-decoupling-patterns\[\w+\]['\"]", docs)


def test_the_flags_of_cdk_json_are_those_cdk_init_writes() -> None:
    """The page (and tests/test_feature_flags.py) compare with this repository's flags as
    the flags a new app gets: those of the pinned CLI's `cdk init`."""
    recommended = ROOT / "node_modules/aws-cdk/lib/init-templates/.recommended-feature-flags.json"
    flags = {key: value for key, value in CDK_CONTEXT.items() if key.startswith("@aws-cdk")}
    assert flags == json.loads(recommended.read_text())
