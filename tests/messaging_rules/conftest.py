"""One App of every stack in ``apps``, synthesized once with ``MessagingChecks`` registered
(session scope: each service's test module reads the same report)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Validations

from patterns import MessagingChecks
from tests.helpers import CDK_CONTEXT, PATH_METADATA
from tests.messaging_rules.apps import CASES, GOOD, MORE, QUIET, good_name
from tests.messaging_rules.report import Report, read_report

# Synthesis reports findings instead of raising, so one App holds failing and passing stacks.
NO_FAIL = {"@aws-cdk/core:failSynthOnValidationErrors": False}


@pytest.fixture(scope="session")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    outdir = tmp_path_factory.mktemp("messaging-rules")
    app = cdk.App(outdir=str(outdir), context={**CDK_CONTEXT, **PATH_METADATA, **NO_FAIL})
    for suffix, case in CASES.items():
        case.fail(cdk.Stack(app, f"Fail{suffix}"))
    for suffix, case in MORE.items():
        case.fail(cdk.Stack(app, f"MoreFail{suffix}"))
    for build in GOOD:
        build(cdk.Stack(app, good_name(build)))
    for name, build in QUIET.items():
        build(cdk.Stack(app, name))
    Validations.of(app).add_plugins(MessagingChecks(app))
    app.synth()
    return read_report(outdir)
