"""``MessagingChecks``: a cdk-nag 3.x pack that finds message-loss and deploy traps.

Register it like any cdk-nag pack::

    Validations.of(app).add_plugins(MessagingChecks(app))

The rules (``patterns.messaging.rules``) look across resources: a subscription and its topic
and queue, a queue and its key and policy, an event source mapping and its function. CDK
calls validation plugins after it has written the cloud assembly, so the pack reads each
stack's synthesized template (nested stacks included) once, runs every rule over it, and
reports each finding on the construct of the resource that carries it through cdk-nag's
``apply_rule``, where acknowledgements (``Validations.of(c).acknowledge(...)``) apply as for
any pack: ``Messaging::Messaging-SNS1``.

Findings of level ``info`` (a reference the rules could not follow) are not reported to
cdk-nag, which would show them as warnings; ``python -m patterns.checks cdk.out`` lists them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import CfnResource, Stack, Stage
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance

from patterns.messaging.assembly import load_stacks
from patterns.messaging.model import StackModel
from patterns.messaging.rules import ERROR, INFO, PACK_NAME, RULES, Finding, check_template

_RULES_BY_ID = {r.rule_id: r for r in RULES}


@jsii.implements(IApplyRule)
class _Violation:
    """One finding handed to cdk-nag's ``apply_rule`` (the rule only says NON_COMPLIANT)."""

    def __init__(self, finding: Finding, node: CfnResource) -> None:
        rule = _RULES_BY_ID[finding.rule_id]
        self._node = node
        self._suffix = rule.suffix
        self._info = f"{rule.title} Fix: {rule.fix}"
        self._explanation = f"{rule.why} Source: {' '.join(rule.sources)}"
        self._level = NagMessageLevel.ERROR if finding.level == ERROR else NagMessageLevel.WARN

    @property
    def rule_suffix_override(self) -> str | None:
        return self._suffix

    @rule_suffix_override.setter
    def rule_suffix_override(self, value: str | None) -> None:  # pragma: no cover - jsii API
        raise AttributeError("read-only")

    @property
    def info(self) -> str:
        return self._info

    @info.setter
    def info(self, value: str) -> None:  # pragma: no cover - jsii API
        raise AttributeError("read-only")

    @property
    def explanation(self) -> str:
        return self._explanation

    @explanation.setter
    def explanation(self, value: str) -> None:  # pragma: no cover - jsii API
        raise AttributeError("read-only")

    @property
    def level(self) -> NagMessageLevel:
        return self._level

    @level.setter
    def level(self, value: NagMessageLevel) -> None:  # pragma: no cover - jsii API
        raise AttributeError("read-only")

    @property
    def node(self) -> CfnResource:
        return self._node

    @node.setter
    def node(self, value: CfnResource) -> None:  # pragma: no cover - jsii API
        raise AttributeError("read-only")

    def rule(self, node: CfnResource) -> NagRuleCompliance:
        return NagRuleCompliance.NON_COMPLIANT


class MessagingChecks(NagPack):
    """Cross-resource checks for SQS, SNS, S3 notifications, Lambda consumers, alarms,
    EventBridge, Kinesis/Firehose and Amazon MQ (rules in docs/messaging-checks.md).

    The rules read the templates CDK writes before it calls the validation plugins, so the
    pack works as a plugin of ``app.synth()``; ``validate_scope`` on an app that was never
    synthesized raises ``RuntimeError``.

    :param scope: the App (or Stage) the pack is registered on, as for the cdk-nag packs.
    :param verbose: cdk-nag's option: add each rule's reason and sources to its message.
    """

    def __init__(self, scope: Any = None, *, verbose: bool | None = None) -> None:
        super().__init__(scope, verbose=verbose)
        self._pack_name = PACK_NAME
        self._templates: dict[str, tuple[tuple[int, int], dict[str, list[Finding]]]] = {}
        self._paths: dict[Stack, str] = {}  # each stack's template file (jsii calls, once)
        self._manifest: str | None = None  # the app's cloud assembly manifest
        self._clean: tuple[tuple[int, int], bool] | None = None

    @property
    def name(self) -> str:
        return PACK_NAME

    def _check_resource(self, node: CfnResource) -> None:
        # Every call into the jsii runtime costs about a millisecond: when the whole assembly
        # has nothing to report (the common case), no resource needs a single one.
        if self._assembly_is_clean(node):
            return
        stack = Stack.of(node)
        findings = self._findings_of(stack)
        for finding in findings.get(stack.resolve(node.logical_id), []):
            if finding.level != INFO:
                self._apply_rule(_Violation(finding, node))

    def _assembly_is_clean(self, node: CfnResource) -> bool:
        """No rule finds anything but notes in any template of the app's cloud assembly."""
        if self._manifest is None:
            outdir = getattr(node.node.root, "outdir", None)
            self._manifest = os.path.join(outdir, "manifest.json") if outdir else ""
        if not self._manifest:
            return False
        try:
            status = os.stat(self._manifest)
        except FileNotFoundError:
            return False
        stamp = (status.st_mtime_ns, status.st_size)
        if self._clean is None or self._clean[0] != stamp:
            stacks, _ = load_stacks(Path(self._manifest).parent)
            clean = not any(
                finding.level != INFO
                for loaded in stacks
                for finding in check_template(StackModel(loaded.template, loaded.name))
            )
            self._clean = (stamp, clean)
        return self._clean[1]

    def _findings_of(self, stack: Stack) -> dict[str, list[Finding]]:
        """Findings by logical ID for the stack's synthesized template, read once per write."""
        path = self._paths.get(stack)
        if path is None:
            outdir = Stage.of(stack).outdir  # type: ignore[union-attr]
            path = self._paths[stack] = os.path.join(outdir, stack.template_file)
        try:
            status = os.stat(path)
        except FileNotFoundError as error:
            raise RuntimeError(
                f"MessagingChecks reads the synthesized template {path}: register it with "
                "Validations.of(app).add_plugins(MessagingChecks(app)) and synthesize the app"
            ) from error
        stamp = (status.st_mtime_ns, status.st_size)
        cached = self._templates.get(path)
        if cached is None or cached[0] != stamp:
            template = json.loads(Path(path).read_text())
            by_id: dict[str, list[Finding]] = {}
            for finding in check_template(StackModel(template, stack.stack_name)):
                by_id.setdefault(finding.logical_id, []).append(finding)
            cached = (stamp, by_id)
            self._templates[path] = cached
        return cached[1]
