"""One stack with every pattern (and a Lambda consumer on a fan-out subscriber), built once
per test process for the tests that need them all: dashboards (``Once``: every
``add_to_dashboard`` called once, ``Twice``: twice) and feature flags (the stack with no flags
and with those of ``cdk.json``)."""

from __future__ import annotations

import functools
from typing import Any

import aws_cdk as cdk
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template

from patterns import (
    AmazonMqBroker,
    KinesisToFirehoseToS3,
    QueueWithDeadLetterQueue,
    QueueWorkerFleet,
    S3EventFanOut,
    SnsToSqsFanOut,
)
from tests.helpers import CDK_CONTEXT, PATH_METADATA, inline_function

STACK = "Dash"


def build(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, restrict_default_security_group=False)
    queue = QueueWithDeadLetterQueue(stack, "Work", visibility_timeout=Duration.minutes(2))
    orders = SnsToSqsFanOut(stack, "Orders")
    billing = orders.add_queue("Billing").queue_with_dead_letter_queue
    assert billing is not None
    # The function's own log group: without it, whether CDK makes one is a flag of its own.
    log_group = logs.LogGroup(stack, "BillingFunctionLogs")
    billing.add_lambda_consumer(inline_function(stack, "BillingFunction", log_group=log_group))
    uploads = S3EventFanOut(stack, "Uploads")
    uploads.add_queue("Thumbnails")
    patterns: list[Any] = [
        queue,
        orders,
        uploads,
        uploads.fan_out,
        KinesisToFirehoseToS3(stack, "Trucks"),
        AmazonMqBroker(stack, "Broker", vpc=vpc, single_instance=True),
        QueueWorkerFleet(
            stack,
            "Fleet",
            queue=queue,
            cluster=ecs.Cluster(
                stack, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
            ),
            image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.13"),
            processing_time=Duration.seconds(60),
            acceptable_latency=Duration.minutes(10),
        ),
    ]
    for times, name in enumerate(("Once", "Twice"), start=1):
        dashboard = cloudwatch.Dashboard(stack, name)
        for _ in range(times):
            for pattern in patterns:
                pattern.add_to_dashboard(dashboard)


@functools.cache
def template(with_flags: bool) -> dict[str, Any]:
    """The stack's template, synthesized with the flags of ``cdk.json`` or with none."""
    context = {**(CDK_CONTEXT if with_flags else {}), **PATH_METADATA}
    stack = cdk.Stack(cdk.App(context=context), STACK)
    build(stack)
    return dict(Template.from_stack(stack).to_json())
