"""Update safety: what common edits of a deployed stack make CloudFormation replace.

For every edit of ``tests/lifecycle/edits.py`` the stack is synthesized before and after, and
the replacements CloudFormation would make are derived offline
(:mod:`tests.lifecycle.replacements`). An edit may replace or remove exactly the stateful
resources it declares (a queue, DLQ, stream, bucket, broker or key), none other; and every
resource it replaces gets a new physical name, or CloudFormation could not create the new one
before deleting the old ("cannot update a stack when a custom-named resource requires
replacing").
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import aws_cdk as cdk
import pytest

from tests.helpers import new_app
from tests.lifecycle.edits import EDITS, Build, Edit, markdown_tables
from tests.lifecycle.replacements import Replacement, StackTemplate, replacements, stateful

ROOT = Path(__file__).resolve().parents[2]
STACK = "Life"
TABLES_START = "<!-- update-safety tables: generated from tests/lifecycle/edits.py -->"
TABLES_END = "<!-- end of update-safety tables -->"


@cache
def synthesized(build: Build) -> StackTemplate:
    """One build's templates (each build function synthesized once per session)."""
    stack = cdk.Stack(new_app(), STACK)
    build(stack)
    return StackTemplate.from_stack(stack)


def short(path: str) -> str:
    """A construct path below the stack, without the L1 child ``/Resource``."""
    return path.removeprefix(f"{STACK}/").removesuffix("/Resource")


def declared(position: str, edit: Edit) -> str:
    """The entry of ``edit.replaces`` that names ``position`` (entries may name a path's end,
    so that grouping constructs between the pattern and a subscriber do not matter), or the
    position itself."""
    for entry in edit.replaces:
        if position == entry or position.endswith(f"/{entry}"):
            return entry
    return position


def describe(found: dict[str, Replacement]) -> str:
    return "\n".join(f"  {short(path)}: {item.reason}" for path, item in sorted(found.items()))


def _params() -> list[object]:
    return [
        pytest.param(
            edit,
            id=f"{edit.pattern}: {edit.name}",
            marks=[
                *([pytest.mark.xfail(strict=True, reason=edit.defect)] if edit.defect else []),
                *([pytest.mark.scale] if edit.scale else []),
            ],
        )
        for edit in EDITS
    ]


@pytest.mark.parametrize("edit", _params())
def test_edit_replaces_only_the_stateful_resources_it_declares(edit: Edit):
    found = replacements(synthesized(edit.before), synthesized(edit.after))
    replaced = {declared(short(item.position), edit) for item in stateful(found).values()}
    assert replaced == edit.replaces, (
        f"{edit.pattern}, {edit.name!r} replaces or removes:\n{describe(stateful(found))}\n"
        f"but declares {sorted(edit.replaces) or 'nothing'}"
    )
    # Whatever is replaced (stateful or not) is created under a new name before the old goes.
    unnamed = {
        path: item for path, item in found.items() if item.reason != "removed" and not item.renamed
    }
    assert not unnamed, (
        f"{edit.pattern}, {edit.name!r} replaces resources that keep their fixed name, which "
        f"CloudFormation cannot do:\n{describe(unnamed)}"
    )


def test_every_pattern_has_an_edit_that_replaces_nothing_and_one_that_replaces():
    """The edit list exercises both outcomes for each pattern (so the checks above can fail)."""
    for pattern in {edit.pattern for edit in EDITS}:
        outcomes = {bool(edit.replaces) for edit in EDITS if edit.pattern == pattern}
        assert outcomes == {True, False}, pattern


def test_docs_tables_are_the_edit_list():
    page = (ROOT / "docs" / "lifecycle.md").read_text()
    assert TABLES_START in page, "docs/lifecycle.md lost its table markers"
    assert TABLES_END in page, "docs/lifecycle.md lost its table markers"
    tables = page.split(TABLES_START, 1)[1].split(TABLES_END, 1)[0].strip() + "\n"
    assert tables == markdown_tables(), (
        "docs/lifecycle.md's update-safety tables differ from tests/lifecycle/edits.py: paste "
        "the output of `JSII_NODE=node_modules/.bin/node .venv/bin/python -m "
        "tests.lifecycle.edits` between the markers"
    )
