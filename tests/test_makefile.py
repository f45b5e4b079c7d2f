"""The workshop: `make help` lists every target, and the inner loop installs no system package."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.helpers import ROOT

MAKEFILE = (ROOT / "Makefile").read_text()
RULE = re.compile(r"^([A-Za-z0-9$(). /_-]+?):(?!=)([^#\n]*)", re.MULTILINE)


def _rules() -> dict[str, tuple[list[str], str]]:
    """Each rule's target -> (prerequisites, recipe text)."""
    rules: dict[str, tuple[list[str], str]] = {}
    lines = MAKEFILE.splitlines()
    for number, line in enumerate(lines):
        match = RULE.match(line)
        if not match or line.startswith(("\t", "#", ".PHONY", "export", ".")):
            continue
        recipe = []
        for following in lines[number + 1 :]:
            if not following.startswith("\t"):
                break
            recipe.append(following)
        for target in match.group(1).split():
            rules[target] = (match.group(2).split(), "\n".join(recipe))
    return rules


RULES = _rules()
TARGETS = {target for target in RULES if re.fullmatch(r"[a-z][a-z0-9-]*", target)}


def _phony() -> set[str]:
    declared = re.search(r"^\.PHONY:((?:.*\\\n)*.*)", MAKEFILE, re.MULTILINE)
    assert declared
    return set(declared.group(1).replace("\\\n", " ").split())


def test_phony_declares_every_target() -> None:
    assert _phony() == TARGETS


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_target() -> None:
    shown = subprocess.run(
        ["make", "-s", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    listed = [line.split()[1] for line in shown.splitlines() if line.startswith("make ")]
    assert sorted(listed) == sorted(TARGETS)
    assert all(len(line.split(maxsplit=2)) == 3 for line in shown.splitlines()), shown


def _closure(target: str) -> set[str]:
    seen: set[str] = set()
    todo = [target]
    while todo:
        name = todo.pop()
        if name in seen or name not in RULES:
            continue
        seen.add(name)
        todo.extend(RULES[name][0])
    return seen


@pytest.mark.parametrize("target", ["check", "unit"])
def test_the_inner_loop_installs_no_system_package(target: str) -> None:
    for name in _closure(target):
        recipe = RULES[name][1]
        assert "apt-get" not in recipe, f"make {target} runs make {name}, which uses apt-get"
        assert "brew " not in recipe, f"make {target} runs make {name}, which uses brew"


def test_check_is_lint_types_and_unit() -> None:
    assert RULES["check"][0] == ["lint", "typecheck", "unit"]
    assert "check" in RULES["test"][0]
