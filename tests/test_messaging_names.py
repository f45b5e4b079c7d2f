"""Names in patterns.messaging that explain themselves: none shadows a name of ``typing``, and
no module repeats the name of a shared module of ``patterns`` (``patterns/policies.py`` holds
resource-policy statements; what the messaging model reads from policies is ``permissions``)."""

from __future__ import annotations

import importlib
import pkgutil
import typing
from pathlib import Path

import patterns
import patterns.messaging


def _modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages(patterns.messaging.__path__, "patterns.messaging.")
        if not m.ispkg
    ]


def test_no_class_of_the_messaging_model_shadows_a_typing_name() -> None:
    shadowing = []
    for name in _modules():
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == name and attribute in dir(typing):
                shadowing.append(f"{name}.{attribute}")
    assert shadowing == []


def test_no_messaging_module_repeats_a_shared_module_name() -> None:
    commands = {"__init__", "checks", "flows", "redrive"}  # a command and what it draws
    shared = {p.stem for p in Path(patterns.__file__).parent.glob("*.py")} - commands
    repeated = [n for n in _modules() if n.rsplit(".", 1)[1] in shared]
    assert repeated == []
