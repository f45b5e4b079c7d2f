"""The compliance gate's synth-time API: finding IDs and acknowledgements."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from patterns.cloud_assembly import read_assembly
from patterns.compliance import acknowledge, acknowledge_all, flatten_cfn_reference
from tests.helpers import new_app
from tools.compliance import read_findings


def test_flatten_cfn_reference_builds_the_ids_cdk_nag_reports() -> None:
    """cdk-nag does not export its ``flattenCfnReference``: this pins our copy to its output.

    Each resource is a wildcard ARN written with another intrinsic (GetAtt in a Join, Ref,
    Sub, ImportValue); when cdk-nag changes how it writes them into finding IDs, this fails.
    """
    app = new_app()
    stack = cdk.Stack(app, "Ids")
    resources = [
        s3.Bucket(stack, "Bucket").arn_for_objects("*"),
        f"arn:{cdk.Aws.PARTITION}:sqs:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:orders-*",
        cdk.Fn.sub("arn:${AWS::Partition}:s3:::literal-bucket/*"),
        cdk.Fn.join("", [cdk.Fn.import_value("SharedBucketArn"), "/*"]),
    ]
    role = iam.Role(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=resources))

    report = AwsSolutionsChecks().validate_scope(app)

    reported = {
        v.rule_name for v in report.violations if v.rule_name.startswith("AwsSolutions-IAM5")
    }
    expected = {
        f"AwsSolutions-IAM5[Resource::{flatten_cfn_reference(stack.resolve(resource))}]"
        for resource in resources
    }
    assert len(expected) == len(resources)
    assert reported == expected


def test_the_gate_module_holds_the_synth_time_api_only() -> None:
    """Report rendering and the command line are repository tooling (tools.compliance)."""
    import patterns.compliance as gate

    public = {name for name in vars(gate) if not name.startswith("_")}
    assert {"main", "summarize", "read_findings", "render_compliance_doc"} & public == set()
    assert {
        "PACKS",
        "apply_compliance_checks",
        "acknowledge",
        "acknowledge_all",
        "skip_checkov",
        "flatten_cfn_reference",
    } <= public


# --- acknowledgements name a rule of the packs the gate registers ----------------------


def _scratch() -> cdk.Stack:
    return cdk.Stack(new_app(), "Acks")


@pytest.mark.parametrize(
    "rule_id",
    [
        "AwsSolutions::AwsSolutions-IAM4",
        "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy",
        "HIPAA.Security::HIPAA.Security-LambdaConcurrency",
        "PCI.DSS.321::PCI.DSS.321-S3BucketSSLRequestsOnly",
        "Serverless::Serverless-LambdaDLQ",
        "Messaging::Messaging-SNS6",
        "CloudFormation-Validate::F3002",
    ],
)
def test_an_acknowledgement_of_a_rule_of_a_registered_pack_is_recorded(rule_id: str) -> None:
    stack = _scratch()
    acknowledge(stack, rule_id, "A reason specific enough for a reviewer.")
    (entry,) = [
        e for e in stack.node.metadata if e.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    ]
    assert rule_id in entry.data


def test_a_misspelt_rule_is_an_error_naming_it_and_the_close_matches() -> None:
    with pytest.raises(
        ValueError,
        match=r"'AwsSolutions::AwsSolutions-IAM55' names no rule of the AwsSolutions pack"
        r".*AwsSolutions::AwsSolutions-IAM5",
    ):
        acknowledge(_scratch(), "AwsSolutions::AwsSolutions-IAM55", "reason")


def test_a_rule_under_another_packs_prefix_is_an_error_pointing_at_the_right_pack() -> None:
    with pytest.raises(
        ValueError,
        match=r"names no rule of the AwsSolutions pack.*"
        r"NIST\.800\.53\.R5::NIST\.800\.53\.R5-IAMNoInlinePolicy",
    ):
        acknowledge(_scratch(), "AwsSolutions::NIST.800.53.R5-IAMNoInlinePolicy", "reason")


def test_a_granular_finding_of_an_unknown_rule_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"names no rule of the AwsSolutions pack"):
        acknowledge(_scratch(), "AwsSolutions::AwsSolutions-IAM9[Resource::*]", "reason")


def test_an_unknown_messaging_rule_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"names no rule of the Messaging pack.*Messaging-SNS6"):
        acknowledge(_scratch(), "Messaging::Messaging-SNS66", "reason")


@pytest.mark.parametrize(
    ("rule_id", "hint"),
    [
        ("AwsSolutions-IAM4", "AwsSolutions::AwsSolutions-IAM4"),  # without the pack prefix
        ("AwsSolution::AwsSolutions-IAM4", "AwsSolutions::AwsSolutions-IAM4"),  # misspelt pack
        ("NIST.800.53.R4::NIST.800.53.R4-IAMNoInlinePolicy", "NIST.800.53.R5"),  # not registered
    ],
)
def test_an_id_without_a_registered_pack_is_an_error_listing_the_packs(
    rule_id: str, hint: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(rule_id)) as raised:
        acknowledge(_scratch(), rule_id, "reason")
    message = str(raised.value)
    assert hint in message
    assert "AwsSolutions, NIST.800.53.R5, HIPAA.Security, PCI.DSS.321, Serverless, Messaging" in (
        message
    )


def test_acknowledge_all_checks_every_id_before_recording_any() -> None:
    stack = _scratch()
    with pytest.raises(ValueError, match="AwsSolutions-XYZ1"):
        acknowledge_all(
            stack,
            {"AwsSolutions::AwsSolutions-IAM4": "reason", "AwsSolutions::AwsSolutions-XYZ1": "x"},
        )
    assert not [
        e for e in stack.node.metadata if e.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    ]


BASIC_EXECUTION = (
    "AwsSolutions::AwsSolutions-IAM4"
    "[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
)


def test_an_acknowledged_finding_is_suppressed_by_the_gate_with_its_reason(tmp_path: Path) -> None:
    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Mine")
    role = iam.Role(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    role.add_managed_policy(
        iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSLambdaBasicExecutionRole")
    )
    report = AwsSolutionsChecks().validate_scope(app)
    assert BASIC_EXECUTION.split("::", 1)[1] in {v.rule_name for v in report.violations}
    reason = "The AWS managed basic execution policy grants only log writes."
    acknowledge(role, BASIC_EXECUTION, reason)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    (iam4,) = [f for f in read_findings(tmp_path) if f.rule.startswith("AwsSolutions-IAM4")]
    assert (iam4.acknowledged_id, iam4.reason) == (BASIC_EXECUTION, reason)


def test_the_rule_catalogue_is_what_each_cdk_nag_pack_applies() -> None:
    """The catalogue is read from the installed cdk-nag (which lists its rules nowhere public):
    each pack, run over one resource, applies as many rules as the catalogue holds, under the
    same IDs where cdk-nag tells them (its rule suffixes)."""
    import cdk_nag

    from patterns.compliance import rule_ids

    packs = {
        "AwsSolutions": cdk_nag.AwsSolutionsChecks,
        "NIST.800.53.R5": cdk_nag.NIST80053R5Checks,
        "HIPAA.Security": cdk_nag.HIPAASecurityChecks,
        "PCI.DSS.321": cdk_nag.PCIDSS321Checks,
        "Serverless": cdk_nag.ServerlessChecks,
    }
    for pack, cls in packs.items():
        applied: list[str | None] = []

        class Recording(cls):  # type: ignore[misc, valid-type]
            def _apply_rule(self, params: Any, applied: list[str | None] = applied) -> None:
                applied.append(params.rule_suffix_override)

        app = new_app()
        cdk.CfnResource(cdk.Stack(app, "One"), "Resource", type="AWS::SQS::Queue")
        Recording().validate_scope(app)
        catalogue = rule_ids(pack)
        assert catalogue is not None, pack
        assert len(applied) == len(catalogue), pack
        assert {f"{pack}-{suffix}" for suffix in applied if suffix} <= catalogue, pack
    assert len(rule_ids("AwsSolutions") or ()) > 100


def test_without_cdk_nag_only_the_form_of_a_cdk_nag_id_is_checked(monkeypatch) -> None:
    """The constructs acknowledge without cdk-nag installed (no pack runs then)."""
    import patterns.compliance as gate

    monkeypatch.setattr(gate, "_cdk_nag_rule_ids", dict)
    stack = _scratch()
    acknowledge(stack, "AwsSolutions::AwsSolutions-NEW1", "A rule of a newer cdk-nag.")
    with pytest.raises(ValueError, match="does not start with the prefix of a registered pack"):
        acknowledge(stack, "AwsSolutions-NEW1", "reason")
    with pytest.raises(ValueError, match="names no rule of the Messaging pack"):
        acknowledge(stack, "Messaging::Messaging-NEW1", "reason")


# --- the gate checks acknowledgements made with CDK's own API too -----------------------


def _gated_app_with(tmp_path: Path, rule_id: str) -> cdk.App:
    from patterns.compliance import apply_compliance_checks

    app = new_app(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Mine")
    iam.Role(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    Validations.of(stack).acknowledge(Acknowledgment(id=rule_id, reason="A reason."))
    apply_compliance_checks(app)
    return app


@pytest.mark.parametrize(
    ("rule_id", "message"),
    [
        ("AwsSolutions::AwsSolutions-IAM55", r"names no rule of the AwsSolutions pack"),
        ("AwsSolutions-IAM4", r"did you mean AwsSolutions::AwsSolutions-IAM4"),
        ("AwsSolution::AwsSolutions-IAM4", r"did you mean AwsSolutions::AwsSolutions-IAM4"),
        ("Messaging::Messaging-SQS99", r"names no rule of the Messaging pack"),
    ],
)
def test_the_gate_refuses_at_synth_a_cdk_acknowledgement_that_names_no_rule(
    tmp_path: Path, rule_id: str, message: str
) -> None:
    app = _gated_app_with(tmp_path, rule_id)
    with pytest.raises(RuntimeError, match=r"Mine: acknowledgement '.*' .*" + message):
        app.synth()


@pytest.mark.parametrize(
    "rule_id",
    ["AwsSolutions::AwsSolutions-IAM4", "CloudFormation-Validate::W9999", "MyOrgChecks::ORG-1"],
)
def test_the_gate_leaves_known_rules_and_other_plugins_ids_alone(
    tmp_path: Path, rule_id: str
) -> None:
    """Synth succeeds, and the acknowledgement reaches the assembly as written."""
    _gated_app_with(tmp_path, rule_id).synth()
    assert read_assembly(tmp_path).acknowledgements == {"Mine": {rule_id: "A reason."}}
