"""Stacks that only the end-to-end suite deploys: options no example uses, kept small.

``E2eQueueOptions`` is a delay queue (``delivery_delay``) with a short redrive
(``max_receive_count=2``), so the suite can prove the delay with a stopwatch.
"""

from __future__ import annotations

from aws_cdk import App, CfnOutput, Duration, Stack

from patterns import QueueWithDeadLetterQueue

DELAY_SECONDS = 6
STACK_NAME = "E2eQueueOptions"


def build_app() -> App:
    app = App()
    stack = Stack(app, STACK_NAME, description="End-to-end test stack: a delay queue")
    delayed = QueueWithDeadLetterQueue(
        stack, "Delayed", delivery_delay=Duration.seconds(DELAY_SECONDS), max_receive_count=2
    )
    CfnOutput(stack, "DelayedQueueUrl", value=delayed.queue.queue_url)
    CfnOutput(stack, "DelayedDeadLetterQueueUrl", value=delayed.dead_letter_queue.queue_url)
    return app


if __name__ == "__main__":
    build_app().synth()
