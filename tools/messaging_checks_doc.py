"""``python -m tools.messaging_checks_doc > docs/messaging-checks.md``: every rule of
``MessagingChecks``, rendered from its definition (``make docs``; a test fails when stale).
"""

from __future__ import annotations

from patterns.messaging.rules import ERROR, RULES, WARNING
from patterns.messaging.rules.coverage import COVERAGE

LEVEL_TITLES = {ERROR: "error", WARNING: "warning"}


def render_markdown() -> str:
    """docs/messaging-checks.md: every rule of the pack, from its definition."""
    lines = [
        "# Messaging checks",
        "",
        "Generated from `patterns/messaging/rules/` by `python -m tools.messaging_checks_doc`;",
        "a test fails when it is stale.",
        "",
        "`MessagingChecks` is a cdk-nag pack of rules that look across resources: a",
        "subscription and its topic and queue, a queue and its key and policy, an event source",
        "mapping and its function and queue. A rule follows `Ref`, `Fn::GetAtt`, `Fn::Join`,",
        "`Fn::Sub` and literal ARNs, URLs and names to resources of the same template; what it",
        "cannot follow (another stack, an imported resource, a parameter) is only an",
        "informational note, printed by the command and never an error.",
        "",
        "```python",
        "Validations.of(app).add_plugins(MessagingChecks(app))",
        "```",
        "",
        "```",
        "python -m patterns.checks cdk.out            # any CDK language; --quiet hides the notes",
        "```",
        "",
        "The pack reports errors and warnings to cdk-nag on the construct of the resource that",
        "carries the trap (the subscription, the bucket, the event source mapping, the alarm,",
        "the rule, the delivery stream, the broker, the pipe, the function). The command prints",
        "them with the fix, honours acknowledgements recorded in the assembly, and exits 1 when",
        "an error is left.",
        "",
        "Two rules overlap a rule of the Serverless pack, for apps that do not run it: `SNS6`",
        "(Serverless-SNSRedrivePolicy, an error there) and the on-failure destination of",
        "`LAMBDA4` (Serverless-LambdaEventSourceMappingDestination). `ASYNC2`, `PIPE6` and",
        "`SUB2` narrow a broader cdk-nag rule to the resources a message path depends on (see",
        "each rule's Overlaps). Nothing else repeats a check of the five cdk-nag packs.",
        "",
        "Acknowledge a finding with a reason, as for any pack:",
        '`Validations.of(construct).acknowledge(Acknowledgment(id="Messaging::Messaging-SNS6", '
        'reason="..."))`. Errors are traps that fail the deploy or lose messages; warnings are '
        "risks.",
        "",
        "| rule | level | finds |",
        "| --- | --- | --- |",
    ]
    for current in RULES:
        anchor = current.rule_id.lower()
        lines.append(f"| [`{current.rule_id}`](#{anchor}) | {current.level} | {current.title} |")
    lines += _coverage()
    for current in RULES:
        lines += [
            "",
            f"## {current.rule_id}",
            "",
            f"- **Level:** {LEVEL_TITLES[current.level]}",
            f"- **Finds:** {current.title}",
            f"- **Why:** {current.why}",
            f"- **Fix:** {current.fix}",
            "- **Source:** " + ", ".join(f"<{url}>" for url in current.sources),
        ]
        if current.overlaps:
            lines.append(
                "- **Overlaps:** "
                + ", ".join(f"`{o}`" for o in current.overlaps)
                + " (which flag every such resource; this rule only those on a message path)"
            )
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
