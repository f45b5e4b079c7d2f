"""One template's resources as the charge rules read them: references, paths, assumptions."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from patterns.cost.lines import Assumptions


def resource_path(logical_id: str, resource: Mapping[str, Any]) -> str:
    return str(resource.get("Metadata", {}).get("aws:cdk:path", logical_id))


def literal(value: Any) -> Any:
    """The value if it is a literal; None for an intrinsic function (unknown at synth)."""
    if isinstance(value, dict):
        return None
    return value


def referenced(value: Any) -> str | None:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` points at, else None."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        target = value.get("Fn::GetAtt")
        if isinstance(target, list) and target:
            return str(target[0])
        if isinstance(target, str):
            return target.split(".", 1)[0]
    return None


@dataclass(frozen=True)
class Template:
    """The resources of one stack (nested templates included) and the traffic assumptions,
    indexed once by logical ID and by type (the rules look resources up per resource)."""

    resources: tuple[tuple[str, dict[str, Any]], ...]
    assumptions: Assumptions
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _by_id: dict[str, dict[str, Any]] = field(init=False, compare=False, repr=False)
    _by_type: dict[str, list[tuple[str, dict[str, Any]]]] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        by_id: dict[str, dict[str, Any]] = {}
        by_type: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for logical_id, resource in self.resources:
            by_id.setdefault(logical_id, resource)
            by_type.setdefault(str(resource.get("Type", "")), []).append((logical_id, resource))
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_type", by_type)

    def remember(self, name: str, compute: Callable[[Template], Any]) -> Any:
        """``compute(self)``, computed once per template (a set every rule of a type reads)."""
        if name not in self.memo:
            self.memo[name] = compute(self)
        return self.memo[name]

    def by_id(self, logical_id: str | None) -> dict[str, Any] | None:
        return None if logical_id is None else self._by_id.get(logical_id)

    def of_type(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from self._by_type.get(kind, ())


def props(resource: Mapping[str, Any]) -> dict[str, Any]:
    value = resource.get("Properties") or {}
    return value if isinstance(value, dict) else {}
