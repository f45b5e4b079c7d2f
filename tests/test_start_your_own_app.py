"""The README's "Start your own app" stays true: the package.json it tells users to copy is
this repository's pinning, and the dependency line names the extras the package has."""

from __future__ import annotations

import json
import re
import tomllib

from tests.helpers import ROOT

README = (ROOT / "README.md").read_text()
SECTION = README.split("### Start your own app\n", 1)[1].split("\n## ", 1)[0]


def test_the_package_json_to_copy_is_this_repository_s_pinning() -> None:
    (block,) = re.findall(r"```json\n(.*?)```", SECTION, flags=re.DOTALL)
    shown = json.loads(block)
    ours = json.loads((ROOT / "package.json").read_text())
    assert shown["devDependencies"] == ours["devDependencies"]
    assert shown["allowScripts"] == ours["allowScripts"]


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
