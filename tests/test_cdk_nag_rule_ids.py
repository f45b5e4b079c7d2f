"""The cdk-nag rule IDs the gate checks acknowledgements against: a list written for one
cdk-nag version (``python -m tools.cdk_nag_rules``), never read from cdk-nag's files at synth."""

from __future__ import annotations

import importlib.metadata
import tarfile

import pytest

import patterns.compliance as gate
from patterns.cdk_nag_rule_ids import CDK_NAG_VERSION, RULE_IDS
from tools import cdk_nag_rules


def test_the_list_is_what_the_installed_cdk_nag_applies() -> None:
    """Fails when cdk-nag is upgraded: run ``python -m tools.cdk_nag_rules``."""
    assert cdk_nag_rules.installed_version() == CDK_NAG_VERSION
    installed = cdk_nag_rules.installed_rule_ids()
    assert {pack: frozenset(ids) for pack, ids in installed.items()} == RULE_IDS
    assert set(RULE_IDS) == set(gate.PACKS) - {"Messaging"}
    assert cdk_nag_rules.render(CDK_NAG_VERSION, installed) == cdk_nag_rules.OUTPUT.read_text()


def test_the_gate_reads_no_cdk_nag_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the gate opened cdk-nag's bundle")

    monkeypatch.setattr(tarfile, "open", refuse)
    gate._cdk_nag_rule_ids.cache_clear()
    try:
        assert gate.rule_ids("AwsSolutions") == RULE_IDS["AwsSolutions"]
        gate.check_rule_id("AwsSolutions::AwsSolutions-IAM4")
    finally:
        gate._cdk_nag_rule_ids.cache_clear()


def test_another_cdk_nag_version_leaves_its_ids_unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A newer cdk-nag may have rules the list does not know: they are not refused."""
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "3.99.0")
    gate._cdk_nag_rule_ids.cache_clear()
    try:
        assert gate.rule_ids("AwsSolutions") is None
        gate.check_rule_id("AwsSolutions::AwsSolutions-NEW1")
        with pytest.raises(ValueError, match="names no rule of the Messaging pack"):
            gate.check_rule_id("Messaging::Messaging-NEW1")
    finally:
        gate._cdk_nag_rule_ids.cache_clear()
