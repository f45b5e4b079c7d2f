"""One reader of a synthesized cloud assembly (``cdk.out``): its manifests (nested stages too),
every stack's template, nested stack templates, and from the metadata each resource's construct
path and the acknowledgements (``Validations.of(c).acknowledge(...)``).

Read from ``manifest.json`` and the files it names, so it serves apps in any CDK language and
needs neither the CDK nor Node. What cannot be read (a folder that is missing, a file instead
of a folder, no ``manifest.json``, a file that is not JSON or not shaped like a manifest or
template, a template the manifest names that is not there) raises
:class:`UnreadableAssemblyError`, whose message is one line for the user: the commands
(``patterns.checks``, ``patterns.flows``, ``patterns.cost``) print it and exit 2.

Pure Python: imports nothing of ``patterns`` and no CDK.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NESTED_STACK = "AWS::CloudFormation::Stack"
SECTIONS = ("Resources", "Parameters", "Outputs", "Conditions", "Mappings")
ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
LOGICAL_ID = "aws:cdk:logicalId"


class UnreadableAssemblyError(Exception):
    """What makes a folder unreadable as a cloud assembly, in one line."""


@dataclass(frozen=True)
class LoadedStack:
    """One template of the assembly: a stack or a nested stack."""

    name: str  # the stack's display name ("Stage/Stack"); a nested one's "<parent>/<logical ID>"
    template: dict[str, Any]
    paths: dict[str, str]  # logical ID -> construct path, from the assembly's metadata
    parent: str | None = None  # the template of the stack that holds this nested stack
    parent_resource: str | None = None  # its AWS::CloudFormation::Stack logical ID there
    template_file: str = ""  # the template's file, relative to the assembly's folder
    stack_name: str = ""  # the CloudFormation stack name (a top-level stack's)
    environment: str = ""  # aws://<account>/<region> (unknown-account for agnostic stacks)
    artifact_id: str = ""  # the stack's artifact in its manifest (a top-level stack's)


@dataclass(frozen=True)
class CloudAssembly:
    """Every template of an assembly, in manifest order (each stack, then its nested stacks),
    and the acknowledgements by construct path."""

    path: Path
    stacks: list[LoadedStack]
    acknowledgements: dict[str, dict[str, str]] = field(default_factory=dict)

    def nested_in(self, stack: LoadedStack) -> dict[str, LoadedStack]:
        """The nested stacks of ``stack`` by the logical ID of their resource there."""
        return {
            s.parent_resource: s
            for s in self.stacks
            if s.parent == stack.name and s.parent_resource is not None
        }


def read_assembly(assembly: Path) -> CloudAssembly:
    """The assembly in folder ``assembly``, every file read once and checked
    (:class:`UnreadableAssemblyError` if one cannot be read)."""
    if not assembly.exists():
        raise UnreadableAssemblyError(
            f"{assembly} does not exist: run cdk synth first, or name the cloud assembly folder"
        )
    if not assembly.is_dir():
        raise UnreadableAssemblyError(f"{assembly} is a file, not a cloud assembly folder")
    if not (assembly / "manifest.json").is_file():
        raise UnreadableAssemblyError(
            f"{assembly} is not a cloud assembly (no manifest.json): run cdk synth first"
        )
    read = CloudAssembly(assembly, [], {})
    for folder, artifact_id, artifact in _stack_artifacts(assembly):
        _read_stack(read, folder, artifact_id, artifact)
    return read


def read_json(file: Path, what: str) -> Any:
    """The JSON document in ``file``; UnreadableAssemblyError naming ``what`` it is otherwise."""
    try:
        return json.loads(file.read_text())
    except FileNotFoundError as error:
        raise UnreadableAssemblyError(f"{file} does not exist ({what})") from error
    except OSError as error:
        raise UnreadableAssemblyError(f"cannot read {file} ({what}): {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise UnreadableAssemblyError(f"{file} ({what}) is not UTF-8 text") from error
    except json.JSONDecodeError as error:
        raise UnreadableAssemblyError(f"{file} ({what}) is not valid JSON: {error}") from error


def _object(value: Any, file: Path, where: str, *, optional: bool = False) -> dict[str, Any]:
    """``value`` if it is a JSON object (or absent, when ``optional``: then an empty one)."""
    if optional and value is None:
        return {}
    if not isinstance(value, dict):
        raise UnreadableAssemblyError(f"{file}: {where} is not a JSON object")
    return value


def _stack_artifacts(folder: Path) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    """(folder, artifact ID, artifact) of every stack, nested assemblies (stages) in place."""
    manifest_file = folder / "manifest.json"
    manifest = _object(read_json(manifest_file, "the cloud assembly manifest"), manifest_file, "it")
    artifacts = _object(manifest.get("artifacts"), manifest_file, '"artifacts"', optional=True)
    for artifact_id, value in artifacts.items():
        artifact = _object(value, manifest_file, f'artifact "{artifact_id}"')
        properties = _object(
            artifact.get("properties"),
            manifest_file,
            f'"properties" of "{artifact_id}"',
            optional=True,
        )
        if artifact.get("type") == "cdk:cloud-assembly":
            directory = properties.get("directoryName")
            if isinstance(directory, str) and (folder / directory / "manifest.json").exists():
                yield from _stack_artifacts(folder / directory)
        elif artifact.get("type") == "aws:cloudformation:stack" and properties.get("templateFile"):
            name = artifact.get("displayName", artifact_id)
            if not isinstance(properties["templateFile"], str) or not isinstance(name, str):
                raise UnreadableAssemblyError(
                    f"{manifest_file}: artifact {artifact_id!r} is malformed"
                )
            yield folder, artifact_id, artifact


def _read_stack(read: CloudAssembly, folder: Path, artifact_id: str, artifact: Any) -> None:
    name = artifact.get("displayName", artifact_id)
    metadata = dict(_metadata(artifact.get("metadata"), folder / "manifest.json", artifact_id))
    extra = artifact.get("additionalMetadataFile")
    if isinstance(extra, str) and (folder / extra).exists():
        more = read_json(folder / extra, f"metadata of {name}")
        metadata.update(_metadata(more, folder / extra, name))
    paths: dict[str, str] = {}
    for path, entries in metadata.items():
        for entry in entries:
            data = entry.get("data")
            if entry.get("type") == ACKNOWLEDGED_RULES and isinstance(data, dict):
                read.acknowledgements.setdefault(path.lstrip("/"), {}).update(data)
            if entry.get("type") == LOGICAL_ID and isinstance(data, str):
                paths.setdefault(data, path.lstrip("/"))
    properties = artifact.get("properties") or {}
    file = folder / properties["templateFile"]
    stack = LoadedStack(
        name,
        _template(file, f"the template of stack {name}"),
        paths,
        template_file=_relative(read.path, file),
        stack_name=str(properties.get("stackName") or artifact_id),
        environment=str(artifact.get("environment", "")),
        artifact_id=artifact_id,
    )
    _add_with_nested(read, folder, stack)


def _metadata(metadata: Any, file: Path, name: str) -> dict[str, list[dict[str, Any]]]:
    entries_by_path = _object(metadata, file, f"the metadata of {name}", optional=True)
    for path, entries in entries_by_path.items():
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise UnreadableAssemblyError(f"{file}: the metadata of {path} is not a list")
    return entries_by_path


def _template(file: Path, what: str) -> dict[str, Any]:
    template = _object(read_json(file, what), file, "the template")
    for section in SECTIONS:
        _object(template.get(section), file, f'"{section}"', optional=True)
    for logical_id, resource in (template.get("Resources") or {}).items():
        _object(resource, file, f"resource {logical_id}")
        _object(resource.get("Metadata"), file, f'"Metadata" of {logical_id}', optional=True)
    return template


def _relative(root: Path, file: Path) -> str:
    return Path(os.path.relpath(file, root)).as_posix()


def _add_with_nested(read: CloudAssembly, folder: Path, stack: LoadedStack) -> None:
    """The stack, then its nested stacks (theirs too), read from the assembly's folder."""
    read.stacks.append(stack)
    assets: dict[str, str] | None = None
    for logical_id, resource in (stack.template.get("Resources") or {}).items():
        if resource.get("Type") != NESTED_STACK:
            continue
        source = (resource.get("Metadata") or {}).get("aws:asset:path")
        if not isinstance(source, str):
            # Without asset metadata, the template URL ends in the asset's object key.
            properties = resource.get("Properties")
            url = json.dumps(
                properties.get("TemplateURL") if isinstance(properties, dict) else None
            )
            assets = _asset_files(folder) if assets is None else assets
            source = next((path for key, path in assets.items() if key in url), None)
        if source is None:
            continue  # a template outside the assembly (a URL of its own): nothing to read
        name = f"{stack.name}/{logical_id}"
        nested = LoadedStack(
            name,
            _template(folder / source, f"the template of nested stack {name}"),
            {},
            stack.name,
            logical_id,
            _relative(read.path, folder / source),
            environment=stack.environment,
        )
        _add_with_nested(read, folder, nested)


def _asset_files(folder: Path) -> dict[str, str]:
    """Object key -> file in the assembly, from its asset manifests (nested stack templates)."""
    files: dict[str, str] = {}
    for manifest_file in sorted(folder.glob("*.assets.json")):
        manifest = _object(read_json(manifest_file, "an asset manifest"), manifest_file, "it")
        for asset in _object(
            manifest.get("files"), manifest_file, '"files"', optional=True
        ).values():
            if not (
                isinstance(asset, dict)
                and isinstance(asset.get("source") or {}, dict)
                and isinstance(asset.get("destinations") or {}, dict)
            ):
                raise UnreadableAssemblyError(f"{manifest_file}: a file asset is malformed")
            source = (asset.get("source") or {}).get("path")
            for destination in (asset.get("destinations") or {}).values():
                key = destination.get("objectKey") if isinstance(destination, dict) else None
                if isinstance(source, str) and isinstance(key, str):
                    files[key] = source
    return files
