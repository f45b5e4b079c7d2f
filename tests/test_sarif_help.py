"""The help of each rule in the SARIF log, as code scanning shows it: markdown whose AWS sources
are links and whose prose renders as written (``kms:GenerateDataKey*``, ``dead_letter_queue=``
and ``[ReportBatchItemFailures]`` are not markdown syntax there)."""

from __future__ import annotations

import re

import pytest

from patterns.messaging.rules import RULES, Rule
from patterns.messaging.sarif import rule_entry

# A CommonMark autolink: <scheme:...> without spaces, < or >.
AUTOLINK = re.compile(r"<(https://[^\s<>]+)>")
SPECIAL = "\\`*_[]<>|"


def _unescaped(markdown: str) -> str:
    return re.sub(r"\\([\\`*_\[\]<>|])", r"\1", markdown)


@pytest.mark.parametrize("current", RULES, ids=lambda r: r.rule_id)
def test_the_sources_are_links(current: Rule) -> None:
    markdown = rule_entry(current, None)["help"]["markdown"]
    _, _, sources = markdown.partition("**Sources:**\n\n")
    assert sources.splitlines() == [f"- <{url}>" for url in current.sources]
    assert AUTOLINK.findall(sources) == list(current.sources)


@pytest.mark.parametrize("current", RULES, ids=lambda r: r.rule_id)
def test_the_prose_is_escaped_and_reads_as_written(current: Rule) -> None:
    markdown = rule_entry(current, None)["help"]["markdown"]
    why, fix = markdown.split("\n\n")[:2]
    for paragraph, text, label in ((why, current.why, "Why"), (fix, current.fix, "Fix")):
        prose = paragraph.removeprefix(f"**{label}:** ")
        assert _unescaped(prose) == text
        assert not re.search(r"(?<!\\)[`*_\[\]<>|]", re.sub(r"\\.", "", prose))


def test_the_help_url_is_set_only_with_a_docs_url() -> None:
    current = RULES[0]
    assert "helpUri" not in rule_entry(current, None)
    assert rule_entry(current, "https://example.org/checks.md")["helpUri"].startswith(
        "https://example.org/checks.md#"
    )
