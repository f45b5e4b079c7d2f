"""A package's public names, loaded on first use from one export table (PEP 562).

A package lists ``_EXPORTS`` (public name -> module that defines it) and derives the rest::

    __all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

mypy cannot read the table, so each such package also carries ``TYPE_CHECKING`` imports
generated from it (``python -m tools.exports``; tests/test_package.py fails while they differ).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    module_name: str, exports: Mapping[str, str]
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """``__all__``, ``__getattr__`` and ``__dir__`` of the module ``module_name``."""
    namespace = sys.modules[module_name].__dict__

    def __getattr__(name: str) -> Any:  # noqa: N807 (the module hook's name)
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # found directly from now on
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted([*namespace, *exports])

    return list(exports), __getattr__, __dir__
