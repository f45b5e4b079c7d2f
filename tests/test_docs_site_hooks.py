"""The documentation site's link rewriting (tools/docs_site_hooks.py): a link that works on
GitHub, relative to where its file lives in the repository, works on the site, where the README
is the home page and docs/ is the root; a link to what the site does not have becomes the
file's path in code, and a link to nothing is left for the strict build to report."""

from __future__ import annotations

import pytest

from tools.docs_site_hooks import for_the_site, rewrite_links, site_target


@pytest.mark.parametrize(
    ("target", "page", "expected"),
    [
        # The README (the home page) links into docs/, which is the site's root.
        ("docs/choosing.md", "index.md", "choosing.md"),
        ("docs/choosing.md#queues", "index.md", "choosing.md#queues"),
        ("docs/patterns/sns_fan_out.md", "index.md", "patterns/sns_fan_out.md"),
        ("CONTRIBUTING.md#layout", "index.md", "contributing.md#layout"),
        ("benchmarks/README.md", "index.md", "benchmarks-method.md"),
        # Pages of docs/ link back to the README, relative to where they are on the site.
        ("../README.md#install", "getting-started.md", "index.md#install"),
        ("../../README.md#install", "patterns/queue_with_dlq.md", "../index.md#install"),
        ("../../CONTRIBUTING.md", "reference/commands.md", "../contributing.md"),
        ("../lifecycle.md#names", "patterns/sns_fan_out.md", "../lifecycle.md#names"),
        # The pages brought in from elsewhere link from where they live in the repository.
        ("../BENCHMARKS.md", "benchmarks-method.md", "benchmarks.md"),
        ("docs/testing.md", "contributing.md", "testing.md"),
        # What needs no rewriting.
        ("#layout", "index.md", "#layout"),
        ("https://docs.aws.amazon.com/sqs/", "index.md", "https://docs.aws.amazon.com/sqs/"),
        ("mailto:someone@example.com", "index.md", "mailto:someone@example.com"),
        ("/absolute/", "index.md", "/absolute/"),
    ],
)
def test_a_link_is_written_for_the_site(target: str, page: str, expected: str) -> None:
    assert site_target(target, page) == expected


@pytest.mark.parametrize(
    ("target", "page"),
    [
        ("patterns/limits.py", "index.md"),  # source code
        ("../patterns/redrive.py#L10", "operating.md"),
        ("patterns/cost/", "index.md"),  # a folder: the site has no listing of it
        ("../../patterns/queue_with_dlq", "patterns/queue_with_dlq.md"),
    ],
)
def test_a_link_to_what_the_site_does_not_have_is_none(target: str, page: str) -> None:
    assert site_target(target, page) is None


@pytest.mark.parametrize(
    ("target", "page"),
    [
        ("docs/no-such-page.md", "index.md"),
        ("../no_such_module.py", "cost.md"),
        ("../../../outside.md", "patterns/amazon_mq.md"),  # above the repository
    ],
)
def test_a_link_to_nothing_is_left_alone(target: str, page: str) -> None:
    """So that the strict build reports it."""
    assert site_target(target, page) == target


def test_a_file_of_docs_kept_off_the_site_is_not_linked() -> None:
    def published(src_uri: str) -> bool:
        return not src_uri.endswith(".py")

    assert site_target("diagrams/generate.py", "choosing.md", published) is None
    assert site_target("diagrams/sns_fan_out.png", "choosing.md", published) == (
        "diagrams/sns_fan_out.png"
    )
    # A file that is neither published nor in the repository is a broken link, left alone.
    assert site_target("diagrams/missing.py", "choosing.md", published) == "diagrams/missing.py"


def test_links_in_the_text_are_rewritten() -> None:
    markdown = (
        'Read [choosing](docs/choosing.md#queues), [the rules](CONTRIBUTING.md "How") and\n'
        "[AWS](https://aws.amazon.com/sqs/).\n"
    )
    assert rewrite_links(markdown, "index.md") == (
        'Read [choosing](choosing.md#queues), [the rules](contributing.md "How") and\n'
        "[AWS](https://aws.amazon.com/sqs/).\n"
    )


def test_images_are_rewritten_like_links() -> None:
    markdown = "![a queue](docs/diagrams/queue_with_dlq.png)\n"
    assert rewrite_links(markdown, "index.md") == "![a queue](diagrams/queue_with_dlq.png)\n"
    nested = "![a queue](../diagrams/queue_with_dlq.png)\n"
    assert rewrite_links(nested, "patterns/queue_with_dlq.md") == nested


def test_a_link_to_a_file_off_the_site_becomes_its_path_in_code() -> None:
    assert rewrite_links("See [the limits](../patterns/limits.py).", "cost.md") == (
        "See the limits (`patterns/limits.py` in the repository)."
    )
    # Named by its own path, it is not said twice.
    assert rewrite_links("By [`patterns/limits.py`](patterns/limits.py).", "index.md") == (
        "By `patterns/limits.py` in the repository."
    )


def test_links_in_fenced_code_are_untouched() -> None:
    markdown = (
        "[choosing](docs/choosing.md)\n"
        "```markdown\n[choosing](docs/choosing.md)\n```\n"
        "~~~\n![x](docs/diagrams/queue_with_dlq.png)\n~~~\n"
        "[testing](docs/testing.md)\n"
    )
    assert rewrite_links(markdown, "index.md") == (
        "[choosing](choosing.md)\n"
        "```markdown\n[choosing](docs/choosing.md)\n```\n"
        "~~~\n![x](docs/diagrams/queue_with_dlq.png)\n~~~\n"
        "[testing](testing.md)\n"
    )


def test_a_pipe_escaped_in_a_table_cell_s_code_is_shown_as_a_pipe() -> None:
    """GitHub needs ``\\|`` in a table's code span, the site's Markdown shows it literally."""
    markdown = (
        "| option | type |\n| --- | --- |\n| `topic` | `sns.ITopic \\| None` |\n"
        "Prose keeps `a \\| b`.\n"
        "```text\n| `x \\| y` |\n```\n"
    )
    assert for_the_site(markdown, "index.md") == (
        "| option | type |\n| --- | --- |\n| `topic` | `sns.ITopic | None` |\n"
        "Prose keeps `a \\| b`.\n"
        "```text\n| `x \\| y` |\n```\n"
    )
