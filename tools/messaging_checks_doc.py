"""``python -m tools.messaging_checks_doc > docs/messaging-checks.md``: every rule of
``MessagingChecks``, rendered from its definition (``make docs``; a test fails when stale).
"""

from __future__ import annotations

from pathlib import Path

from patterns.messaging.rules import ERROR, RULES, WARNING
from patterns.messaging.rules.base import Rule
from patterns.messaging.rules.coverage import COVERAGE

LEVEL_TITLES = {ERROR: "error", WARNING: "warning"}

# The hand-written part on the command in CI: options, exit codes, baselines, a CI job.
COMMAND_SECTION = Path(__file__).with_name("messaging_checks_command.md")


def _overlaps(rule_ids: tuple[str, ...]) -> str:
    return ", ".join(f"`{rule_id}`" for rule_id in rule_ids) or "none"


def in_reading_order() -> list[Rule]:
    """The rules as a reader looks them up: each family (SNS, SQS, LAMBDA, ...) in the order
    the pack first runs one of it, and by number within it (the pack runs them in another
    order: Messaging-SNS13 after the Lambda rules it builds on)."""
    families: dict[str, int] = {}
    for current in RULES:
        families.setdefault(_family(current.rule_id), len(families))

    def key(current: Rule) -> tuple[int, int]:
        family = _family(current.rule_id)
        return families[family], int(current.rule_id.removeprefix(family))

    return sorted(RULES, key=key)


def _family(rule_id: str) -> str:
    """``Messaging-SNS`` of ``Messaging-SNS13``."""
    return rule_id.rstrip("0123456789")


def render_markdown() -> str:
    """docs/messaging-checks.md: every rule of the pack, from its definition."""
    lines = [
        "# Messaging checks",
        "",
        "<!-- generated from patterns/messaging/rules/ by python -m tools.messaging_checks_doc;",
        "a test fails when it is stale -->",
        "",
        "`MessagingChecks` is a cdk-nag pack of rules that look across resources: a",
        "subscription and its topic and queue, a queue and its key and policy, an event source",
        "mapping and its function and queue. The rules read the whole app as one model: every",
        "stack, nested stack and stage, with a nested stack's parameters and outputs, exports",
        "and `Fn::ImportValue`, and `Fn::GetStackOutput` followed into the template they name,",
        "so a hop between stacks is checked like a hop inside one. Within a template a rule",
        "follows `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` and literal ARNs, URLs and names.",
        "What leaves the app (a resource of another account, a parameter given at deploy, a",
        "value read from SSM, an import no stack of the app exports) is only an informational",
        "note that says what could not be followed, printed by the command and never an error.",
        "",
        "```python",
        "from aws_cdk import App, Stack, Validations",
        "",
        "from patterns import MessagingChecks, QueueWithDeadLetterQueue",
        "",
        "app = App()",
        'QueueWithDeadLetterQueue(Stack(app, "Jobs"), "Jobs")',
        "Validations.of(app).add_plugins(MessagingChecks(app))  # the one line, in any app",
        "app.synth()  # reports each trap on the construct that carries it",
        "```",
        "",
        "```",
        "python -m patterns.checks cdk.out            # any CDK language; --quiet hides the notes",
        "```",
        "",
        "Formats for CI (JSON, SARIF), `--fail-on`, baselines and a GitHub Actions job:",
        "[Running the checks in CI](#running-the-checks-in-ci).",
        "",
        "The pack reports errors and warnings to cdk-nag on the construct of the resource that",
        "carries the trap (the subscription, the bucket, the queue, the event source mapping,",
        "the alarm, the rule, the stream, the delivery stream, the broker, the pipe, the",
        "function). The command prints",
        "them with the fix, honours acknowledgements recorded in the assembly, and exits 1 when",
        "an error is left.",
        "",
        "A rule that overlaps a rule of cdk-nag's packs (AwsSolutions, HIPAA.Security,",
        "NIST.800.53.R4 and R5, PCI.DSS.321, Serverless; `apply_compliance_checks` runs all but",
        "R4) names it under **Overlaps**: that rule flags the same resource for a narrower or",
        "broader reason (a queue without a redrive policy, whether or not anything consumes it).",
        "The Messaging rule stays because `python -m patterns.checks` is often run without those",
        "packs, and because it finds the loss between resources that a one-resource rule cannot",
        "see.",
        "",
        "In plugin mode, errors fail synth; warnings are shown in CDK's validation report and",
        "do not fail it, unless you ask: `MessagingChecks(app, fail_on_warnings=True)`. (A",
        "cdk-nag 3 pack's report succeeds only with no violation at all, so its own packs fail",
        "synth on warnings; this pack decides its report's success by level.) The pack reads",
        "the whole cloud assembly once per synth and writes one line to standard error, e.g.",
        f"`Messaging: {len(RULES)} rules over 3 template(s): 0 error(s), 1 warning(s)`.",
        "",
        "Acknowledge a finding with a reason, as for any pack (`Acknowledgment` and `Validations`",
        "come from `aws_cdk`; [`patterns.compliance.acknowledge`](reference/compliance.md) is",
        "the short form):",
        '`Validations.of(construct).acknowledge(Acknowledgment(id="Messaging::Messaging-SNS6", '
        'reason="..."))`. Errors are traps that fail the deploy or lose messages; warnings are '
        "risks.",
        "",
        "| rule | level | finds | overlaps |",
        "| --- | --- | --- | --- |",
    ]
    ordered = in_reading_order()
    for current in ordered:
        anchor = current.rule_id.lower()
        lines.append(
            f"| [`{current.rule_id}`](#{anchor}) | {current.level} | {current.title} | "
            f"{_overlaps(current.overlaps)} |"
        )
    lines += _coverage()
    for current in ordered:
        lines += [
            "",
            f"## {current.rule_id}",
            "",
            f"- **Level:** {LEVEL_TITLES[current.level]}",
            f"- **Finds:** {current.title}",
            f"- **Why:** {current.why}",
            f"- **Fix:** {current.fix}",
            "- **Source:** " + ", ".join(f"<{url}>" for url in current.sources),
            f"- **Overlaps:** {_overlaps(current.overlaps)}",
        ]
    lines += ["", *COMMAND_SECTION.read_text().splitlines()]
    return "\n".join(lines) + "\n"


def _coverage() -> list[str]:
    """Per kind of hop: the rules that check it and what is knowingly not checked, and why."""
    lines = [
        "",
        "## What is checked, per kind of hop",
        "",
        "Each kind of hop the rules know, the rules that check it, and the traps they leave "
        "alone on purpose, with the reason.",
        "",
        "| hop | checked by | not checked (why) |",
        "| --- | --- | --- |",
    ]
    for hop in COVERAGE:
        checked = ", ".join(f"[`{s}`](#messaging-{s.lower()})" for s in hop.checked) or "none"
        missing = "; ".join(f"{n.what} ({n.reason})" for n in hop.not_checked) or "-"
        lines.append(f"| {hop.kind} | {checked} | {missing} |")
    return lines


if __name__ == "__main__":
    print(render_markdown(), end="")
