"""MkDocs hooks of the documentation site (mkdocs.yml): the pages that live outside docs/ and
the links between them.

The repository's pages link to each other as GitHub shows them, relative to where each file
lives (``docs/choosing.md`` from the README, ``../README.md`` from a page of docs/). On the site
the README is the home page and docs/ is the root, so every relative link is resolved against
the file's place in the repository and written again relative to the page's place on the site.
A link to a file or folder of the repository that is not on the site (source code, a script, a
file of docs/ that mkdocs.yml's ``exclude_docs`` keeps off it) becomes its path in code, as the
text a reader can find in a clone; a link to a file that does not exist is left alone, so the
strict build fails on it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# The site's pages that live outside docs/: repository path -> path on the site.
OUTSIDE: dict[str, str] = {
    "README.md": "index.md",
    "CONTRIBUTING.md": "contributing.md",
    "BENCHMARKS.md": "benchmarks.md",
    "benchmarks/README.md": "benchmarks-method.md",
}
ON_SITE = {site: repository for repository, site in OUTSIDE.items()}

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
# An inline link or image: [text](target) or [text](target "title").
LINK = re.compile(r"(!?\[(?:[^\[\]]|\[[^\]]*\])*\]\()([^)\s]+)((?:\s+\"[^\"]*\")?\))")
TABLE_ROW = re.compile(r"^[ \t]*\|.*$", re.MULTILINE)
CODE_SPAN = re.compile(r"`[^`\n]+`")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def repository_path(src_uri: str) -> str:
    """Where the page with this site path lives in the repository."""
    return ON_SITE.get(src_uri, f"docs/{src_uri}")


def repository_target(target: str, page_src_uri: str) -> str:
    """The file of the repository that ``target``, a relative link on the page
    ``page_src_uri``, names (without its anchor)."""
    here = posixpath.dirname(repository_path(page_src_uri))
    return posixpath.normpath(posixpath.join(here, target.partition("#")[0]))


def in_docs(src_uri: str) -> bool:
    """Whether docs/ has this file (the site publishes all of docs/ but ``exclude_docs``)."""
    return (ROOT / "docs" / src_uri).is_file()


def site_target(
    target: str, page_src_uri: str, published: Callable[[str], bool] = in_docs
) -> str | None:
    """``target``, a link on the page ``page_src_uri``, as the site must write it; ``None``
    for a link to a file of the repository that is not on the site. ``published`` says
    whether a file of docs/ (by its path there) is on the site: not one of ``exclude_docs``."""
    if SCHEME.match(target) or target.startswith(("#", "/")):
        return target
    _, hash_, anchor = target.partition("#")
    linked = repository_target(target, page_src_uri)
    if (ROOT / linked).is_dir():
        return None  # a folder: the site has no listing of it
    if linked.startswith("docs/") and published(linked.removeprefix("docs/")):
        on_site = linked.removeprefix("docs/")
    elif linked in OUTSIDE:
        on_site = OUTSIDE[linked]
    elif (ROOT / linked).exists() and not linked.startswith(".."):
        return None
    else:
        return target  # not found: the strict build reports it
    relative = posixpath.relpath(on_site, posixpath.dirname(page_src_uri) or ".")
    return relative + hash_ + anchor


def rewrite_links(
    markdown: str, page_src_uri: str, published: Callable[[str], bool] = in_docs
) -> str:
    """The page's markdown with each relative link written for the site (code left alone); a
    link to a file that is not on the site becomes the file's path in code."""

    def link(match: re.Match[str]) -> str:
        opening, target, closing = match.groups()
        rewritten = site_target(target, page_src_uri, published)
        if rewritten is not None:
            return opening + rewritten + closing
        text = opening[opening.index("[") + 1 : -2]
        path = repository_target(target, page_src_uri)
        if text.strip("`") == path:
            return f"`{path}` in the repository"
        return f"{text} (`{path}` in the repository)"

    return outside_fences(markdown, lambda text: LINK.sub(link, text))


def unescape_table_code(markdown: str) -> str:
    """The page's markdown with ``\\|`` in the code spans of its table rows written ``|``:
    GitHub splits a row on a pipe even in code, so the repository's pages escape it; the site's
    Markdown does not, and would show the backslash."""

    def row(match: re.Match[str]) -> str:
        return CODE_SPAN.sub(lambda code: code.group(0).replace("\\|", "|"), match.group(0))

    return outside_fences(markdown, lambda text: TABLE_ROW.sub(row, text))


def outside_fences(markdown: str, rewrite: Callable[[str], str]) -> str:
    """``markdown`` with ``rewrite`` applied to all but its fenced code blocks."""
    parts: list[str] = []
    last = 0
    for fence in FENCE.finditer(markdown):
        parts.append(rewrite(markdown[last : fence.start()]))
        parts.append(fence.group(0))
        last = fence.end()
    parts.append(rewrite(markdown[last:]))
    return "".join(parts)


def for_the_site(
    markdown: str, page_src_uri: str, published: Callable[[str], bool] = in_docs
) -> str:
    """The page's markdown as the site renders it: links rewritten, table code unescaped."""
    return unescape_table_code(rewrite_links(markdown, page_src_uri, published))


def on_files(files: Any, config: Any) -> Any:
    """Add the pages that live outside docs/ (README.md is the home page)."""
    from mkdocs.structure.files import File

    for repository, site in OUTSIDE.items():
        files.append(File.generated(config, site, abs_src_path=str(ROOT / repository)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Write the page's repository-relative links, and its tables' code, for the site."""

    def published(src_uri: str) -> bool:
        file = files.get_file_from_path(src_uri)
        return file is not None and not file.inclusion.is_excluded()

    return for_the_site(markdown, page.file.src_uri, published)
