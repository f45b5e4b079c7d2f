"""Count the round trips a synth makes to the jsii Node process, per kind of request.

Under jsii every read of a CDK property, every method call, every object created and every
callback answered is a message over a pipe to Node and back; those round trips are most of a
Python CDK app's synth time. `count()` counts them for one build and synth, by the request's
kind (`create`, `get`, `set`, `invoke`, `staticinvoke`, `staticget`, `complete` for a callback
answered, ...), so a pattern can be compared with its hand-written equivalent in calls, not only
seconds.

    python -m benchmarks.roundtrips            # every pair of benchmarks/equivalents.py
    python -m benchmarks.roundtrips --pair SnsToSqsFanOut --top 20   # where they come from
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class RoundTrips:
    """Round trips by kind of request, and (when asked) by the line of our code that made them."""

    by_kind: collections.Counter[str] = field(default_factory=collections.Counter)
    by_caller: collections.Counter[str] = field(default_factory=collections.Counter)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def summary(self) -> str:
        kinds = ", ".join(f"{kind} {n}" for kind, n in self.by_kind.most_common())
        return f"{self.total} ({kinds})"


def _kind(request: Any) -> str:
    name = type(request).__name__
    if name == "_CompleteRequest":
        return "complete"
    return name.removesuffix("Request").lower() or name


def _caller() -> str:
    """The innermost frame of this repository's code outside benchmarks/ (patterns, examples)."""
    for frame in reversed(traceback.extract_stack()[:-3]):
        path = Path(frame.filename)
        if _ROOT in path.parents and "benchmarks" not in path.parts and ".venv" not in path.parts:
            return f"{path.relative_to(_ROOT)}:{frame.lineno} {frame.name}"
    return "(aws-cdk-lib or the benchmark itself)"


@contextlib.contextmanager
def counting(*, callers: bool = False) -> Iterator[RoundTrips]:
    """Count every message sent to the jsii runtime while the block runs."""
    from jsii._kernel.providers import process

    counts = RoundTrips()
    original = process._NodeProcess.send

    def send(self: Any, request: Any, response_type: Any) -> Any:
        counts.by_kind[_kind(request)] += 1
        if callers:
            counts.by_caller[_caller()] += 1
        return original(self, request, response_type)

    process._NodeProcess.send = send  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        process._NodeProcess.send = original  # type: ignore[method-assign]


def count(
    build: Callable[..., object], context: dict[str, Any], outdir: str, *, callers: bool = False
) -> RoundTrips:
    """Round trips of building ``build`` into a fresh App and Stack and synthesizing it."""
    import aws_cdk as cdk

    with counting(callers=callers) as counts:
        app = cdk.App(context=context, outdir=outdir)
        stack = cdk.Stack(app, "Bench")
        build(stack, "Subject")
        app.synth()
    return counts


def warm(build: Callable[..., object], context: dict[str, Any], outdir: str) -> None:
    """One synth first, so types jsii loads once are not counted against either side."""
    count(build, context, outdir)


def main(argv: Sequence[str] | None = None) -> int:
    import json
    import tempfile

    from benchmarks.equivalents import PAIRS

    parser = argparse.ArgumentParser(prog="python -m benchmarks.roundtrips", description=__doc__)
    parser.add_argument("--pair", help="only the pair with this name prefix")
    parser.add_argument("--top", type=int, default=0, help="show the N lines making most calls")
    args = parser.parse_args(argv)
    context = json.loads((_ROOT / "cdk.json").read_text()).get("context", {})
    with tempfile.TemporaryDirectory(prefix="roundtrips-") as scratch:
        outdir = str(Path(scratch) / "cdk.out")
        for pair in PAIRS:
            if args.pair and not pair.name.startswith(args.pair):
                continue
            warm(pair.pattern, context, outdir)
            warm(pair.hand_written, context, outdir)
            pattern = count(pair.pattern, context, outdir, callers=bool(args.top))
            hand = count(pair.hand_written, context, outdir)
            ratio = pattern.total / hand.total
            print(f"{pair.name}: {ratio:.2f}x  pattern {pattern.summary()}")
            print(f"{'':{len(pair.name)}}         hand-written {hand.summary()}")
            for caller, n in pattern.by_caller.most_common(args.top):
                print(f"    {n:5d}  {caller}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
