"""Messaging-S3N3 on a queue encrypted with a customer key of another stack, imported by ARN
(``Key.from_key_arn(Fn.import_value(...))``, so CDK cannot add S3 to its policy): a key policy
that admits everyone (``Principal: *``) only for callers of the key's account
(``kms:CallerAccount``) does not admit the S3 service principal, which is no identity of that
account, and S3 cannot deliver; a policy naming s3.amazonaws.com does."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs

from patterns.messaging.assembly import check_assembly
from patterns.messaging.rules import Finding
from tests.helpers import CDK_CONTEXT, PATH_METADATA

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"]


def _key(security: cdk.Stack, name: str, *, admits_s3: bool) -> None:
    key = kms.Key(security, name, enable_key_rotation=True)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            actions=KEY_ACTIONS,
            principals=[iam.AnyPrincipal()],
            resources=["*"],
            conditions={
                "StringEquals": {
                    "kms:ViaService": "sqs.eu-west-1.amazonaws.com",
                    "kms:CallerAccount": "111111111111",
                }
            },
        )
    )
    if admits_s3:
        key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=KEY_ACTIONS,
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                resources=["*"],
            )
        )
    cdk.CfnOutput(security, f"{name}Arn", value=key.key_arn, export_name=f"{name.lower()}-arn")


def _uploads(ingest: cdk.Stack, name: str) -> None:
    key = kms.Key.from_key_arn(ingest, f"{name}Key", cdk.Fn.import_value(f"{name.lower()}-arn"))
    queue = sqs.Queue(
        ingest, f"{name}Queue", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key
    )
    s3.Bucket(ingest, f"{name}Bucket").add_event_notification(
        s3.EventType.OBJECT_CREATED, s3n.SqsDestination(queue)
    )


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    outdir: Path = tmp_path_factory.mktemp("imported-key")
    app = cdk.App(outdir=str(outdir), context={**CDK_CONTEXT, **PATH_METADATA})
    security = cdk.Stack(app, "Security", env=ENV)
    ingest = cdk.Stack(app, "Ingest", env=ENV)
    _key(security, "AccountOnly", admits_s3=False)
    _key(security, "AdmitsS3", admits_s3=True)
    _uploads(ingest, "AccountOnly")
    _uploads(ingest, "AdmitsS3")
    app.synth()
    return check_assembly(outdir)


def _s3n3(findings: list[Finding], name: str) -> list[Finding]:
    return [
        f
        for f in findings
        if f.rule_id == "Messaging-S3N3" and f.stack == "Ingest" and f.path.startswith(name)
    ]


def test_a_key_for_callers_of_its_account_only_does_not_admit_s3(
    findings: list[Finding],
) -> None:
    assert [f.level for f in _s3n3(findings, "Ingest/AccountOnlyBucket")] == ["error"], findings


def test_a_key_naming_s3_admits_it(findings: list[Finding]) -> None:
    assert _s3n3(findings, "Ingest/AdmitsS3Bucket") == []
