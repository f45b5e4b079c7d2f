"""No function of ``patterns/`` needs more than about 60 lines of body.

A constructor reads validate -> derive -> create -> expose, each step a named function or
small class, as aws-cdk-lib's ``Queue`` constructor (about 75 lines) does; a longer function
is a step that has not been named yet. The body is counted without its docstring, from its
first statement to the end of its last.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_BODY_LINES = 60


def body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = function.body
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        body = body[1:]
    if not body:
        return 0
    return (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1


def long_functions(root: Path, limit: int) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = body_lines(node)
                if lines > limit:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({lines})")
    return found


def test_no_function_in_patterns_is_over_60_lines() -> None:
    assert long_functions(ROOT / "patterns", MAX_BODY_LINES) == []


def test_the_count_skips_the_docstring_and_sees_a_long_body(tmp_path: Path) -> None:
    statements = "\n".join(f"    x{i} = {i}" for i in range(61))
    source = f'def long():\n    """Doc\n    string."""\n{statements}\n'
    (tmp_path / "m.py").write_text(source)
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    assert body_lines(function) == 61
    assert long_functions(tmp_path, MAX_BODY_LINES) == ["m.py:1 long (61)"]
    assert long_functions(tmp_path, 61) == []
