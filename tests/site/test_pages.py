"""Every page of the built site (site/, ``make docs-site``) in headless Chromium: it loads with
no console error, no uncaught exception, no failed request and no image left unloaded; it is
in the search index (and the sitemap, when site_url gives it addresses); nothing is fetched
from another host; the search finds a construct by its name. Screenshots of the home page and
of one construct's reference page are written to build/screenshots/ for people to look at."""

from __future__ import annotations

import argparse
import json
import re
import struct
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.helpers import ROOT
from tests.site.conftest import SITE, VIEWPORT, Browsing, Server, browsing, mkdocs_config
from tools import api_reference

SCREENSHOTS = ROOT / "build" / "screenshots"
PNG = b"\x89PNG\r\n\x1a\n"
SEARCH_INDEX = "search/search_index.json"
CONSTRUCT = "QueueWithDeadLetterQueue"
CONSTRUCT_PAGES = {"reference/queue-with-dead-letter-queue/", "patterns/queue_with_dlq/"}
SETTLE_SECONDS = 10.0

# The images of the page that did not load: every <img>, SVG ones included.
UNLOADED_IMAGES = """
() => Array.from(document.images)
    .filter((image) => !(image.complete && image.naturalWidth > 0))
    .map((image) => image.getAttribute("src"))
"""


# The page's title and its first heading's text (without the permalink sign).
TITLE_AND_HEADING = """
() => {
    const heading = document.querySelector("article h1");
    const text = heading ? heading.cloneNode(true) : null;
    text?.querySelectorAll(".headerlink").forEach((link) => link.remove());
    return [document.title, text ? text.textContent.trim() : null];
}
"""


# The page's text as the reader sees it, code blocks left out (inline code kept): where markup
# that should have been rendered shows literally.
PROSE = """
() => {
    const article = document.querySelector("article");
    if (!article) return "";
    const text = article.cloneNode(true);
    text.querySelectorAll("pre").forEach((block) => block.remove());
    return text.textContent;
}
"""

# Markup a reader should never see: a table's escaped pipe that the site's Markdown leaves in
# code (GitHub's needs it), a Sphinx role the docstring parser did not turn into a link.
UNRENDERED = re.compile(r"\\\||:(?:class|meth|func|attr|param|data|mod|obj|exc|rtype|return):")


# Where the page's links lead (resolved) and the IDs its anchors can name.
LINKS_AND_IDS = """
() => [
    Array.from(document.querySelectorAll("a[href]"), (link) => link.href),
    Array.from(document.querySelectorAll("[id]"), (element) => element.id),
]
"""


@dataclass
class Findings:
    """What went wrong on one page."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    unloaded_images: list[str] = field(default_factory=list)
    still_loading: list[str] = field(default_factory=list)
    mistitled: list[str] = field(default_factory=list)
    unrendered: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def lines(self) -> Iterator[str]:
        for kind, found in vars(self).items():
            for finding in found:
                yield f"{kind.replace('_', ' ')}: {finding}"


@dataclass
class Visit:
    """One page as the browser showed it: what went wrong, where its links lead, its IDs."""

    findings: Findings
    links: list[str]
    ids: set[str]


def page_paths(site: Path) -> set[str]:
    """The site's pages as URL paths relative to its root ("" for the home page)."""
    return {
        "" if index.parent == site else f"{index.parent.relative_to(site).as_posix()}/"
        for index in site.rglob("index.html")
    }


def site_path(src_uri: str) -> str:
    """Where a page of docs/ is on the site: ``reference/index.md`` -> ``reference/``."""
    stem = src_uri.removesuffix(".md").removesuffix("index")
    return stem if stem.endswith("/") or not stem else f"{stem}/"


def titled_by_navigation(nav: list[Any]) -> set[str]:
    """The pages the navigation gives a title (``- Title: page.md``), as site paths."""
    titled: set[str] = set()
    for entry in nav:
        if isinstance(entry, dict):
            for value in entry.values():
                if isinstance(value, str):
                    titled.add(site_path(value))
                else:
                    titled |= titled_by_navigation(value)
    return titled


def visit(opened: Browsing, page: Any, url: str, *, titled: bool = False) -> Visit:
    """Open ``url`` in ``page`` and record what goes wrong until it has loaded, the search
    index included, and has no request left in flight (so that leaving it aborts nothing).
    A page the navigation does not give a title (``titled``) must be titled by its heading."""
    findings = Findings()
    started_here: set[Any] = set()
    in_flight: set[Any] = set()
    searchable: list[bool] = []
    external = len(opened.external)
    origin = urlsplit(url).netloc

    def console(message: Any) -> None:
        if message.type == "error":
            findings.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def started(request: Any) -> None:
        started_here.add(request)
        in_flight.add(request)

    def finished(request: Any) -> None:
        in_flight.discard(request)
        if request.url.endswith(SEARCH_INDEX):
            searchable.append(True)

    def failed(request: Any) -> None:
        in_flight.discard(request)
        if request not in started_here and request.failure == "net::ERR_ABORTED":
            return  # the previous page's, cancelled as the browser left it (a late favicon)
        findings.failed_requests.append(f"{request.failure}: {request.url}")

    def response(answer: Any) -> None:
        if answer.status >= 400 and urlsplit(answer.url).netloc == origin:
            findings.failed_requests.append(f"HTTP {answer.status}: {answer.url}")

    listeners = {
        "console": console,
        "pageerror": lambda error: findings.page_errors.append(str(error)),
        "request": started,
        "requestfinished": finished,
        "requestfailed": failed,
        "response": response,
    }
    for event, listener in listeners.items():
        page.on(event, listener)
    try:
        page.goto(url, wait_until="load")
        deadline = time.monotonic() + SETTLE_SECONDS
        while (in_flight or not searchable) and time.monotonic() < deadline:
            page.wait_for_timeout(20)
        findings.still_loading.extend(request.url for request in in_flight)
        if not searchable:
            findings.still_loading.append(f"the search index ({SEARCH_INDEX})")
        links, ids = read_loaded(page, findings, titled=titled)
    finally:
        for event, listener in listeners.items():
            page.remove_listener(event, listener)
    findings.external_requests.extend(opened.external[external:])
    return Visit(findings, links, set(ids))


def read_loaded(page: Any, findings: Findings, *, titled: bool) -> tuple[list[str], list[str]]:
    """Record what is wrong with the loaded ``page`` itself (its images, title and text), and
    return where its links lead and the IDs its anchors can name."""
    findings.unloaded_images.extend(page.evaluate(UNLOADED_IMAGES))
    title, heading = page.evaluate(TITLE_AND_HEADING)
    if not titled and not (title == heading or title.startswith(f"{heading} - ")):
        # MkDocs titles a page (in its <title> and in the navigation) by its first
        # element when that is a heading, else by its file name.
        findings.mistitled.append(f"titled {title!r}, its heading is {heading!r}")
    prose = page.evaluate(PROSE)
    findings.unrendered.extend(
        repr(prose[max(0, found.start() - 30) : found.end() + 30])
        for found in UNRENDERED.finditer(prose)
    )
    links, ids = page.evaluate(LINKS_AND_IDS)
    return links, ids


@pytest.fixture(scope="module")
def visited(site: str, site_browsing: Browsing) -> dict[str, Visit]:
    """Every page of site/ and its 404 page (titled by the theme), each visited once in one
    tab."""
    titled = titled_by_navigation(mkdocs_config()["nav"]) | {"404.html"}
    page = site_browsing.context.new_page()
    try:
        return {
            path: visit(site_browsing, page, urljoin(site, path), titled=path in titled)
            for path in [*sorted(page_paths(SITE)), "404.html"]
        }
    finally:
        page.close()


@pytest.fixture
def tab(site_browsing: Browsing) -> Iterator[Any]:
    page = site_browsing.context.new_page()
    yield page
    page.close()


def test_every_page_loads_cleanly(visited: dict[str, Visit]) -> None:
    found = [f"/{path}: {line}" for path, seen in visited.items() for line in seen.findings.lines()]
    assert not found, f"{len(found)} problems on the site's pages:\n" + "\n".join(found)


def broken_links(visited: dict[str, Visit], site: str, built: Path) -> list[str]:
    """The links of the visited pages to a file of the site that is not in ``built``, or to an
    anchor that is not on the page it names (links to other hosts are not followed)."""
    broken = []
    for path, seen in visited.items():
        for link in sorted(set(seen.links)):
            if not link.startswith(site):
                continue
            target, _, anchor = link.removeprefix(site).partition("#")
            target = target.partition("?")[0]
            exists = (
                built / target / "index.html"
                if target.endswith("/") or not target
                else built / target
            ).is_file()
            if not exists:
                broken.append(f"/{path}: {link} leads nowhere")
            elif anchor and target in visited and anchor not in visited[target].ids:
                broken.append(f"/{path}: {link} names no anchor of /{target}")
    return broken


def test_every_link_leads_to_a_page_and_anchor(visited: dict[str, Visit], site: str) -> None:
    found = broken_links(visited, site, SITE)
    assert not found, f"{len(found)} broken links:\n" + "\n".join(found)


def differ(built: set[str], listed: set[str], where: str) -> str:
    return (
        f"pages not in {where}: {sorted(built - listed)}; "
        f"in {where} but not built: {sorted(listed - built)}"
    )


def test_every_page_is_in_the_search_index_and_the_sitemap() -> None:
    pages = page_paths(SITE)
    index = json.loads((SITE / SEARCH_INDEX).read_text())
    searched = {document["location"].partition("#")[0] for document in index["docs"]}
    assert pages == searched, differ(pages, searched, "the search index")
    # Addresses in the sitemap only with site_url set (mkdocs.yml): the home page's is the
    # shortest, and every other page's is relative to it.
    namespace = {"map": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ET.parse(SITE / "sitemap.xml")
    located = [loc.text or "" for loc in tree.iterfind("map:url/map:loc", namespace)]
    if located:
        home = min(located, key=len)
        mapped = {loc.removeprefix(home) for loc in located}
        assert pages == mapped, differ(pages, mapped, "sitemap.xml")


def test_search_finds_a_construct_by_name(site: str, tab: Any) -> None:
    tab.goto(site)
    tab.locator("input.md-search__input").click()
    tab.keyboard.type(CONSTRUCT)
    results = tab.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    found = {
        urlsplit(urljoin(tab.url, href)).path.removeprefix("/")
        for href in results.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    }
    assert found & CONSTRUCT_PAGES, f"searching {CONSTRUCT} found only {sorted(found)}"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file, read from its header; fails on anything else."""
    data = path.read_bytes()
    assert data.startswith(PNG), f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("home", ""),
        ("reference-queue-with-dead-letter-queue", "reference/queue-with-dead-letter-queue/"),
    ],
)
def test_screenshot(site: str, tab: Any, name: str, path: str) -> None:
    """Written for people to look at; the test checks they are whole PNGs of the viewport."""
    screenshot = SCREENSHOTS / f"{name}.png"
    screenshot.unlink(missing_ok=True)
    tab.goto(urljoin(site, path), wait_until="load")
    tab.screenshot(path=screenshot)
    assert png_size(screenshot) == (VIEWPORT["width"], VIEWPORT["height"])
    assert screenshot.stat().st_size > 10_000


def test_nothing_is_fetched_from_another_host(
    visited: dict[str, Visit], site_browsing: Browsing
) -> None:
    """After the search and the screenshots in this module, so it covers them too."""
    assert site_browsing.external == [], "requests to other hosts were blocked"


def test_the_checks_find_a_broken_page(browser: Any, tmp_path: Path) -> None:
    """Each kind of problem the page check looks for, on one page made to have them all (the
    other host is localhost: blocked all the same, and harmless were it not)."""
    (tmp_path / "search").mkdir()
    (tmp_path / SEARCH_INDEX).write_text("{}")
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>broken</title>"
        "<article><code>str \\| None</code>, see :class:`Queue`<pre>| a \\| b |</pre></article>"
        '<a href="gone/">a page not built</a><a href="#nowhere">an anchor not on it</a>'
        '<img src="missing.png"><img src="http://localhost:1/elsewhere.png">'
        '<link rel="stylesheet" href="missing.css">'
        "<script>fetch('search/search_index.json'); console.error('shown');"
        "throw new Error('uncaught');</script>"
    )
    opened = browsing(browser)
    try:
        with Server(tmp_path) as server:
            page = opened.context.new_page()
            seen = visit(opened, page, server.url)
            links = broken_links({"": seen}, server.url, tmp_path)
    finally:
        opened.context.close()
    findings = seen.findings
    assert findings.console_errors, findings
    assert any("uncaught" in error for error in findings.page_errors), findings
    assert any("missing.css" in failed for failed in findings.failed_requests), findings
    assert sorted(findings.unloaded_images) == ["http://localhost:1/elsewhere.png", "missing.png"]
    assert findings.external_requests == ["http://localhost:1/elsewhere.png"]
    assert findings.mistitled == ["titled 'broken', its heading is None"]
    assert [found.strip("'") for found in findings.unrendered] == [
        "str \\\\| None, see :class:`Queue`",
        "str \\\\| None, see :class:`Queue`",
    ]
    assert [link.split(": ", 1)[1] for link in links] == [
        f"{server.url}#nowhere names no anchor of /",
        f"{server.url}gone/ leads nowhere",
    ]


def test_the_commands_page_shows_every_help_text_as_the_command_prints_it() -> None:
    """An option's help is plain text: the page shows all of it, ``<service>`` and ``*.json``
    included, which Markdown would otherwise take for an HTML tag or emphasis."""
    text = HtmlText()
    text.feed((SITE / "reference" / "commands" / "index.html").read_text())
    shown = " ".join(" ".join(text.parts).split())
    missing = [
        f"{parser.prog} {', '.join(action.option_strings) or action.dest}: {action.help}"
        for parser in api_reference.command_parsers()
        for action in parser._actions
        if action.help
        and not isinstance(action, argparse._HelpAction | argparse._SubParsersAction)
        and " ".join(action.help.split()) not in shown
    ]
    assert not missing, "help texts the commands page does not show as written:\n" + "\n".join(
        missing
    )


class HtmlText(HTMLParser):
    """The text of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
