"""``make docs-site`` fails on a broken link, a missing anchor or an unresolved reference: its
command builds a tiny site with the validation settings of the project's mkdocs.yml, once
whole and once with each kind of break, and must fail naming what is broken."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.site.conftest import mkdocs_config

WHOLE = "# Home\n\nSee [the other page](other.md#a-section) and [`Other`][other-page].\n"
BREAKS = {
    "a link to a missing page": ("[gone](missing.md)", "missing.md"),
    "a link to a missing anchor": ("[gone](other.md#no-such-section)", "no-such-section"),
    "an unresolved reference": ("[gone][patterns.NoSuchName]", "patterns.NoSuchName"),
}


@functools.cache
def docs_site_command() -> str:
    """What ``make docs-site`` runs, with this interpreter (its prerequisites left alone)."""
    not_remade = ["-o", ".venv/.stamp-site", "-o", ".venv/.stamp"]
    printed = subprocess.run(
        ["make", "-s", "-n", *not_remade, "docs-site", f"PY={sys.executable}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return printed.stdout.strip()


def build(tmp_path: Path, home: str) -> subprocess.CompletedProcess[str]:
    """Build a two-page site whose home page is ``home`` as make docs-site builds ours."""
    project = mkdocs_config()
    config = {
        "site_name": "tiny",
        "strict": project["strict"],
        "validation": project["validation"],
        "markdown_extensions": ["attr_list", "toc"],
        "plugins": ["autorefs"],
        "nav": ["index.md", "other.md"],
    }
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(home)
    (docs / "other.md").write_text("# Other\n\n[](){#other-page}\n\n## A section\n\nText.\n")
    # YAML reads JSON, and JSON needs no YAML writer.
    (tmp_path / "mkdocs.yml").write_text(json.dumps(config))
    return subprocess.run(
        ["bash", "-eu", "-o", "pipefail", "-c", docs_site_command()],  # as the Makefile's shell
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_whole_site_builds(tmp_path: Path) -> None:
    built = build(tmp_path, WHOLE)
    assert built.returncode == 0, built.stdout
    assert built.stdout == "", "make docs-site prints nothing when all is well"


@pytest.mark.parametrize("kind", BREAKS)
def test_a_break_fails_the_build(tmp_path: Path, kind: str) -> None:
    link, named = BREAKS[kind]
    built = build(tmp_path, f"{WHOLE}\n{link}\n")
    assert built.returncode != 0, f"{kind} did not fail the build"
    assert named in built.stdout, built.stdout
