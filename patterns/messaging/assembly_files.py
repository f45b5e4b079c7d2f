"""The files of a cloud assembly that the commands read, each checked before any rule runs: the
manifests (of nested assemblies too), every stack's template, nested stack templates.

A folder that is missing, a file instead of a folder, a folder without ``manifest.json``, a
file that is not JSON or not shaped like a manifest or template, or a template the manifest
names that is not there: :class:`UnreadableAssemblyError`, whose message is one line for the user
(the commands print it and exit 2). What it returns names each template's file, relative to the
assembly folder, by the stack name :func:`patterns.messaging.assembly.load_stacks` gives it.

Pure Python.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NESTED_STACK = "AWS::CloudFormation::Stack"
SECTIONS = ("Resources", "Parameters", "Outputs", "Conditions", "Mappings")


class UnreadableAssemblyError(Exception):
    """What makes a folder unreadable as a cloud assembly, in one line."""


@dataclass(frozen=True)
class TemplateFile:
    """One template of the assembly: its stack name and its file (relative, "/" separators)."""

    stack: str
    file: str


def template_files(assembly: Path) -> list[TemplateFile]:
    """Every template of the assembly, each read and checked (UnreadableAssemblyError if not)."""
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
    found: list[TemplateFile] = []
    _walk(assembly, assembly, found)
    return found


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


def _walk(root: Path, folder: Path, found: list[TemplateFile]) -> None:
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
                _walk(root, folder / directory, found)
            continue
        template_file = properties.get("templateFile")
        if artifact.get("type") != "aws:cloudformation:stack" or not template_file:
            continue
        name = artifact.get("displayName", artifact_id)
        if not isinstance(template_file, str) or not isinstance(name, str):
            raise UnreadableAssemblyError(f"{manifest_file}: artifact {artifact_id!r} is malformed")
        _metadata(artifact.get("metadata"), manifest_file, artifact_id)
        extra = artifact.get("additionalMetadataFile")
        if isinstance(extra, str) and (folder / extra).exists():
            _metadata(read_json(folder / extra, f"metadata of {name}"), folder / extra, name)
        _template(root, folder, template_file, name, f"the template of stack {name}", found)


def _metadata(metadata: Any, file: Path, name: str) -> None:
    for path, entries in _object(metadata, file, f"the metadata of {name}", optional=True).items():
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise UnreadableAssemblyError(f"{file}: the metadata of {path} is not a list")


def _template(
    root: Path, folder: Path, source: str, name: str, what: str, found: list[TemplateFile]
) -> None:
    file = folder / source
    template = _object(read_json(file, what), file, "the template")
    for section in SECTIONS:
        _object(template.get(section), file, f'"{section}"', optional=True)
    resources = template.get("Resources") or {}
    for logical_id, resource in resources.items():
        _object(resource, file, f"resource {logical_id}")
        _object(resource.get("Metadata"), file, f'"Metadata" of {logical_id}', optional=True)
    found.append(TemplateFile(name, Path(os.path.relpath(file, root)).as_posix()))
    assets: dict[str, str] | None = None
    for logical_id, resource in resources.items():
        if resource.get("Type") != NESTED_STACK:
            continue
        nested = (resource.get("Metadata") or {}).get("aws:asset:path")
        if not isinstance(nested, str):
            # Without asset metadata, the template URL ends in the asset's object key.
            properties = resource.get("Properties")
            url = json.dumps(
                properties.get("TemplateURL") if isinstance(properties, dict) else None
            )
            assets = _asset_files(folder) if assets is None else assets
            nested = next((path for key, path in assets.items() if key in url), None)
        if nested is None:
            continue  # a template outside the assembly (a URL of its own): nothing to read
        nested_name = f"{name}/{logical_id}"
        what = f"the template of nested stack {nested_name}"
        _template(root, folder, nested, nested_name, what, found)


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
