"""The documentation site as a reader sees it: site/ (``make docs-site``) served over HTTP on
127.0.0.1 (Material's search runs in a web worker, which a file:// page cannot start) and
opened in Debian's Chromium (``make chromium``), driven by Playwright.

One browser serves the session. Every browser context made here lets a request through only to
127.0.0.1: a request to any other host is aborted and recorded, so a page that reaches for the
internet (web fonts, a script from a CDN) fails a test instead of loading it. Playwright never
downloads a browser here: it starts /usr/bin/chromium with a fresh profile.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT

SITE = ROOT / "site"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = "127.0.0.1"
# Every URL but those of a server on 127.0.0.1. Matched by Playwright's driver, so the
# requests the site makes to its own server do not each wait on Python.
NOT_LOOPBACK = re.compile(rf"^(?!https?://{re.escape(LOOPBACK)}(?::\d+)?/)")
VIEWPORT = {"width": 1280, "height": 2000}


def mkdocs_config(path: Path = ROOT / "mkdocs.yml") -> dict[str, Any]:
    """The site's configuration as MkDocs reads it (its YAML tags resolved), not validated."""
    from mkdocs.utils.yaml import yaml_load

    config: dict[str, Any] = yaml_load(path.read_text())
    return config


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this folder is a site test (``-m site``), kept out of the unit suite; the
    hook runs first, so that ``-m`` selects on the mark."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.site)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No line per request on the terminal."""


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that drops a connection (a page left while it loads) is no error."""


class Server:
    """A static HTTP server of one folder on 127.0.0.1 (an ephemeral port), in a thread."""

    def __init__(self, directory: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self._httpd = _QuietServer((LOOPBACK, 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self.url = f"http://{LOOPBACK}:{self._httpd.server_address[1]}/"

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@dataclass
class Browsing:
    """A browser context and the requests it kept from leaving the machine."""

    context: Any
    external: list[str] = field(default_factory=list)


def browsing(browser: Any) -> Browsing:
    """A new context of ``browser`` in which a request to any host but 127.0.0.1 is aborted
    and recorded."""
    opened = Browsing(browser.new_context(viewport=VIEWPORT))

    def block(route: Any) -> None:
        opened.external.append(route.request.url)
        route.abort("blockedbyclient")

    opened.context.route(NOT_LOOPBACK, block)
    return opened


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, started once."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is not installed: make chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        started = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield started
        finally:
            started.close()


@pytest.fixture(scope="session")
def site() -> Iterator[str]:
    """The URL of site/ served on 127.0.0.1."""
    assert (SITE / "index.html").is_file(), "site/ is not built: make docs-site"
    with Server(SITE) as server:
        yield server.url


@pytest.fixture(scope="session")
def site_browsing(browser: Any) -> Iterator[Browsing]:
    """The one context in which the site's pages are opened."""
    opened = browsing(browser)
    try:
        yield opened
    finally:
        opened.context.close()
