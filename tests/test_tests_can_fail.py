"""Every test can fail: its body asserts (``assert``, ``pytest.raises``/``warns``, a
``Template`` assertion, a helper that asserts), so it does not pass merely because nothing
raised. Tests still to be given an assertion are listed in ``KNOWN``; one that has it must
leave the list."""

from __future__ import annotations

import ast
import functools

from tests.helpers import ROOT

TESTS = ROOT / "tests"

# Calls that assert on their own: CDK's Template and Annotations assertions, pytest's.
ASSERTING_CALLS = {
    "has_resource",
    "has_resource_properties",
    "resource_count_is",
    "resource_properties_count_is",
    "template_matches",
    "has_output",
    "has_mapping",
    "has_parameter",
    "has_condition",
    "has_error",
    "has_warning",
    "has_info",
    "has_no_error",
    "has_no_warning",
    "has_no_info",
    "fail",
    "raises",
    "warns",
    "run_block",
}

# Tests whose body only calls code, in modules maintained with their patterns: each should
# assert what it accepts or builds (a template property, a returned value), not only that
# nothing raised. New tests never join this list.
KNOWN: set[str] = set()


def _called(node: ast.AST) -> str:
    function = node.func if isinstance(node, ast.Call) else node
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""


def _asserts_itself(function: ast.AST) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Assert | ast.Raise):
            return True
        if isinstance(node, ast.Call):
            name = _called(node)
            if name in ASSERTING_CALLS or name.startswith(("assert", "check_", "expect")):
                return True
    return False


def _calls_any(function: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Call) and _called(n) in names for n in ast.walk(function))


def assertionless_tests(source: str) -> list[str]:
    """The test functions of ``source`` with no assertion, directly or through a local helper."""
    functions = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)]
    helpers = {f.name for f in functions if not f.name.startswith("test_") and _asserts_itself(f)}
    while True:
        more = {
            f.name
            for f in functions
            if not f.name.startswith("test_") and f.name not in helpers and _calls_any(f, helpers)
        }
        if not more:
            break
        helpers |= more
    return [
        f.name
        for f in functions
        if f.name.startswith("test_") and not _asserts_itself(f) and not _calls_any(f, helpers)
    ]


@functools.cache
def _assertionless() -> frozenset[str]:
    """Every test of the suite the scan finds without an assertion, as KNOWN names them."""
    return frozenset(
        f"{path.relative_to(TESTS)}::{name}"
        for path in sorted(TESTS.rglob("test_*.py"))
        for name in assertionless_tests(path.read_text())
    )


def test_every_test_asserts() -> None:
    assert sorted(_assertionless() - KNOWN) == []


def test_the_scan_finds_a_test_that_only_calls_code() -> None:
    source = """
def _build():
    return 1

def _check(value):
    assert value == 1

def test_only_calls():
    _build()

def test_through_a_helper():
    _check(_build())

def test_template():
    template.has_resource_properties("AWS::SQS::Queue", {})
"""
    assert assertionless_tests(source) == ["test_only_calls"]


def test_known_entries_are_tests_still_without_an_assertion() -> None:
    """A test that was given an assertion (or renamed, or removed) leaves KNOWN."""
    assert sorted(KNOWN - _assertionless()) == []
