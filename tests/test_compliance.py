"""The compliance gate's synth-time API: finding IDs and acknowledgements."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from patterns.compliance import flatten_cfn_reference
from tests.helpers import new_app


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
