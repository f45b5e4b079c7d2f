"""python -m patterns.checks as a CI gate: formats (text, JSON, SARIF 2.1.0 validated against the
OASIS schema), --fail-on, baselines, exit codes, and one-line errors on every unreadable input.

One plain-CDK app (an error, a warning, an acknowledged finding, a note, a nested stack) and one
with a warning only are synthesized once; baselines and broken assemblies are files edited in
temporary folders.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from jsonschema import Draft4Validator

from patterns.checks import main, parser
from patterns.command_line import parse
from patterns.messaging import baseline
from patterns.messaging.report import NEW, UNCHANGED, is_open
from patterns.messaging.rules import RULES
from patterns.messaging.sarif import resource_lines, rule_anchor
from tests.helpers import CDK_CONTEXT, PATH_METADATA, ROOT

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
PROG = "python -m patterns.checks: error: "
REASON = "The queue exists under this name already."


class Child(cdk.NestedStack):
    def __init__(self, scope: cdk.Stack, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        dlq = sqs.CfnQueue(self, "DeadLetterQueue")  # standard DLQ of a FIFO queue: SQS1
        sqs.CfnQueue(
            self,
            "Queue",
            fifo_queue=True,
            redrive_policy={"deadLetterTargetArn": dlq.attr_arn, "maxReceiveCount": 5},
        )


def _traps(stack: cdk.Stack) -> None:
    sqs.CfnQueue(stack, "Named", queue_name="orders.v2")  # SQS4, an error
    sns.Topic(stack, "Topic").add_subscription(subs.SqsSubscription(sqs.Queue(stack, "Queue")))
    accepted = sqs.CfnQueue(stack, "Accepted", queue_name="orders.v3")
    Validations.of(accepted).acknowledge(
        Acknowledgment(id="Messaging::Messaging-SQS4", reason=REASON)
    )
    other = sqs.Queue.from_queue_arn(stack, "Other", "arn:aws:sqs:eu-west-1:111122223333:other")
    sns.Topic(stack, "Outbound").add_subscription(
        subs.SqsSubscription(other, dead_letter_queue=sqs.Queue(stack, "SubscriptionDlq"))
    )  # a queue of another account: a note
    Child(stack, "Child")


def _synth(outdir: Path, build: Any, name: str) -> Path:
    app = cdk.App(outdir=str(outdir), context={**CDK_CONTEXT, **PATH_METADATA})
    build(cdk.Stack(app, name))
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def traps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("traps")
    app = cdk.App(outdir=str(outdir), context={**CDK_CONTEXT, **PATH_METADATA})
    _traps(cdk.Stack(app, "Traps"))
    staged = cdk.Stack(cdk.Stage(app, "Staged"), "Inner")  # a nested cloud assembly
    sqs.CfnQueue(staged, "Named", queue_name="staged.v2")
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def warnings_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def build(stack: cdk.Stack) -> None:
        sns.Topic(stack, "Topic").add_subscription(subs.SqsSubscription(sqs.Queue(stack, "Q")))

    return _synth(tmp_path_factory.mktemp("warnings"), build, "Warned")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _json(assembly: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code, out, _ = _run([str(assembly), "--format", "json", *extra], capsys)
    document: dict[str, Any] = json.loads(out)
    document["exit"] = code
    return document


# --- exit codes and --fail-on ----------------------------------------------------------------


def test_an_error_fails_the_run(traps: Path, capsys) -> None:
    code, out, err = _run([str(traps)], capsys)
    assert code == 1
    assert err == ""
    assert "ERROR   Messaging-SQS4" in out
    assert "ERROR   Messaging-SQS1" in out
    assert "Traps/Child/Queue" in out


def test_warnings_pass_unless_fail_on_warning(warnings_only: Path, capsys) -> None:
    code, out, _ = _run([str(warnings_only)], capsys)
    assert (code, "WARNING Messaging-SNS6" in out) == (0, True)
    assert _run([str(warnings_only), "--fail-on", "error"], capsys)[0] == 0
    assert _run([str(warnings_only), "--fail-on", "warning"], capsys)[0] == 1


def test_acknowledged_findings_and_notes_never_fail(traps: Path, capsys) -> None:
    document = _json(traps, capsys, "--fail-on", "warning")
    acknowledged = [f for f in document["findings"] if f["acknowledged"]]
    assert [(f["rule"], f["acknowledged"]) for f in acknowledged] == [("Messaging-SQS4", REASON)]
    notes = [f for f in document["findings"] if f["level"] == "info"]
    assert notes
    failing = document["summary"]["failing"]
    open_ = [f for f in document["findings"] if f["level"] != "info" and not f["acknowledged"]]
    assert failing == len(open_) > 0


# --- JSON ---------------------------------------------------------------------------------------


def test_the_json_report_has_findings_and_counts(traps: Path, capsys) -> None:
    document = _json(traps, capsys)
    assert document["exit"] == 1
    assert (document["version"], document["assembly"], document["failOn"]) == (
        1,
        str(traps),
        "error",
    )
    assert document["templates"] == 3  # the stack, its nested stack, the stage's stack
    assert document["rules"] == len(RULES)
    findings = document["findings"]
    keys = {"rule", "level", "stack", "template", "logicalId", "path", "message", "fix"}
    assert all(keys | {"acknowledged", "baseline"} == set(f) for f in findings)
    levels = [f["level"] for f in findings if not f["acknowledged"]]
    assert document["summary"] == {
        "errors": levels.count("error"),
        "warnings": levels.count("warning"),
        "notes": levels.count("info"),
        "acknowledged": 1,
        "failing": levels.count("error"),
    }
    (nested,) = [f for f in findings if f["rule"] == "Messaging-SQS1"]
    assert nested["stack"].startswith("Traps/")
    assert nested["path"] == "Traps/Child/Queue"
    assert (traps / nested["template"]).is_file()
    assert nested["template"] != "Traps.template.json"
    named = [f for f in findings if f["rule"] == "Messaging-SQS4" and not f["acknowledged"]]
    templates = {(f["stack"], f["path"]): f["template"] for f in named}
    assert sorted(templates) == [("Staged/Inner", "Staged/Inner/Named"), ("Traps", "Traps/Named")]
    assert templates["Traps", "Traps/Named"] == "Traps.template.json"
    assert templates["Staged/Inner", "Staged/Inner/Named"].startswith("assembly-Staged/")
    assert all((traps / f["template"]).is_file() for f in findings)


def test_quiet_leaves_the_notes_out_of_the_findings_not_the_counts(traps: Path, capsys) -> None:
    document = _json(traps, capsys, "--quiet")
    assert all(f["level"] != "info" for f in document["findings"])
    assert document["summary"]["notes"] > 0


# --- SARIF --------------------------------------------------------------------------------------


@pytest.fixture
def sarif(traps: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(traps.parent)
    url = "https://example.org/docs/messaging-checks.md"
    code, out, _ = _run([traps.name, "--format", "sarif", "--docs-url", url], capsys)
    assert code == 1
    document: dict[str, Any] = json.loads(out)
    return document


def test_the_sarif_log_validates_against_the_sarif_2_1_0_schema(sarif: dict[str, Any]) -> None:
    Draft4Validator.check_schema(SCHEMA)
    errors = sorted(Draft4Validator(SCHEMA).iter_errors(sarif), key=str)
    assert errors == []
    assert sarif["version"] == "2.1.0"


def test_the_schema_check_can_fail(sarif: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(sarif))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert list(Draft4Validator(SCHEMA).iter_errors(broken))


def test_every_rule_has_an_entry_with_help_and_a_link_to_its_section(
    sarif: dict[str, Any],
) -> None:
    docs = (ROOT / "docs" / "messaging-checks.md").read_text()
    anchors = {line[3:].strip().lower() for line in docs.splitlines() if line.startswith("## ")}
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.rule_id for r in RULES]
    for entry, current in zip(rules, RULES, strict=True):
        assert entry["shortDescription"]["text"] == current.title
        assert entry["fullDescription"]["text"] == current.why
        assert current.fix in entry["help"]["text"]
        assert all(url in entry["help"]["markdown"] for url in current.sources)
        assert entry["defaultConfiguration"]["level"] == current.level
        page, anchor = entry["helpUri"].split("#")
        assert page == "https://example.org/docs/messaging-checks.md"
        assert anchor == rule_anchor(current.rule_id)
        assert anchor in anchors


def test_each_result_is_located_at_its_template_resource_and_construct(
    sarif: dict[str, Any], traps: Path
) -> None:
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        physical = result["locations"][0]["physicalLocation"]
        artifact = physical["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert artifact["uri"].startswith(f"{traps.name}/")
        assert artifact["uri"].endswith(".json")
        logical = result["locations"][0]["logicalLocations"][0]
        line = (
            (traps.parent / artifact["uri"])
            .read_text()
            .splitlines()[physical["region"]["startLine"] - 1]
        )
        assert line.strip().startswith(f'"{logical["name"]}":'), (result["ruleId"], line)
        assert result["partialFingerprints"]["messagingChecksFinding/v1"]
    (nested,) = [r for r in results if r["ruleId"] == "Messaging-SQS1"]
    assert nested["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        "Traps/Child/Queue"
    )


def test_an_acknowledged_finding_is_an_accepted_suppression(sarif: dict[str, Any]) -> None:
    suppressed = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"]) for r in suppressed] == [
        (
            "Messaging-SQS4",
            [{"kind": "external", "status": "accepted", "justification": REASON}],
        )
    ]


def test_a_template_outside_the_source_root_is_an_absolute_uri(
    traps: Path, capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    _, out, _ = _run([str(traps), "--format", "sarif"], capsys)
    document = json.loads(out)
    artifact = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert artifact["artifactLocation"]["uri"].startswith("file:///")
    assert "helpUri" not in document["runs"][0]["tool"]["driver"]["rules"][0]
    assert list(Draft4Validator(SCHEMA).iter_errors(document)) == []


def test_resource_lines_reads_cdk_layout_and_one_line_templates() -> None:
    template = {"Resources": {"A": {"Type": "X"}, "B": {"Type": "Y", "Properties": {"A": 1}}}}
    assert resource_lines(json.dumps(template, indent=1)) == {"A": 3, "B": 6}
    assert resource_lines(json.dumps(template)) == {}  # results then point at line 1


# --- baselines ----------------------------------------------------------------------------------


@pytest.fixture
def recorded(traps: Path, tmp_path: Path, capsys) -> Path:
    file = tmp_path / "baseline.json"
    code, _, err = _run([str(traps), "--write-baseline", str(file)], capsys)
    assert code == 0
    assert err.startswith("python -m patterns.checks: wrote ")
    return file


def test_a_baseline_records_the_open_findings_sorted(recorded: Path) -> None:
    entries = json.loads(recorded.read_text())["findings"]
    assert {e["rule"] for e in entries} == {"Messaging-SQS4", "Messaging-SQS1", "Messaging-SNS6"}
    assert all(e["level"] in ("error", "warning") for e in entries)
    assert entries == sorted(entries, key=lambda e: (*baseline.key_of(e), e["message"]))


def test_against_its_baseline_the_run_passes_and_lists_nothing(
    traps: Path, recorded: Path, capsys
) -> None:
    code, out, _ = _run([str(traps), "--baseline", str(recorded), "--fail-on", "warning"], capsys)
    assert code == 0
    assert not any(line.startswith(("ERROR", "WARNING")) for line in out.splitlines())
    assert f"against the baseline {recorded}: 0 new, 4 unchanged (not listed), 0 fixed" in out


def test_a_finding_not_in_the_baseline_is_new_and_fails(
    traps: Path, recorded: Path, capsys
) -> None:
    document = json.loads(recorded.read_text())
    document["findings"] = [e for e in document["findings"] if e["rule"] != "Messaging-SQS1"]
    recorded.write_text(json.dumps(document))
    code, out, _ = _run([str(traps), "--baseline", str(recorded)], capsys)
    assert code == 1
    listed = [line.split()[1] for line in out.splitlines() if line.startswith("ERROR")]
    assert listed == ["Messaging-SQS1"]
    states = {
        f["rule"]: f["baseline"]
        for f in _json(traps, capsys, "--baseline", str(recorded))["findings"]
        if not f["acknowledged"] and f["level"] != "info"
    }
    assert states == {
        "Messaging-SQS1": NEW,
        "Messaging-SQS4": UNCHANGED,
        "Messaging-SNS6": UNCHANGED,
    }


def test_a_baseline_entry_no_finding_matches_is_reported_fixed(
    traps: Path, recorded: Path, capsys
) -> None:
    document = json.loads(recorded.read_text())
    gone = {**document["findings"][0], "path": "Traps/Removed", "logicalId": "Removed"}
    document["findings"].append(gone)
    recorded.write_text(json.dumps(document))
    code, out, _ = _run([str(traps), "--baseline", str(recorded)], capsys)
    assert code == 0
    assert f"FIXED   {gone['rule']:<18} Traps Traps/Removed (Removed)" in out
    report = _json(traps, capsys, "--baseline", str(recorded))
    assert report["fixed"] == [gone]
    assert report["summary"]["fixed"] == 1


def test_matching_ignores_messages_and_falls_back_to_stack_and_logical_id(
    traps: Path, recorded: Path, capsys
) -> None:
    document = json.loads(recorded.read_text())
    for item in document["findings"]:
        item["message"] = "reworded"
    recorded.write_text(json.dumps(document))
    assert _json(traps, capsys, "--baseline", str(recorded))["summary"]["new"] == 0
    findings = [baseline.entry(f) for f in _findings(traps)]
    without_paths = [{**e, "path": None} for e in findings]
    assert baseline.key_of(without_paths[0])[1:] == (
        without_paths[0]["stack"],
        without_paths[0]["logicalId"],
    )


def _findings(assembly: Path) -> list[Any]:
    from patterns.checks import collect
    from patterns.cloud_assembly import read_assembly

    return [f for f in collect(read_assembly(assembly)) if is_open(f)]


def test_the_same_rule_twice_on_one_resource_is_matched_by_count(traps: Path) -> None:
    (finding, *_) = _findings(traps)
    entries = [baseline.entry(finding)]
    states, fixed = baseline.compare([finding, finding], entries)
    assert (states, fixed) == ([UNCHANGED, NEW], [])


def test_the_sarif_log_carries_the_baseline_state(
    traps: Path, recorded: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(traps.parent)
    _, out, _ = _run([traps.name, "--format", "sarif", "--baseline", str(recorded)], capsys)
    document = json.loads(out)
    assert list(Draft4Validator(SCHEMA).iter_errors(document)) == []
    states = {r.get("baselineState") for r in document["runs"][0]["results"]}
    assert states == {UNCHANGED, None}  # None: notes and acknowledged findings
    assert document["runs"][0]["properties"]["baseline"]["fixed"] == []


# --- usage errors and unreadable input: exit 2, one line, no traceback -------------------------


def _one_line_error(code: int, err: str) -> None:
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(PROG), err
    assert "Traceback" not in err


def test_help_is_help_not_a_folder(capsys) -> None:
    code, out, err = _run(["--help"], capsys)
    assert (code, err) == (0, "")
    for option in ("--format", "--fail-on", "--baseline", "--write-baseline", "--quiet"):
        assert option in out


@pytest.mark.parametrize(
    "argv",
    [["--frobnicate"], ["--format", "xml"], ["--fail-on", "info"], ["a", "b"], ["--baseline"]],
)
def test_a_usage_error_is_one_line(argv: list[str], capsys) -> None:
    code, out, err = _run(argv, capsys)
    _one_line_error(code, err)
    assert out == ""
    assert err.endswith("(see --help)\n")


def _assembly_copy(traps: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "cdk.out"
    shutil.copytree(traps, copy)
    return copy


def _nested_template(assembly: Path) -> Path:
    (file,) = [p for p in assembly.glob("*.json") if "Child" in p.name and "nested" in p.name]
    return file


def _replace_with_file(assembly: Path) -> None:
    shutil.rmtree(assembly)
    assembly.write_text("{}")


BREAKS: dict[str, Callable[[Path], object]] = {
    "missing folder": lambda a: shutil.rmtree(a),
    "file, not folder": lambda a: _replace_with_file(a),
    "no manifest": lambda a: (a / "manifest.json").unlink(),
    "manifest not JSON": lambda a: (a / "manifest.json").write_text("{not json"),
    "manifest a list": lambda a: (a / "manifest.json").write_text("[]"),
    "manifest not UTF-8": lambda a: (a / "manifest.json").write_bytes(b"\xff\xfe{"),
    "artifacts a list": lambda a: (a / "manifest.json").write_text('{"artifacts": []}'),
    "missing template": lambda a: (a / "Traps.template.json").unlink(),
    "template not JSON": lambda a: (a / "Traps.template.json").write_text('{"Resources": '),
    "template a list": lambda a: (a / "Traps.template.json").write_text("[1]"),
    "resources a list": lambda a: (a / "Traps.template.json").write_text('{"Resources": []}'),
    "resource a string": lambda a: (a / "Traps.template.json").write_text(
        '{"Resources": {"Q": "AWS::SQS::Queue"}}'
    ),
    "missing nested template": lambda a: _nested_template(a).unlink(),
    "nested template not JSON": lambda a: _nested_template(a).write_text("nope"),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_an_unreadable_assembly_is_one_line_and_exit_2(
    case: str, traps: Path, tmp_path: Path, capsys
) -> None:
    assembly = _assembly_copy(traps, tmp_path)
    BREAKS[case](assembly)
    code, out, err = _run([str(assembly)], capsys)
    _one_line_error(code, err)
    assert out == ""


@pytest.mark.parametrize(
    "content", [None, "{", "[]", '{"version": 1, "findings": [{"rule": 1}]}', '{"findings": []}']
)
def test_an_unreadable_baseline_is_one_line_and_exit_2(
    content: str | None, traps: Path, tmp_path: Path, capsys
) -> None:
    file = tmp_path / "baseline.json"
    if content is not None:
        file.write_text(content)
    code, _out, err = _run([str(traps), "--baseline", str(file)], capsys)
    _one_line_error(code, err)
    assert "baseline" in err


def test_a_baseline_that_cannot_be_written_is_one_line_and_exit_2(
    traps: Path, tmp_path: Path, capsys
) -> None:
    code, _, err = _run([str(traps), "--write-baseline", str(tmp_path / "no" / "b.json")], capsys)
    _one_line_error(code, err)


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--no-such-option"], ["missing-folder"], ["--format", "sarif", "README.md"]],
)
def test_the_command_line_never_prints_a_traceback(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "patterns.checks", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert "Traceback" not in result.stderr
    if argv == ["--help"]:
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout.startswith("usage: python -m patterns.checks")
    else:
        _one_line_error(result.returncode, result.stderr)


def test_an_unexpected_exception_is_one_line_too(traps: Path) -> None:
    script = (
        "import patterns.checks as c\n"
        "def boom(*a, **k):\n    raise RuntimeError('boom')\n"
        "c.collect = boom\n"
        "from patterns.command_line import run\nrun(c.main, c.PROG)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(traps)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(PROG + "unexpected RuntimeError: boom"), result.stderr
    assert len(result.stderr.splitlines()) == 1


# --- the docs -----------------------------------------------------------------------------------


def test_the_ci_job_in_the_docs_runs_options_the_command_accepts() -> None:
    docs = (ROOT / "docs" / "messaging-checks.md").read_text()
    block = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()
    start = next(i for i, line in enumerate(lines) if "name: Messaging checks" in line)
    assert lines[start + 1].strip() == "run: >-"
    folded = []
    for line in lines[start + 2 :]:
        if not line.startswith(" " * 10):
            break
        folded.append(line.strip())
    command, output = " ".join(folded).split(" > ")
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "patterns.checks"]
    args = parse(parser(), argv[3:])
    assert isinstance(args, argparse.Namespace)
    assert (args.format, str(args.baseline)) == ("sarif", "messaging-baseline.json")
    assert f"sarif_file: {output}" in block
    assert "github/codeql-action/upload-sarif@" in block
    assert "security-events: write" in block


def test_an_installed_package_names_its_version_in_the_sarif_log(
    traps: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.8.7")
    _, out, _ = _run([str(traps), "--format", "sarif"], capsys)
    document = json.loads(out)
    assert document["runs"][0]["tool"]["driver"]["version"] == "9.8.7"
    assert list(Draft4Validator(SCHEMA).iter_errors(document)) == []
