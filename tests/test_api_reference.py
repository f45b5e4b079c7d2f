"""The API reference (docs/reference/, tools/api_reference.py) covers every public name, and
nothing it shows is undocumented: a public name, method, property, option, field or command
argument without its documentation fails here, before the site is built."""

from __future__ import annotations

import griffe
import pytest

import patterns
from tools import api_reference
from tools.api_reference import PAGES, gaps, load, rendered


@pytest.fixture(scope="module")
def package() -> griffe.Object:
    return load()


def test_the_reference_pages_are_current() -> None:
    for path, text in rendered().items():
        assert path.exists(), f"{path.name} is missing: python -m tools.api_reference"
        assert path.read_text() == text, f"{path.name} is stale: python -m tools.api_reference"
    nav = api_reference.MKDOCS_YML.read_text()
    assert api_reference.render_nav(nav) == nav, "mkdocs.yml's nav: python -m tools.api_reference"
    written = set(api_reference.REFERENCE.glob("*.md"))
    assert written == set(rendered()), "docs/reference/ has a page no one generates"


def test_every_public_name_is_on_exactly_one_page() -> None:
    shown = [name for page in PAGES for name in page.names]
    assert len(shown) == len(set(shown))
    missing = {f"patterns.{name}" for name in patterns.__all__} - set(shown)
    assert not missing, f"public names on no reference page: {sorted(missing)}"


def test_nothing_public_is_undocumented(package: griffe.Object) -> None:
    found = gaps(package)
    assert not found, "undocumented (python -m tools.api_reference --gaps):\n" + "\n".join(found)


def test_a_gap_is_found(tmp_path) -> None:
    source = tmp_path / "widgets"
    source.mkdir()
    (source / "__init__.py").write_text(
        '"""A package."""\n\n'
        "class Base:\n"
        '    """A base of the package."""\n\n'
        "    def shared(self) -> None:\n"
        "        pass\n\n"
        "class Widget(Base):\n"
        '    """A widget."""\n\n'
        "    def __init__(self, scope, construct_id, *, size: int = 1, color: str) -> None:\n"
        '        """Make it.\n\n        :param size: How big.\n        """\n\n'
        "    def grow(self, by: int) -> None:\n"
        '        """Grow it."""\n\n'
        "    @property\n"
        "    def area(self) -> int:\n"
        "        return 1\n"
    )
    loaded = griffe.load("widgets", search_paths=[str(tmp_path)], docstring_parser="sphinx")
    found = list(api_reference._gaps_of(loaded["Widget"]))
    assert found == [
        "widgets.Widget.__init__: parameter 'color' is not in the docstring (:param:)",
        "widgets.Widget.grow: parameter 'by' is not in the docstring (:param:)",
        "widgets.Widget.area: no docstring",
        "widgets.Base.shared: no docstring",
    ]
