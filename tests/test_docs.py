"""The docs cannot drift: options tables match the constructors, code blocks synthesize."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from constructs import Construct

import patterns
from tests.doc_blocks import run_block
from tests.helpers import ROOT

DOC_DIR = ROOT / "docs" / "patterns"
README = ROOT / "README.md"
GETTING_STARTED = ROOT / "docs" / "getting-started.md"
# A block of the getting-started page that is a file of the app it builds (its first line
# names the file: ``# app.py``) runs with the others as that app in
# tests/test_start_your_own_app.py; the page's other blocks run alone, here.
APP_FILE = re.compile(r"# [\w/]+\.py\n")


def _pattern_pages() -> dict[type, Path]:
    """Each page's title names its pattern class: ``# Title (`patterns.ClassName`)``."""
    pages: dict[type, Path] = {}
    for path in sorted(DOC_DIR.glob("*.md")):
        title = path.read_text().splitlines()[0]
        match = re.search(r"`patterns\.(\w+)`", title)
        assert match, f"{path.name}: the title must name its class as `patterns.ClassName`"
        pages[getattr(patterns, match.group(1))] = path
    return pages


PAGES = _pattern_pages()


def _constructs() -> list[type[Construct]]:
    return list(PAGES)


def _doc_for(cls: type) -> Path:
    return PAGES[cls]


def test_every_public_construct_is_documented() -> None:
    # The pattern pages, and the building blocks' page (tests/test_building_blocks.py).
    pages = [*DOC_DIR.glob("*.md"), ROOT / "docs" / "building-blocks.md"]
    text = "\n".join(path.read_text() for path in pages)
    for name in patterns.__all__:
        value = getattr(patterns, name)
        if inspect.isclass(value) and issubclass(value, Construct):
            assert f"`{name}`" in text or value in PAGES, f"{name} appears in no pattern page"


def _table_names(markdown: str, heading: str) -> list[str]:
    section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_0-9]+)` \|", section, flags=re.MULTILINE)


def _code_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.DOTALL)


@pytest.mark.parametrize("cls", _constructs(), ids=lambda c: c.__name__)
def test_options_table_lists_every_keyword_argument(cls: type) -> None:
    expected = [
        name
        for name, parameter in inspect.signature(cls.__init__).parameters.items()  # type: ignore[misc]
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    assert _table_names(_doc_for(cls).read_text(), "Options") == expected


@pytest.mark.parametrize("cls", _constructs(), ids=lambda c: c.__name__)
def test_attributes_table_lists_every_public_property(cls: type) -> None:
    properties = sorted(
        name
        for name, member in inspect.getmembers(cls)
        if isinstance(member, property) and not name.startswith("_") and name != "node"
    )
    assert sorted(_table_names(_doc_for(cls).read_text(), "Attributes")) == properties


@pytest.mark.parametrize("cls", _constructs(), ids=lambda c: c.__name__)
def test_readme_links_the_pattern_page(cls: type) -> None:
    assert f"docs/patterns/{_doc_for(cls).name}" in README.read_text()


MESSAGING_CHECKS = ROOT / "docs" / "messaging-checks.md"
RUN_HERE = [README, GETTING_STARTED, MESSAGING_CHECKS, *sorted(DOC_DIR.glob("*.md"))]
# Pages whose blocks another test runs, with what they need around them.
RUN_ELSEWHERE = {
    ROOT / "docs" / "building-blocks.md": "tests/test_building_blocks.py",
    ROOT / "docs" / "operating.md": "tests/test_operating.py",
}

CODE_BLOCKS = [
    pytest.param(code, id=f"{path.name}-{index}")
    for path in RUN_HERE
    for index, code in enumerate(_code_blocks(path))
    if not (path == GETTING_STARTED and APP_FILE.match(code))
]


def test_every_page_with_python_blocks_has_them_run() -> None:
    pages = [
        README,
        ROOT / "CONTRIBUTING.md",
        ROOT / "BENCHMARKS.md",
        *(ROOT / "benchmarks").glob("*.md"),
        *(ROOT / "docs").rglob("*.md"),
    ]
    with_blocks = {path for path in pages if _code_blocks(path)}
    unrun = with_blocks - set(RUN_HERE) - set(RUN_ELSEWHERE)
    assert not unrun, f"python blocks no test runs: {sorted(map(str, unrun))}"
    for path, test in RUN_ELSEWHERE.items():
        assert path.name in (ROOT / test).read_text(), f"{test} no longer reads {path.name}"


@pytest.mark.parametrize("code", CODE_BLOCKS)
def test_code_block_synthesizes(code: str) -> None:
    run_block(code)


@pytest.mark.parametrize("cls", _constructs(), ids=lambda c: c.__name__)
def test_pattern_page_shows_its_generated_diagram(cls: type) -> None:
    name = _doc_for(cls).stem
    assert f"![architecture](../diagrams/{name}.png)" in _doc_for(cls).read_text()
    assert (ROOT / "docs" / "diagrams" / f"{name}.png").stat().st_size > 10_000
    assert f'"{name}"' in (ROOT / "docs" / "diagrams" / "generate.py").read_text()


def test_contributing_points_only_inside_the_repository() -> None:
    """The conventions live in the repository (docs/conventions.md), not beside it."""
    text = (ROOT / "CONTRIBUTING.md").read_text()
    assert "docs/conventions.md" in text
    for reference in re.findall(r"(?:\.\./)+[\w./-]+", text):
        target = (ROOT / reference).resolve()
        assert target.is_relative_to(ROOT.resolve()), reference


@pytest.mark.parametrize("page", ["conventions.md", "testing.md"])
def test_the_repository_pages_link_only_to_what_exists(page: str) -> None:
    text = (ROOT / "docs" / page).read_text()
    for link in re.findall(r"\]\(([^)#]+)\)", text):
        assert (ROOT / "docs" / link).resolve().exists(), f"{page}: {link}"
