"""`make bench`: import cost, synth time and jsii round trips against hand-written equivalents,
fan-out scale, suite time.

One run first checks that every hand-written equivalent is still comparable with its pattern
(``benchmarks/comparability.py``) and stops with exit code 1 when one is not; then it prints
every section and writes BENCHMARKS.md (``--output``). Noise control:
imports are timed in fresh processes, the commands interleaved run by run; synth times are
taken in one warm process, pattern and hand-written equivalent interleaved in ABBA order,
and the headline is the median of the per-round ratios; every fan-out size runs in its own
fresh process after a warm-up. Every timing is a median; run counts are printed with it.

Usage: python benchmarks/bench.py [--quick] [--output BENCHMARKS.md]
       python benchmarks/bench.py --equivalents       (only: are the equivalents comparable?)
       python benchmarks/bench.py --checks ASSEMBLY   (only: time the checks on an assembly)
       python benchmarks/bench.py --fan-out-child N   (internal: one fan-out size, JSON out)
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import inspect
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_PROJECT_NODE = ROOT / "node_modules" / ".bin" / "node"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FAN_OUT_SIZES = (1, 10, 100, 1000)
# CloudFormation quotas every template of a deployment must respect.
MAX_RESOURCES_PER_TEMPLATE = 500
MAX_TEMPLATE_BYTES = 1_048_576  # 1 MB, the limit for a template uploaded to S3 (CDK does)
# How long one fan-out size may spend on repeated runs before the median is taken.
FAN_OUT_BUDGET_SECONDS = 45.0

# The targets this project holds itself to.
TARGET_IMPORT_SECONDS = 0.15
TARGET_SYNTH_RATIO = 1.15
TARGET_ROUND_TRIP_RATIO = 1.2
TARGET_FAN_OUT_SECONDS = 10.0
TARGET_SUITE_SECONDS = 45.0
TARGET_CHECKS_SECONDS = 10.0
CHECKS_RUNS = 5


@dataclass(frozen=True)
class Settings:
    import_runs: int
    synth_rounds: int
    fan_out_runs: int
    fan_out_sizes: tuple[int, ...]
    suite: bool


# Synth ratios of one warm process: a pair's synth takes 20-130 ms, and a median of 10 rounds
# still moved by about 0.1 between runs on the same machine; 30 rounds keep it within a few
# hundredths.
FULL = Settings(
    import_runs=5, synth_rounds=30, fan_out_runs=3, fan_out_sizes=FAN_OUT_SIZES, suite=True
)
QUICK = Settings(
    import_runs=3, synth_rounds=4, fan_out_runs=1, fan_out_sizes=(1, 10, 100), suite=False
)


# --- helpers ---------------------------------------------------------------------------


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _run(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def _project_context() -> dict[str, Any]:
    """cdk.json's feature flags and path metadata, as the CLI gives them to the app."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return {**context, "aws:cdk:enable-path-metadata": True}


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def code_lines(function: Callable[..., object]) -> int:
    """Lines of code in ``function``'s body: no def line, docstring, imports, blanks, comments."""
    source = textwrap.dedent(inspect.getsource(function))
    definition = ast.parse(source).body[0]
    assert isinstance(definition, ast.FunctionDef)
    skipped: set[int] = set()
    for node in definition.body:
        is_docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if is_docstring or isinstance(node, ast.Import | ast.ImportFrom):
            skipped.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    first = definition.body[0].lineno
    lines = source.splitlines()
    return sum(
        1
        for number in range(first, (definition.end_lineno or first) + 1)
        if number not in skipped
        and lines[number - 1].strip()
        and not lines[number - 1].strip().startswith("#")
    )


# --- machine ---------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = "unknown CPU"
    memory = "unknown"
    cpuinfo, meminfo = Path("/proc/cpuinfo"), Path("/proc/meminfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    node = os.environ.get("JSII_NODE", "node")
    try:
        node_version = subprocess.run(
            [node, "--version"], check=True, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        node_version = "unknown"
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return [
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        f"| CPU | {os.cpu_count()} cores, {cpu} |",
        f"| memory | {memory} |",
        f"| OS | {platform.system()} {platform.release()} {platform.machine()} |",
        f"| Python | {platform.python_version()} |",
        f"| Node (jsii runtime) | {node_version} |",
        f"| aws-cdk-lib | {importlib.metadata.version('aws-cdk-lib')} |",
        f"| constructs | {importlib.metadata.version('constructs')} |",
        f"| load average at start (1/5/15 min) | {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} |",
        "",
    ]


# --- import ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResults:
    lines: list[str]
    import_extra: float  # `import aws_cdk, patterns` over `import aws_cdk`: the target
    worst_extra: float  # the largest cost a pattern adds over the aws_cdk modules it needs


# Each pattern, and the aws_cdk modules its hand-written equivalent imports.
PATTERN_MODULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("QueueWithDeadLetterQueue", "patterns.queue_with_dlq", ("aws_sqs", "aws_cloudwatch")),
    (
        "SnsToSqsFanOut",
        "patterns.sns_fan_out",
        ("aws_sqs", "aws_sns", "aws_kms", "aws_iam", "aws_cloudwatch"),
    ),
    (
        "S3EventFanOut",
        "patterns.s3_event_fan_out",
        ("aws_s3", "aws_sqs", "aws_sns", "aws_kms", "aws_iam", "aws_cloudwatch"),
    ),
    (
        "KinesisToFirehoseToS3",
        "patterns.kinesis_firehose_s3.construct",
        (
            "aws_kinesis",
            "aws_kinesisfirehose",
            "aws_kms",
            "aws_logs",
            "aws_s3",
            "aws_iam",
            "aws_cloudwatch",
        ),
    ),
    (
        "AmazonMqBroker",
        "patterns.amazon_mq",
        (
            "aws_amazonmq",
            "aws_ec2",
            "aws_kms",
            "aws_secretsmanager",
            "aws_logs",
            "aws_iam",
            "aws_cloudwatch",
        ),
    ),
)


def _aws_cdk_modules_of(statement: str) -> set[str]:
    """The ``aws_cdk.aws_*`` modules that running ``statement`` loads (directly or not)."""
    probe = (
        f"import sys; {statement}; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('aws_cdk.aws_'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return set(out.split())


def section_import(runs: int) -> ImportResults:
    python = sys.executable
    commands: dict[str, list[str]] = {
        "python (interpreter start only)": [python, "-c", "pass"],
        "`import aws_cdk`": [python, "-c", "import aws_cdk"],
        "`import patterns`": [python, "-c", "import patterns"],
        "`import aws_cdk, patterns`": [python, "-c", "import aws_cdk, patterns"],
    }
    pairs: list[tuple[str, str, str, list[str]]] = []
    for name, module, plain_modules in PATTERN_MODULES:
        plain_statement = "import aws_cdk, " + ", ".join(f"aws_cdk.{m}" for m in plain_modules)
        loaded_extra = _aws_cdk_modules_of(f"import {module}") - _aws_cdk_modules_of(
            plain_statement
        )
        plain = f"{name}: plain"
        commands[plain] = [python, "-c", plain_statement]
        with_pattern = f"{name}: pattern"
        commands[with_pattern] = [python, "-c", f"from patterns import {name}"]
        pairs.append((name, plain, with_pattern, sorted(loaded_extra)))

    for command in commands.values():  # warm-up: file-system caches, .pyc files
        _run(command)
    times: dict[str, list[float]] = {label: [] for label in commands}
    for round_number in range(runs):
        labels = list(commands)
        if round_number % 2:
            labels.reverse()  # interleaved, alternating order
        for label in labels:
            times[label].append(_run(commands[label]))
    median = {label: _median(values) for label, values in times.items()}

    base = median["`import aws_cdk`"]
    both_extra = median["`import aws_cdk, patterns`"] - base
    lines = [
        "## Import",
        "",
        f"Wall time of a fresh `python -c ...` process, median of {runs} runs per command, "
        "the commands interleaved in alternating order after one warm-up each.",
        "",
        "| command | median wall (s) | over its aws-cdk-lib imports (s) |",
        "| --- | --- | --- |",
        f"| python (interpreter start only) | {median['python (interpreter start only)']:.3f} | |",
        f"| `import aws_cdk` | {base:.3f} | |",
        f"| `import patterns` | {median['`import patterns`']:.3f} | (imports no aws_cdk module) |",
        f"| `import aws_cdk, patterns` | {median['`import aws_cdk, patterns`']:.3f} "
        f"| {both_extra:+.3f} |",
    ]
    extras = [both_extra]
    for name, plain, with_pattern, extra_modules in pairs:
        extra = median[with_pattern] - median[plain]
        extras.append(extra)
        loaded = ", ".join(m.removeprefix("aws_cdk.") for m in extra_modules) or "none"
        lines.append(
            f"| `from patterns import {name}` vs the aws_cdk modules of its hand-written "
            f"equivalent | {median[with_pattern]:.3f} vs {median[plain]:.3f} | {extra:+.3f} "
            f"(extra modules: {loaded}) |"
        )
    lines += [
        "",
        "The target is `import patterns` over `import aws_cdk` (the first rows). The per-pattern "
        "rows are stricter and informational: most of their difference is the first call into "
        "the jsii runtime (about 0.07 s, when Node loads aws-cdk-lib's JavaScript), which the "
        "patterns' module-level `Duration` constants make at import and a hand-written stack "
        "makes at its first construct; the patterns' own modules take about 0.02 s to import.",
        "",
    ]
    return ImportResults(lines, both_extra, max(extras))


# --- comparability: checked before anything is timed ------------------------------------


def _pattern_with_an_extra_subscriber(scope: Any, construct_id: str) -> None:
    """The 3-queue fan-out with a fourth subscriber: what the check must refuse."""
    from benchmarks.equivalents import SUBSCRIBERS
    from patterns import SnsToSqsFanOut

    fan_out = SnsToSqsFanOut(scope, construct_id)
    for name in (*SUBSCRIBERS, "Audit"):
        fan_out.add_queue(name)


def comparability_problems(pairs: Sequence[Any], context: dict[str, Any]) -> list[str]:
    """Why an equivalent of ``pairs`` no longer counts as "the same stack"; empty if all do.

    Also proves the check sharp on the current code: the 3-queue fan-out's equivalent against
    the pattern with a fourth subscriber must be refused (a check that passes everything
    would let the ratios compare unlike stacks).
    """
    from benchmarks import equivalents
    from benchmarks.comparability import Drift, measure

    problems = [
        f"{pair.name}: {problem}; bring {pair.hand_written.__name__} in "
        "benchmarks/equivalents.py up to the pattern"
        for pair in pairs
        for problem in Drift(
            measure(pair.pattern, context), measure(pair.hand_written, context)
        ).problems()
    ]
    control = Drift(
        measure(_pattern_with_an_extra_subscriber, context),
        measure(equivalents.sns_to_sqs_fan_out, context),
    )
    if not any(problem.startswith("resources:") for problem in control.problems()):
        problems.append(
            "the comparability check accepts a fan-out with one subscriber more than its "
            f"equivalent ({control.summary()}): benchmarks/comparability.py is too loose"
        )
    return problems


def check_comparability(pairs: Sequence[Any], context: dict[str, Any]) -> None:
    """Exit with code 1, naming each problem, when an equivalent is not comparable."""
    if problems := comparability_problems(pairs, context):
        print("the hand-written equivalents are not comparable:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(1)
    print(f"equivalents comparable: {', '.join(pair.name for pair in pairs)}", flush=True)


# --- synth: pattern vs hand-written ------------------------------------------------------


@dataclass(frozen=True)
class SynthResult:
    name: str
    pattern_seconds: float
    hand_seconds: float
    ratio: float
    pattern_lines: int
    hand_lines: int
    comparability: str  # benchmarks.comparability.Drift.summary()
    pattern_round_trips: int
    hand_round_trips: int
    round_trip_kinds: str  # the pattern's by kind, then the equivalent's

    @property
    def round_trip_ratio(self) -> float:
        return self.pattern_round_trips / self.hand_round_trips


def _synth_once(build: Callable[..., object], context: dict[str, Any], outdir: str) -> float:
    import aws_cdk as cdk

    start = time.perf_counter()
    app = cdk.App(context=context, outdir=outdir)
    stack = cdk.Stack(app, "Bench")
    build(stack, "Subject")
    app.synth()
    return time.perf_counter() - start


def _measure_pair(pair: Any, rounds: int, context: dict[str, Any], outdir: str) -> SynthResult:
    """One pair: warm-ups, its round trips, then ``rounds`` timed synths in ABBA order."""
    from benchmarks.comparability import Drift, measure
    from benchmarks.roundtrips import count

    for build in (pair.pattern, pair.hand_written, pair.pattern, pair.hand_written):
        _synth_once(build, context, outdir)  # warm-up: jsii loads types once
    # Counted apart from the timed rounds: the counter itself costs time.
    pattern_trips = count(pair.pattern, context, outdir)
    hand_trips = count(pair.hand_written, context, outdir)
    pattern_times, hand_times, ratios = [], [], []
    for round_number in range(rounds):
        # ABBA: a drifting machine load slows both sides alike.
        if round_number % 2 == 0:
            p = _synth_once(pair.pattern, context, outdir)
            h = _synth_once(pair.hand_written, context, outdir)
        else:
            h = _synth_once(pair.hand_written, context, outdir)
            p = _synth_once(pair.pattern, context, outdir)
        pattern_times.append(p)
        hand_times.append(h)
        ratios.append(p / h)
    return SynthResult(
        name=pair.name,
        pattern_seconds=_median(pattern_times),
        hand_seconds=_median(hand_times),
        ratio=_median(ratios),
        pattern_lines=code_lines(pair.pattern),
        hand_lines=code_lines(pair.hand_written),
        comparability=Drift(
            measure(pair.pattern, context), measure(pair.hand_written, context)
        ).summary(),
        pattern_round_trips=pattern_trips.total,
        hand_round_trips=hand_trips.total,
        round_trip_kinds=f"{pattern_trips.summary()} / {hand_trips.summary()}",
    )


def section_synth(rounds: int, pairs: Sequence[Any]) -> tuple[list[str], list[SynthResult]]:
    context = _project_context()
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as scratch:
        outdir = str(Path(scratch) / "cdk.out")
        results = [_measure_pair(pair, rounds, context, outdir) for pair in pairs]
    lines = [
        "## Synth: each pattern against its hand-written plain-L2 equivalent",
        "",
        f"Build and synthesize one stack in a warm process: {rounds} rounds per pair after "
        "two warm-ups each, pattern and equivalent interleaved in ABBA order; the ratio is the "
        "median of the per-round ratios. The equivalents (`benchmarks/equivalents.py`) build "
        "the same resource types with about as many constructs, resources and template bytes "
        "(`benchmarks/comparability.py`, checked by `make bench` before it times anything; "
        "the last column gives each as hand-written/pattern, and how many resources are "
        "identical on both sides); the fan-outs have 3 subscriber queues; the broker gets the "
        "same imported VPC on both sides. Lines of code: the body of each side's function, "
        "without docstring, imports, comments and blank lines. Round trips: the messages one "
        "build and synth sends to the jsii Node process (`benchmarks/roundtrips.py`), counted "
        "in a synth of their own after the warm-ups.",
        "",
        "| pattern | ratio (pattern / hand-written) | pattern (s) | hand-written (s) "
        "| round trips (pattern / hand-written) | lines: pattern call | lines: hand-written "
        "| comparability (hand-written/pattern) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | **{r.ratio:.2f}x** | {r.pattern_seconds:.3f} | {r.hand_seconds:.3f} "
            f"| **{r.round_trip_ratio:.2f}x**: {r.pattern_round_trips} / {r.hand_round_trips} "
            f"| {r.pattern_lines} | {r.hand_lines} | {r.comparability} |"
        )
    lines += [
        "",
        "Round trips by kind of request (pattern / hand-written): `get` reads a property, "
        "`invoke` calls a method, `create` makes an object, `complete` answers a callback "
        "(a validation, for instance), `staticget`/`staticinvoke` read or call a static member.",
        "",
        "| pattern | round trips by kind (pattern / hand-written) |",
        "| --- | --- |",
        *(f"| {r.name} | {r.round_trip_kinds} |" for r in results),
    ]
    return [*lines, ""], results


# --- fan-out scale -----------------------------------------------------------------------


def build_fan_out(stack: Any, subscribers: int, *, nested: bool, hand_written: bool) -> None:
    """An SnsToSqsFanOut with ``subscribers`` new queues: defaults, or ``nested_stacks``; or
    its hand-written equivalent (``benchmarks/equivalents.py``), subscribers placed alike."""
    names = [f"Subscriber{index:04d}" for index in range(subscribers)]
    if hand_written:
        from benchmarks.equivalents import sns_to_sqs_fan_out

        sns_to_sqs_fan_out(stack, "FanOut", names, nested_stacks=nested)
        return
    from patterns import SnsToSqsFanOut

    fan_out = SnsToSqsFanOut(stack, "FanOut", nested_stacks=nested)
    for name in names:
        fan_out.add_queue(name)


def _measure_fan_out(
    subscribers: int, outdir: Path, *, nested: bool, hand_written: bool
) -> dict[str, Any]:
    import aws_cdk as cdk

    start = time.perf_counter()
    app = cdk.App(context=_project_context(), outdir=str(outdir))
    stack = cdk.Stack(app, "FanOutBench")
    build_fan_out(stack, subscribers, nested=nested, hand_written=hand_written)
    app.synth()
    seconds = time.perf_counter() - start
    templates = []
    for path in sorted(outdir.glob("*.template.json")):  # the stack and any nested stacks
        body = path.read_bytes()
        resources = len(json.loads(body).get("Resources", {}))
        templates.append({"resources": resources, "bytes": len(body)})
    return {"seconds": seconds, "templates": templates}


def fan_out_child(
    subscribers: int,
    runs: int,
    budget: float,
    keep: Path | None,
    *,
    nested: bool,
    hand_written: bool = False,
) -> None:
    """Run in a fresh process: warm up, then time up to ``runs`` synths within ``budget``."""
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as scratch:
        side = {"nested": nested, "hand_written": hand_written}
        _measure_fan_out(1, Path(scratch) / "warm-up", **side)
        measurements: list[dict[str, Any]] = []
        spent = 0.0
        error = None
        for run in range(runs):
            outdir = keep if keep is not None and run == 0 else Path(scratch) / f"run{run}"
            try:
                measurement = _measure_fan_out(subscribers, outdir, **side)
            except Exception as exc:  # recorded, not hidden: the report shows the message
                error = str(exc).strip().splitlines()[0]
                break
            measurements.append(measurement)
            spent += measurement["seconds"]
            if spent > budget:
                break
    print(json.dumps({"subscribers": subscribers, "measurements": measurements, "error": error}))


@dataclass(frozen=True)
class FanOutResult:
    nested: bool
    subscribers: int
    runs: int
    seconds: float | None
    templates: list[dict[str, int]]
    error: str | None
    cfn_lint: str | None
    hand_written: bool = False

    @property
    def layout(self) -> str:
        if self.hand_written:
            return "hand-written, nested stacks" if self.nested else "hand-written, one stack"
        return "nested_stacks=True" if self.nested else "one stack"

    @property
    def within_limits(self) -> bool:
        return self.error is None and all(
            t["resources"] <= MAX_RESOURCES_PER_TEMPLATE and t["bytes"] <= MAX_TEMPLATE_BYTES
            for t in self.templates
        )


def _cfn_lint(directory: Path) -> str:
    files = sorted(str(path) for path in directory.glob("*.template.json"))
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), "--format", "parseable", "--", *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    findings = [line for line in result.stdout.splitlines() if line.strip()]
    return "clean" if result.returncode == 0 and not findings else f"{len(findings)} findings"


def _fan_out_size(
    subscribers: int, runs: int, keep_root: Path, *, nested: bool, hand: bool, lint: bool
) -> FanOutResult:
    """One size and layout in a fresh process (``--fan-out-child``); its first assembly kept."""
    keep = Path(keep_root) / f"{'hand-' if hand else ''}{nested}-{subscribers}"
    output = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--fan-out-child",
            str(subscribers),
            "--runs",
            str(runs),
            "--keep",
            str(keep),
            *(["--nested"] if nested else []),
            *(["--hand-written"] if hand else []),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    data = json.loads(output.strip().splitlines()[-1])
    measurements = data["measurements"]
    return FanOutResult(
        nested,
        subscribers,
        len(measurements),
        _median([m["seconds"] for m in measurements]) if measurements else None,
        measurements[0]["templates"] if measurements else [],
        data["error"],
        _cfn_lint(keep) if lint and measurements else None,
        hand_written=hand,
    )


def section_fan_out(
    sizes: Sequence[int], runs: int, lint: bool, keep_root: Path
) -> tuple[list[str], list[FanOutResult]]:
    """Each size in a fresh process; the first run's assembly of each kept under keep_root.

    The pattern in one stack and in nested stacks, then its hand-written equivalent in nested
    stacks placed as the pattern places them (the comparison its target names)."""
    layouts = [(False, False), (True, False), (True, True)]  # (nested, hand-written)
    results = [
        _fan_out_size(
            subscribers,
            runs,
            keep_root,
            nested=nested,
            hand=hand,
            lint=lint and not hand and subscribers == max(sizes),
        )
        for (nested, hand), subscribers in [(layout, size) for layout in layouts for size in sizes]
    ]
    lines = [
        "## Fan-out scale: SnsToSqsFanOut with N subscriber queues",
        "",
        "Build and synthesize the fan-out (defaults, N new queues; in one stack, then with "
        "`nested_stacks=True`; then its hand-written equivalent, `sns_to_sqs_fan_out` of "
        "`benchmarks/equivalents.py`, with its subscribers in the same 48 nested stacks) "
        "with `CDK_VALIDATION=false`, "
        "each size in a fresh process after a 1-subscriber warm-up; median of up to "
        f"{runs} runs (fewer once a size has spent {FAN_OUT_BUDGET_SECONDS:.0f} s). Resources "
        "and bytes count every template written, the stack's and any nested stacks'. Limits: "
        f"{MAX_RESOURCES_PER_TEMPLATE} resources and 1 MB per template.",
        "",
        "| layout | subscribers | synth (s) | runs | templates | resources (total) | resources "
        "(largest template) | bytes (total) | bytes (largest template) | within limits "
        "| cfn-lint |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        layout = r.layout
        if r.error is not None:
            lines.append(
                f"| {layout} | {r.subscribers} | fails at synth: {r.error} | | | | | | | no | |"
            )
            continue
        total_resources = sum(t["resources"] for t in r.templates)
        total_bytes = sum(t["bytes"] for t in r.templates)
        lines.append(
            f"| {layout} | {r.subscribers} | {r.seconds:.2f} | {r.runs} | {len(r.templates)} | "
            f"{total_resources} | {max(t['resources'] for t in r.templates)} | "
            f"{total_bytes:,} | {max(t['bytes'] for t in r.templates):,} | "
            f"{'yes' if r.within_limits else 'NO'} | {r.cfn_lint or ''} |"
        )
    return [*lines, ""], results


# --- messaging checks over the largest assembly --------------------------------------------


@dataclass(frozen=True)
class ChecksResult:
    assembly: str  # what was checked, for the report
    templates: int
    resources: int
    runs: int
    seconds: float | None
    exit_code: int | None  # 0 clean, 1 findings; anything else is a failure of the command


def _assembly_size(assembly: Path) -> tuple[int, int]:
    """Templates and resources of an assembly, read as the checks read it."""
    from patterns.cloud_assembly import read_assembly

    stacks = read_assembly(assembly).stacks
    return len(stacks), sum(len(s.template.get("Resources") or {}) for s in stacks)


def measure_checks(assembly: Path, label: str, runs: int) -> ChecksResult:
    """``python -m patterns.checks`` on an assembly, each run in a fresh process."""
    templates, resources = _assembly_size(assembly)
    seconds: list[float] = []
    exit_code = None
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "patterns.checks", str(assembly)],
            capture_output=True,
            cwd=ROOT,
        )
        seconds.append(time.perf_counter() - start)
        exit_code = done.returncode
        if exit_code not in (0, 1):
            break
    return ChecksResult(label, templates, resources, len(seconds), _median(seconds), exit_code)


def section_checks(result: ChecksResult | None) -> list[str]:
    lines = [
        "## Messaging checks over the largest assembly",
        "",
        "`python -m patterns.checks` on the cloud assembly of the largest nested fan-out "
        "above (every template read and linked into one model, every rule run over it), each run "
        "in a fresh process (interpreter start and imports included); median of up to "
        f"{CHECKS_RUNS} runs.",
        "",
        "| assembly | templates | resources | checks (s) | runs | exit code |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    if result is None:
        return [*lines, "| no nested fan-out was synthesized | | | | | |", ""]
    seconds = f"{result.seconds:.2f}" if result.seconds is not None else "not run"
    lines.append(
        f"| {result.assembly} | {result.templates} | {result.resources:,} | {seconds} | "
        f"{result.runs} | {result.exit_code} |"
    )
    return [*lines, ""]


def _checks_target(result: ChecksResult | None) -> list[str]:
    if result is None or result.seconds is None:
        return []
    passed = result.seconds < TARGET_CHECKS_SECONDS and result.exit_code in (0, 1)
    return [
        f"| `python -m patterns.checks` on the {result.assembly} ({result.templates} templates, "
        f"{result.resources:,} resources) < {TARGET_CHECKS_SECONDS:.0f} s on 2 cores | "
        f"{result.seconds:.2f} s (exit code {result.exit_code}) | {_verdict(passed)} |"
    ]


# --- unit suite -------------------------------------------------------------------------


# The marker and options of `make unit` (Makefile), and the dot it puts on PATH.
UNIT_MARKER = "not e2e and not scale and not package and not site"
UNIT_OPTIONS = ("-n", "auto", "--dist", "loadfile")
_UNIT_DOT_DIR = ROOT / ".venv" / "graphviz-pure"


def _timed_pytest(marker: str, *options: str) -> tuple[float, str]:
    path = os.pathsep.join([str(_UNIT_DOT_DIR), os.environ.get("PATH", "")])
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *options, "-m", marker, "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PATH": path},
    )
    wall = time.perf_counter() - start
    return wall, (result.stdout.strip().splitlines() or ["no output"])[-1]


def section_suite() -> tuple[list[str], float, str]:
    # As make unit runs it: one pytest worker per core (pytest-xdist).
    wall, summary = _timed_pytest(UNIT_MARKER, *UNIT_OPTIONS)
    scale_wall, scale_summary = _timed_pytest("scale")
    lines = [
        "## Unit suite",
        "",
        f'`make unit` (`pytest {" ".join(UNIT_OPTIONS)} -m "{UNIT_MARKER}"`, a worker per core): '
        f"{wall:.1f} s wall, one run ({summary}).",
        "",
        f"`make scale` (`pytest -m scale`: the 1,000-subscriber fan-out synthesized once, its "
        f"templates checked and linted, and the 60-subscriber nested placements), a separate "
        f"step of `make test`: {scale_wall:.1f} s "
        f"wall ({scale_summary}).",
        "",
    ]
    return lines, wall, summary


# --- report ------------------------------------------------------------------------------


def targets(
    imports: ImportResults,
    synth: list[SynthResult],
    fan_out: list[FanOutResult],
    suite: float | None,
    checks: ChecksResult | None = None,
) -> list[str]:
    lines = [
        "## Targets",
        "",
        "| target | measured | result |",
        "| --- | --- | --- |",
        f"| `import patterns` ≤ {TARGET_IMPORT_SECONDS} s over `import aws_cdk` "
        f"| {imports.import_extra:+.3f} s (a pattern over its aws_cdk modules: at most "
        f"{imports.worst_extra:+.3f} s, see Import) "
        f"| {_verdict(imports.import_extra <= TARGET_IMPORT_SECONDS)} |",
    ]
    for r in synth:
        lines.append(
            f"| {r.name} synth ≤ {TARGET_SYNTH_RATIO}x its hand-written equivalent | "
            f"{r.ratio:.2f}x | {_verdict(r.ratio <= TARGET_SYNTH_RATIO)} |"
        )
    for r in synth:
        lines.append(
            f"| {r.name} jsii round trips ≤ {TARGET_ROUND_TRIP_RATIO}x its hand-written "
            f"equivalent's | {r.round_trip_ratio:.2f}x ({r.pattern_round_trips} / "
            f"{r.hand_round_trips}) | {_verdict(r.round_trip_ratio <= TARGET_ROUND_TRIP_RATIO)} |"
        )
    patterns_only = [r for r in fan_out if not r.hand_written]
    largest = max(patterns_only, key=lambda r: (r.subscribers, r.nested)) if patterns_only else None
    if largest is not None:
        if largest.error is not None or largest.seconds is None:
            measured = f"fails at synth: {largest.error}"
            passed = False
        else:
            measured = (
                f"{largest.seconds:.2f} s, {len(largest.templates)} templates, "
                f"{'within' if largest.within_limits else 'NOT within'} limits, "
                f"cfn-lint {largest.cfn_lint or 'not run'}"
            )
            passed = (
                largest.seconds < TARGET_FAN_OUT_SECONDS
                and largest.within_limits
                and largest.cfn_lint == "clean"
            )
        lines.append(
            f"| {largest.subscribers:,}-subscriber fan-out (nested_stacks=True) synthesizes in < "
            f"{TARGET_FAN_OUT_SECONDS:.0f} s (validation off), every template within limits, "
            f"cfn-lint clean | {measured} | {_verdict(passed)} |"
        )
        lines += _fan_out_against_hand_written(largest, fan_out)
    lines += _checks_target(checks)
    if suite is not None:
        lines.append(
            f"| unit suite < {TARGET_SUITE_SECONDS:.0f} s on 2 cores | {suite:.1f} s | "
            f"{_verdict(suite < TARGET_SUITE_SECONDS)} |"
        )
    return [*lines, ""]


def _fan_out_against_hand_written(largest: FanOutResult, fan_out: list[FanOutResult]) -> list[str]:
    same_size = [r for r in fan_out if r.subscribers == largest.subscribers]
    hand = next((r for r in same_size if r.hand_written and r.nested == largest.nested), None)
    if hand is None:
        return []
    target = (
        f"| {largest.subscribers:,}-subscriber fan-out ({largest.layout}) no slower than its "
        "hand-written equivalent (subscribers in the same nested stacks) |"
    )
    if largest.seconds is None or hand.seconds is None:
        failed = largest.error or hand.error
        return [f"{target} fails at synth: {failed} | MISS |"]
    ratio = largest.seconds / hand.seconds
    return [
        f"{target} {ratio:.2f}x ({largest.seconds:.2f} s / {hand.seconds:.2f} s) "
        f"| {_verdict(ratio <= 1.0)} |"
    ]


def notes() -> list[str]:
    from benchmarks.comparability import MAX_EXCESS, MAX_LAG

    return [
        "## How to read these numbers",
        "",
        "- Every timing is a median (run counts are in each section); ratios and counts are the "
        "headline. Seconds depend on the machine and its load: the load average at the start is "
        "in the machine table, and a run on a shared machine is noisier than one on an idle one.",
        "- The hand-written equivalents build what synth time depends on as the patterns do: the "
        "same resource types, and constructs, resources and template bytes within a one-sided "
        "tolerance (`benchmarks/comparability.py`, checked by `make bench` before it times "
        "anything): an equivalent may lag its pattern by up to "
        f"{MAX_LAG:.0%} (the ratio then errs against the pattern) and exceed it by at most "
        f"{MAX_EXCESS:.0%}; the Synth table "
        "reports the drift. They leave out template metadata: a synth ratio above 1.0 is the "
        "price of the patterns' input validation and of the cdk-nag acknowledgements and checkov "
        "skips they record, which a hand-written stack would need as well to pass the same "
        "compliance gate.",
        "- An import difference is the difference of two medians of fresh processes; its noise is "
        "about the spread of `import aws_cdk` itself (several hundredths of a second).",
        "- Fan-out synth time grows with the resource count (about 10 per subscriber at the "
        "defaults); `shared_subscription_dead_letter_queue=True` saves 3 per subscriber.",
        "",
    ]


def run(settings: Settings, pairs: Sequence[Any], *, quick: bool, output: Path | None) -> None:
    """Every section in turn, printed as it ends; the report written to ``output``."""
    started = time.perf_counter()
    header = machine()
    imports = section_import(settings.import_runs)
    print("\n".join(imports.lines), flush=True)
    synth_lines, synth = section_synth(settings.synth_rounds, pairs)
    print("\n".join(synth_lines), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-fanout-keep-") as keep_root:
        fan_out_lines, fan_out = section_fan_out(
            settings.fan_out_sizes, settings.fan_out_runs, not quick, Path(keep_root)
        )
        print("\n".join(fan_out_lines), flush=True)
        largest = max(settings.fan_out_sizes)
        kept = Path(keep_root) / f"True-{largest}"
        checks = (
            measure_checks(kept, f"{largest:,}-subscriber nested fan-out", CHECKS_RUNS)
            if (kept / "manifest.json").is_file()
            else None
        )
    checks_lines = section_checks(checks)
    print("\n".join(checks_lines), flush=True)
    suite_lines: list[str] = []
    suite_wall = None
    if settings.suite:
        suite_lines, suite_wall, _ = section_suite()
        print("\n".join(suite_lines), flush=True)
    elapsed = time.perf_counter() - started

    report = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`benchmarks/bench.py`); do not edit by hand. Ratios and "
        "counts are the headline: raw seconds depend on the machine and its load. "
        f"This run took {elapsed:.0f} s{' (--quick)' if quick else ''}.",
        "",
        *targets(imports, synth, fan_out, suite_wall, checks),
        *notes(),
        *header,
        *imports.lines,
        *synth_lines,
        *fan_out_lines,
        *checks_lines,
        *suite_lines,
    ]
    text = "\n".join(report).rstrip() + "\n"
    print("\n".join(targets(imports, synth, fan_out, suite_wall, checks)))
    if output:
        output.write_text(text)
        print(f"wrote {output}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer runs, no 1,000 and no suite")
    parser.add_argument("--output", type=Path, help="write the report there (BENCHMARKS.md)")
    parser.add_argument("--fan-out-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--nested", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hand-written", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--equivalents", action="store_true", help="only check that the equivalents are comparable"
    )
    parser.add_argument("--pair", help="only the synth pairs whose name starts with this")
    parser.add_argument(
        "--checks", type=Path, metavar="ASSEMBLY", help="only time the checks on ASSEMBLY"
    )
    args = parser.parse_args(argv)
    # Before aws_cdk starts its Node process: the project's Node, and no built-in template
    # validation (it is what `cdk synth --no-validation` turns off; both sides alike). Set
    # here, not at import, so importing this module (tests of the report) changes nothing.
    os.environ.setdefault("CDK_VALIDATION", "false")
    if _PROJECT_NODE.exists():
        os.environ.setdefault("JSII_NODE", str(_PROJECT_NODE))
    if args.checks is not None:
        only = measure_checks(args.checks, str(args.checks), CHECKS_RUNS)
        print("\n".join([*section_checks(only), *_checks_target(only)]))
        return
    if args.fan_out_child is not None:
        fan_out_child(
            args.fan_out_child,
            args.runs,
            FAN_OUT_BUDGET_SECONDS,
            args.keep,
            nested=args.nested,
            hand_written=args.hand_written,
        )
        return
    from benchmarks.equivalents import PAIRS

    pairs = [pair for pair in PAIRS if pair.name.startswith(args.pair or "")]
    check_comparability(pairs, _project_context())
    if args.equivalents:
        return

    run(QUICK if args.quick else FULL, pairs, quick=args.quick, output=args.output)


if __name__ == "__main__":
    main()
