"""Is a hand-written equivalent still comparable with its pattern? What synth time depends on.

Synthesis walks every construct of the tree and resolves every resource into the template, so
its time follows three numbers: constructs, resources and template bytes (without metadata).
Property values (an alarm's threshold, a description's wording) do not move it. So an
equivalent stays comparable while it builds the same resource types and about the same
amount of everything; it need not match the pattern property by property.

The tolerance is one-sided on purpose:
- the equivalent may lag behind its pattern by up to ``MAX_LAG`` on each measure (the
  pattern gained an alarm, the equivalent has not yet): the ratio then errs against the
  pattern, by about that much at most, and the lag is reported as a number;
- it may not exceed the pattern by more than ``MAX_EXCESS`` (a heavier equivalent would
  flatter the pattern), and it must build exactly the pattern's resource types (a new type
  means new L2 code on one side only, and often an asset or a custom resource).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from constructs import Construct

# Each measure of the equivalent may be this much below the pattern's...
MAX_LAG = 0.10
# ...and this much above it.
MAX_EXCESS = 0.02
# Template keys that are not the resource itself: construct paths, cdk-nag and checkov notes.
LEFT_OUT_KEYS = ("Metadata",)


@dataclass(frozen=True)
class Footprint:
    """What one side synthesizes: its constructs, resources by type, template size."""

    constructs: int
    resource_types: Mapping[str, int]
    template_bytes: int
    resources: Mapping[str, Any]  # logical ID -> resource, without LEFT_OUT_KEYS

    @property
    def resource_count(self) -> int:
        return sum(self.resource_types.values())


def footprint(stack: cdk.Stack, template: Mapping[str, Any]) -> Footprint:
    """The footprint of ``stack`` (built) and its synthesized ``template``."""
    resources = {
        logical_id: {key: value for key, value in resource.items() if key not in LEFT_OUT_KEYS}
        for logical_id, resource in template.get("Resources", {}).items()
        if resource["Type"] != "AWS::CDK::Metadata"
    }
    return Footprint(
        constructs=len(stack.node.find_all()),
        resource_types=Counter(resource["Type"] for resource in resources.values()),
        template_bytes=len(json.dumps(resources, sort_keys=True, separators=(",", ":"))),
        resources=resources,
    )


def measure(build: Callable[[Construct, str], object], context: Mapping[str, Any]) -> Footprint:
    """Build ``build(stack, "Subject")`` in a fresh app with ``context`` and measure it."""
    app = cdk.App(context=dict(context))
    stack = cdk.Stack(app, "Bench")
    build(stack, "Subject")
    template = app.synth().get_stack_by_name("Bench").template
    return footprint(stack, template)


@dataclass(frozen=True)
class Drift:
    """How far an equivalent is from its pattern (hand-written / pattern, per measure)."""

    pattern: Footprint
    hand_written: Footprint

    @property
    def ratios(self) -> dict[str, float]:
        p, h = self.pattern, self.hand_written
        return {
            "constructs": h.constructs / p.constructs,
            "resources": h.resource_count / p.resource_count,
            "template bytes": h.template_bytes / p.template_bytes,
        }

    @property
    def identical_resources(self) -> int:
        """Resources with the same logical ID and the same content on both sides (the
        equivalents mirror the patterns' construct IDs): a fidelity figure, not a gate."""
        hand = self.hand_written.resources
        return sum(
            1
            for logical_id, resource in self.pattern.resources.items()
            if _canonical(hand.get(logical_id)) == _canonical(resource)
        )

    def problems(self) -> list[str]:
        """Why the equivalent is no longer comparable; empty while it is."""
        found = []
        pattern_types = set(self.pattern.resource_types)
        hand_types = set(self.hand_written.resource_types)
        if missing := sorted(pattern_types - hand_types):
            found.append(f"the hand-written side builds no {', '.join(missing)}")
        if extra := sorted(hand_types - pattern_types):
            found.append(f"the hand-written side builds {', '.join(extra)}, the pattern none")
        for measure_name, ratio in self.ratios.items():
            if ratio < 1 - MAX_LAG:
                found.append(
                    f"{measure_name}: the hand-written side has {ratio:.0%} of the pattern's "
                    f"(at least {1 - MAX_LAG:.0%})"
                )
            elif ratio > 1 + MAX_EXCESS:
                found.append(
                    f"{measure_name}: the hand-written side has {ratio:.0%} of the pattern's "
                    f"(at most {1 + MAX_EXCESS:.0%}: a heavier equivalent flatters the pattern)"
                )
        return found

    def summary(self) -> str:
        """One line for reports: each measure hand-written/pattern, and the identical count."""
        p, h = self.pattern, self.hand_written
        return (
            f"resources {h.resource_count}/{p.resource_count}, "
            f"constructs {h.constructs}/{p.constructs}, "
            f"template bytes {self.ratios['template bytes']:.0%}, "
            f"identical resources {self.identical_resources}/{p.resource_count}"
        )


def _canonical(resource: Any) -> Any:
    if not isinstance(resource, dict) or "DependsOn" not in resource:
        return resource
    return {**resource, "DependsOn": sorted(resource["DependsOn"])}
