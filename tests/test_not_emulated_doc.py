"""docs/testing.md's table of what LocalStack cannot run stays current, and every template
test it names exists (tools/not_emulated.py)."""

from __future__ import annotations

from tests.helpers import ROOT
from tools import not_emulated
from tools.not_emulated import NOT_EMULATED, NotEmulated, missing_tests, render


def test_the_page_is_current() -> None:
    page = not_emulated.PAGE.read_text()
    assert render(page) == page, "docs/testing.md is stale: python -m tools.not_emulated"


def test_every_named_test_exists() -> None:
    assert missing_tests() == []


def test_a_renamed_test_is_reported() -> None:
    row = NotEmulated("b", "w", ("tests/test_sns_fan_out.py::test_that_was_renamed",))
    gone = NotEmulated("b", "w", ("tests/no_such_file.py::test_x", "tests/test_docs.py"))
    assert missing_tests((row, gone)) == [
        "tests/test_sns_fan_out.py::test_that_was_renamed",
        "tests/no_such_file.py::test_x",
        "tests/test_docs.py",
    ]


def test_every_row_names_a_reason_and_a_test() -> None:
    for row in NOT_EMULATED:
        assert row.why, row.behaviour
        assert row.covered_by, row.behaviour


def test_no_end_to_end_test_is_skipped_unconditionally() -> None:
    """What cannot run locally goes in the table, not in a skipped test with an empty body."""
    for path in sorted((ROOT / "tests" / "e2e").glob("test_*.py")):
        assert "pytest.mark.skip(" not in path.read_text(), path.name
