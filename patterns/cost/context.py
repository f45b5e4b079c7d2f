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
    """The resources of one stack (nested templates included) and the traffic assumptions."""

    resources: tuple[tuple[str, dict[str, Any]], ...]
    assumptions: Assumptions
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def remember(self, name: str, compute: Callable[[Template], Any]) -> Any:
        """``compute(self)``, computed once per template (a set every rule of a type reads)."""
        if name not in self.memo:
            self.memo[name] = compute(self)
        return self.memo[name]

    def by_id(self, logical_id: str | None) -> dict[str, Any] | None:
        for candidate, resource in self.resources:
            if candidate == logical_id:
                return resource
        return None

    def of_type(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for logical_id, resource in self.resources:
            if resource.get("Type") == kind:
                yield logical_id, resource


def props(resource: Mapping[str, Any]) -> dict[str, Any]:
    value = resource.get("Properties") or {}
    return value if isinstance(value, dict) else {}
