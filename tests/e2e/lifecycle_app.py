"""The app of the LocalStack lifecycle tests (tests/e2e/test_lifecycle.py).

One stack, ``E2eLifecycle``: a fan-out whose subscribers, and one of whose visibility
timeouts, are chosen by context values, and a queue with a DLQ whose visibility timeout is
too, so that a second ``cdk deploy -c ...`` of the same app is the edit a user makes:

- ``-c subscribers=Billing,Shipping,Audit`` (the default): the fan-out's subscribers, in order;
- ``-c billing_visibility_s=30``: the Billing queue's visibility timeout in seconds;
- ``-c orders_visibility_s=30``: the Orders queue's visibility timeout in seconds.

Outputs: ``TopicArn``, ``OrdersQueueUrl`` and ``<Subscriber>QueueUrl`` of each subscriber.

A second stack, ``E2eLifecycleUploads``, is an S3 event fan-out with its defaults (a new
bucket), for the destroy-then-deploy-again test. Output: ``BucketName``.
"""

from __future__ import annotations

from aws_cdk import App, CfnOutput, Duration, Stack

from patterns import QueueWithDeadLetterQueue, S3EventFanOut, SnsToSqsFanOut

STACK = "E2eLifecycle"
UPLOADS_STACK = "E2eLifecycleUploads"
DEFAULT_SUBSCRIBERS = ("Billing", "Shipping", "Audit")
DEFAULT_VISIBILITY_S = 30


def build_app() -> App:
    app = App()
    subscribers = str(
        app.node.try_get_context("subscribers") or ",".join(DEFAULT_SUBSCRIBERS)
    ).split(",")
    billing_visibility = int(
        app.node.try_get_context("billing_visibility_s") or DEFAULT_VISIBILITY_S
    )
    orders_visibility = int(app.node.try_get_context("orders_visibility_s") or DEFAULT_VISIBILITY_S)

    stack = Stack(app, STACK, description="End-to-end test stack: edits of a deployed stack")
    events = SnsToSqsFanOut(stack, "Events")
    for name in subscribers:
        visibility = billing_visibility if name == "Billing" else DEFAULT_VISIBILITY_S
        subscriber = events.add_queue(name, visibility_timeout=Duration.seconds(visibility))
        CfnOutput(stack, f"{name}QueueUrl", value=subscriber.queue.queue_url)
    CfnOutput(stack, "TopicArn", value=events.topic.topic_arn)

    orders = QueueWithDeadLetterQueue(
        stack, "Orders", visibility_timeout=Duration.seconds(orders_visibility)
    )
    CfnOutput(stack, "OrdersQueueUrl", value=orders.queue.queue_url)

    uploads_stack = Stack(
        app, UPLOADS_STACK, description="End-to-end test stack: S3 events, destroyed and re-created"
    )
    uploads = S3EventFanOut(uploads_stack, "Uploads")
    uploads.add_queue("Thumbnails")
    CfnOutput(uploads_stack, "BucketName", value=uploads.bucket.bucket_name)
    return app


if __name__ == "__main__":
    build_app().synth()
