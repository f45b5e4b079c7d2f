"""One reader of a cloud assembly (patterns.cloud_assembly) for the checks, the flow graph and
the cost: each command reads every file once and says the same one line about an assembly it
cannot read."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import patterns.cloud_assembly as reader
from patterns.checks import main as checks
from patterns.cost.cli import main as cost
from patterns.flows import main as flows

COMMANDS = {"checks": checks, "flows": flows, "cost": cost}


def _assembly(folder: Path) -> Path:
    queue = {"Type": "AWS::SQS::Queue", "Properties": {}}
    nested = {"Resources": {"Inner": queue}}
    parent = {
        "Resources": {
            "Queue": queue,
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Metadata": {"aws:asset:path": "Child.nested.template.json"},
            },
        }
    }
    (folder / "Parent.template.json").write_text(json.dumps(parent))
    (folder / "Child.nested.template.json").write_text(json.dumps(nested))
    artifact: dict[str, Any] = {"type": "aws:cloudformation:stack", "displayName": "Parent"}
    artifact["properties"] = {"templateFile": "Parent.template.json"}
    (folder / "manifest.json").write_text(json.dumps({"artifacts": {"Parent": artifact}}))
    return folder


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_reads_each_file_of_the_assembly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, capsys: Any
) -> None:
    reads: Counter[str] = Counter()
    original = reader.read_json

    def counted(file: Path, what: str) -> Any:
        reads[file.name] += 1
        return original(file, what)

    monkeypatch.setattr(reader, "read_json", counted)
    assert COMMANDS[command]([str(_assembly(tmp_path))]) in (0, 1)
    capsys.readouterr()
    assert reads == {
        "manifest.json": 1,
        "Parent.template.json": 1,
        "Child.nested.template.json": 1,
    }


def test_nested_templates_are_read_with_their_stack(tmp_path: Path) -> None:
    read = reader.read_assembly(_assembly(tmp_path))
    parent, child = read.stacks
    assert (parent.name, parent.artifact_id, child.name) == ("Parent", "Parent", "Parent/Child")
    assert read.nested_in(parent) == {"Child": child}
    assert child.template_file == "Child.nested.template.json"


def _error(command: str, argv: list[str], capsys: Any) -> str:
    assert COMMANDS[command](argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    return str(err).split(": error: ", 1)[1]


@pytest.mark.parametrize(
    "break_it",
    [
        lambda folder: (folder / "manifest.json").unlink(),
        lambda folder: (folder / "manifest.json").write_text("{not json"),
        lambda folder: (folder / "Parent.template.json").unlink(),
        lambda folder: (folder / "Child.nested.template.json").write_text("[]"),
    ],
    ids=["no manifest", "manifest not JSON", "template missing", "nested template not object"],
)
def test_the_commands_say_the_same_line_about_an_unreadable_assembly(
    tmp_path: Path, capsys: Any, break_it: Any
) -> None:
    folder = _assembly(tmp_path)
    break_it(folder)
    said = {name: _error(name, [str(folder)], capsys) for name in COMMANDS}
    assert len(set(said.values())) == 1, said
    missing = str(tmp_path / "missing")
    said = {name: _error(name, [missing], capsys) for name in COMMANDS}
    assert len(set(said.values())) == 1, said
