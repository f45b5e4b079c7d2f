"""Run a documentation code block and check what it shows, so a block that builds nothing or
states a wrong result fails (used by tests/test_docs.py and tests/test_building_blocks.py)."""

from __future__ import annotations

import ast
import re
from typing import Any

import aws_cdk as cdk

# A block whose last line is an expression may state its value: `plan_shard_count(...)  # == 10`.
CLAIM = re.compile(r"#\s*==\s*(.+?)\s*$")


def run_block(code: str) -> None:
    """Run ``code``; then every App it made synthesizes stacks with resources, and a stated
    result (``# == value`` after the last expression) is the one computed. A block that does
    neither must assert on a ``Template`` itself, or it could not fail."""
    namespace: dict[str, Any] = {"__name__": "__doc_example__"}
    tree = ast.parse(code)
    last = tree.body[-1]
    claim = CLAIM.search(code.rstrip().splitlines()[-1])
    if claim and isinstance(last, ast.Expr):
        exec(compile(ast.Module(tree.body[:-1], []), "<doc>", "exec"), namespace)
        value = eval(compile(ast.Expression(last.value), "<doc>", "eval"), namespace)
        assert value == ast.literal_eval(claim.group(1)), f"the block says {claim.group(1)}"
    else:
        exec(compile(tree, "<doc>", "exec"), namespace)
    apps = [value for value in namespace.values() if isinstance(value, cdk.App)]
    for app in apps:
        stacks = app.synth().stacks
        assert stacks, "the block's App has no stack"
        for stack in stacks:
            assert stack.template.get("Resources"), f"{stack.stack_name} has no resource"
    assert apps or claim or "Template.from_stack" in code, (
        "a code block must build an App, state its result (# == value) or assert on a Template"
    )
