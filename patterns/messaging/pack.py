"""``MessagingChecks``: a cdk-nag 3.x pack that finds message-loss and deploy traps.

Register it like any cdk-nag pack::

    Validations.of(app).add_plugins(MessagingChecks(app))

The rules (``patterns.messaging.rules``) look across resources: a subscription and its topic
and queue, a queue and its key and policy, an event source mapping and its function, in one
stack or across stacks. CDK calls validation plugins after it has written the cloud assembly,
so the pack reads the whole assembly once per validation (every stack, nested stack and
stage, linked into one model as ``python -m patterns.checks`` reads it), runs every rule over
it, and reports each finding on the construct of the resource that carries it through
cdk-nag's ``apply_rule``, where acknowledgements (``Validations.of(c).acknowledge(...)``) apply
as for any pack: ``Messaging::Messaging-SNS1``.

Errors fail synth. Warnings are shown in CDK's validation report and do not fail synth unless
``fail_on_warnings=True`` (cdk-nag 3's own packs fail on any finding: a plugin report succeeds
only when it has no violation; this pack reports success when only warnings are left). The
pack writes one line to standard error saying how many rules ran over how many templates and
what they found. Findings of level ``info`` (a reference the rules could not follow) are not
reported to cdk-nag, which would show them as warnings; ``python -m patterns.checks cdk.out``
lists them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import jsii
from aws_cdk import CfnResource, PolicyValidationPluginReport, Stack, Stage
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance

from patterns.cloud_assembly import read_assembly
from patterns.messaging.assembly import check_stacks
from patterns.messaging.rules import ERROR, INFO, PACK_NAME, RULES, Finding

_RULES_BY_ID = {r.rule_id: r for r in RULES}
T = TypeVar("T")


class _Attribute(Generic[T]):
    """A plain attribute that jsii sees: it looks for an interface's properties among the data
    descriptors of the class, never in an instance's ``__dict__``."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = f"_{name}"

    def __get__(self, instance: object, owner: type | None = None) -> T:
        return cast(T, getattr(instance, self._name))

    def __set__(self, instance: object, value: T) -> None:
        setattr(instance, self._name, value)


@jsii.implements(IApplyRule)
class _Violation:
    """One finding handed to cdk-nag's ``apply_rule``: the attributes cdk-nag reads, and a rule
    that only says NON_COMPLIANT (the finding was made before)."""

    node = _Attribute[CfnResource]()
    rule_suffix_override = _Attribute[str | None]()
    info = _Attribute[str]()
    explanation = _Attribute[str]()
    level = _Attribute[NagMessageLevel]()

    def __init__(self, finding: Finding, node: CfnResource) -> None:
        rule = _RULES_BY_ID[finding.rule_id]
        self.node = node
        self.rule_suffix_override = rule.suffix
        self.info = f"{rule.title} Fix: {rule.fix}"
        self.explanation = f"{rule.why} Source: {' '.join(rule.sources)}"
        self.level = NagMessageLevel.ERROR if finding.level == ERROR else NagMessageLevel.WARN

    def rule(self, node: CfnResource) -> NagRuleCompliance:
        return NagRuleCompliance.NON_COMPLIANT


class MessagingChecks(NagPack):
    """Cross-resource checks for SQS, SNS, S3 notifications, Lambda consumers, alarms,
    EventBridge, Kinesis/Firehose and Amazon MQ, across every stack of the app (each rule,
    with its fix, in [Messaging checks][messaging-checks]).

    Register it on the app, before ``app.synth()``:
    ``Validations.of(app).add_plugins(MessagingChecks(app))``. The rules read the templates
    CDK writes before it calls the validation plugins, so the pack works as a plugin of
    ``app.synth()``; ``validate_scope`` on an app that was never synthesized raises
    ``RuntimeError``. Apps in other CDK languages run the same rules with
    ``python -m patterns.checks cdk.out``.

    :param scope: The App (or Stage) the pack is registered on, as for cdk-nag's own
        packs.
    :param verbose: cdk-nag's option: add each rule's reason and sources to its message.
        Default: off (the message and fix only).
    :param fail_on_warnings: Fail synth on warnings too. Default: only errors fail synth;
        warnings are shown in the validation report.
    """

    def __init__(
        self, scope: Any = None, *, verbose: bool | None = None, fail_on_warnings: bool = False
    ) -> None:
        super().__init__(scope, verbose=verbose)
        self._pack_name = PACK_NAME
        self._fail_on_warnings = fail_on_warnings
        # Findings of the current validation by (template file in the assembly, logical ID).
        self._findings: dict[tuple[str, str], list[Finding]] = {}
        self._files: dict[Stack, str] = {}  # each stack's template file (jsii calls, once)
        self._outdir = ""

    @property
    def name(self) -> str:
        """The pack's name, ``"Messaging"``: the prefix of its rule IDs in findings and
        acknowledgements (``"Messaging::Messaging-SQS1"``)."""
        return PACK_NAME

    def validate_scope(self, scope: Any) -> PolicyValidationPluginReport:
        """Read the app's cloud assembly once, check it, and report on the constructs.

        CDK calls it during ``app.synth()``, once the templates are written; you do not.

        :param scope: The App (or Stage) being synthesized.
        :return: The findings as CDK's validation report; it fails on an error (and on a
            warning with ``fail_on_warnings``) that no acknowledgement covers.
        :raises RuntimeError: The app has not written its cloud assembly (not synthesized).
        """
        outdir = getattr(scope.node.root, "outdir", None) or ""
        if not os.path.isfile(os.path.join(outdir, "manifest.json")):
            raise RuntimeError(
                f"MessagingChecks reads the synthesized templates in {outdir or 'the outdir'}: "
                "register it with Validations.of(app).add_plugins(MessagingChecks(app)) and "
                "synthesize the app"
            )
        stacks = read_assembly(Path(outdir)).stacks
        self._outdir, self._files, self._findings = os.path.abspath(outdir), {}, {}
        for finding in check_stacks(stacks, {}):  # cdk-nag applies the acknowledgements
            if finding.level != INFO:
                key = (finding.template_file, finding.logical_id)
                self._findings.setdefault(key, []).append(finding)
        try:
            report = super().validate_scope(scope)
        finally:
            self._findings, self._files = {}, {}
        counts = {"error": 0, "warning": 0}
        for violation in report.violations:
            severity = "error" if violation.severity == "error" else "warning"
            counts[severity] += len(violation.violating_resources)
        fails = counts["error"] > 0 or (self._fail_on_warnings and counts["warning"] > 0)
        sys.stderr.write(_summary(len(stacks), counts, self._fail_on_warnings) + "\n")
        return PolicyValidationPluginReport(success=not fails, violations=report.violations)

    def _check_resource(self, node: CfnResource) -> None:
        # Every call into the jsii runtime costs about a millisecond: when the whole assembly
        # has nothing to report (the common case), no resource needs a single one.
        if not self._findings:
            return
        stack = Stack.of(node)
        template_file = self._files.get(stack)
        if template_file is None:
            outdir = Stage.of(stack).outdir  # type: ignore[union-attr]
            absolute = os.path.abspath(os.path.join(outdir, stack.template_file))
            template_file = Path(os.path.relpath(absolute, self._outdir)).as_posix()
            self._files[stack] = template_file
        for finding in self._findings.get((template_file, stack.resolve(node.logical_id)), []):
            self._apply_rule(_Violation(finding, node))


def _summary(templates: int, counts: dict[str, int], fail_on_warnings: bool) -> str:
    """The pack's one line: what ran over what, what it found, what fails synth."""
    line = (
        f"{PACK_NAME}: {len(RULES)} rules over {templates} template(s): "
        f"{counts['error']} error(s), {counts['warning']} warning(s)"
    )
    if counts["warning"] and not fail_on_warnings:
        line += " (warnings do not fail synth; MessagingChecks(app, fail_on_warnings=True))"
    return line
