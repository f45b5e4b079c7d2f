"""Put failed messages back: list a deployed stack's dead-letter queues, redrive, watch, cancel.

``python -m patterns.redrive list STACK`` finds every dead-letter queue of a deployed stack
(nested stacks included) from the stack's own resources, never from names typed by hand, and
prints its depth, the queues it serves and its recent move tasks. ``start`` asks SQS to move
the messages back to the queues they failed from (``StartMessageMoveTask``, optionally at a
fixed rate), ``status`` shows the progress and ``cancel`` stops a running task.

Credentials, Region and endpoint come from the standard AWS chain (``AWS_PROFILE``,
``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL`` ...), so the same command works against LocalStack
(``AWS_ENDPOINT_URL=http://127.0.0.1:4566``). Exit status: 0 done, 2 for a usage error or what
cannot be done (one line on stderr saying why, never a traceback), 130 when interrupted.

**From Python, with the clients you choose.** [`main`][patterns.redrive.main] runs the same
command, ``main(argv, clients=..., out=...)``, and takes its AWS clients from ``clients``, a
[`ClientFactory`][patterns.redrive.ClientFactory]: a function of the service name
(``"cloudformation"``, ``"sqs"``, ``"sns"``) that returns that service's boto3 client, or any
object with the client methods the command calls. That is how to try it without AWS:

- fakes that answer as AWS would, to see what each sub-command prints before touching an
  account: the runnable example in [Try it without AWS, or with your own
  session][try-it-without-aws-or-with-your-own-session] (the command's tests do the same);
- boto3 clients pointed at LocalStack:
  ``lambda service: boto3.client(service, endpoint_url="http://127.0.0.1:4566",
  region_name="us-east-1")``;
- a session of your own: ``boto3.Session(profile_name="ops").client``.

It needs ``boto3`` (installed with the package's ``redrive`` extra) and, in IAM terms,
``cloudformation:ListStackResources``, ``sqs:GetQueueAttributes``,
``sns:GetSubscriptionAttributes``, ``sqs:ListMessageMoveTasks``, ``sqs:StartMessageMoveTask``
and ``sqs:CancelMessageMoveTask``
plus what SQS needs to move messages (``sqs:ReceiveMessage``, ``sqs:DeleteMessage`` and
``sqs:GetQueueAttributes`` on the dead-letter queue, ``sqs:SendMessage`` on the source queue,
and the keys' ``kms:Decrypt`` / ``kms:GenerateDataKey`` where they are encrypted). The
``grant_redrive`` method of ``QueueWithDeadLetterQueue`` grants exactly that.

SQS moves messages only out of queues that are dead-letter queues *of SQS queues*: the
dead-letter queues of SNS subscriptions are listed (with their depth) but cannot be redriven
this way; SQS says so, and so does this command.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, TextIO

__all__ = [
    "ClientFactory",
    "DeadLetterQueue",
    "RedriveError",
    "find_dead_letter_queues",
    "main",
    "parser",
]

QUEUE_TYPE = "AWS::SQS::Queue"
SUBSCRIPTION_TYPE = "AWS::SNS::Subscription"
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
RUNNING = "RUNNING"
FINISHED = ("COMPLETED", "CANCELLED", "FAILED")
RATE_RANGE = (1, 500)  # MaxNumberOfMessagesPerSecond, from the StartMessageMoveTask reference
POLL_SECONDS = 2.0


class RedriveError(Exception):
    """What the user asked cannot be done; the message says why and what to do."""


@dataclass
class DeadLetterQueue:
    """A dead-letter queue of the stack, with what feeds it, as
    [`find_dead_letter_queues`][patterns.redrive.find_dead_letter_queues] finds it.

    :param logical_id: The queue's logical ID in its stack's template.
    :param url: The queue's URL (its physical ID).
    :param arn: The queue's ARN.
    :param visible: Messages waiting in it (``ApproximateNumberOfMessages``).
    :param in_flight: Messages received from it and not yet deleted
        (``ApproximateNumberOfMessagesNotVisible``).
    :param source_queues: ARNs of the stack's SQS queues whose redrive policy names it.
        Default: none.
    :param subscriptions: ARNs of the stack's SNS subscriptions whose redrive policy names it.
        Default: none.
    """

    logical_id: str
    """The queue's logical ID in its stack's template (nested stacks' included)."""
    url: str
    """The queue's URL, as SQS's API takes it."""
    arn: str
    """The queue's ARN, the ``SourceArn`` of its move tasks."""
    visible: int
    """Messages waiting in it when it was read (``ApproximateNumberOfMessages``)."""
    in_flight: int
    """Messages received from it and not yet deleted when it was read
    (``ApproximateNumberOfMessagesNotVisible``)."""
    source_queues: list[str] = field(default_factory=list)
    """ARNs of the SQS queues it is the dead-letter queue of: where a redrive moves its
    messages back to."""
    subscriptions: list[str] = field(default_factory=list)
    """ARNs of the SNS subscriptions it is the dead-letter queue of (SQS cannot redrive
    those)."""

    @property
    def name(self) -> str:
        """The queue's name (the last part of its ARN), as ``--dlq`` takes it."""
        return self.arn.rsplit(":", 1)[-1]

    @property
    def redrivable(self) -> bool:
        """Whether SQS can move its messages back: only the dead-letter queue of an SQS queue
        (not only of SNS subscriptions) can be redriven."""
        return bool(self.source_queues)


ClientFactory = Callable[[str], Any]
"""What [`main`][patterns.redrive.main] takes its AWS clients from: a function of a service
name, ``"cloudformation"``, ``"sqs"`` or ``"sns"``, that returns a client of that service.

``boto3.client`` (the default), ``boto3.Session(...).client``, a function that makes boto3
clients with ``endpoint_url="http://127.0.0.1:4566"`` for LocalStack, or one that returns
fakes. A client needs only the methods the command calls:

- ``cloudformation``: ``get_paginator("list_stack_resources")``, whose
  ``paginate(StackName=...)`` returns pages of ``StackResourceSummaries``;
- ``sqs``: ``get_queue_attributes`` and ``list_message_move_tasks``, and for ``start`` and
  ``cancel`` ``start_message_move_task`` and ``cancel_message_move_task``;
- ``sns``: ``get_subscription_attributes``, for a stack with SNS subscriptions.

Each answers with the shapes of boto3's responses (``{"Attributes": {...}}``,
``{"Results": [...]}``, ...).
"""


def _boto3_client(service: str) -> Any:
    try:
        import boto3  # type: ignore[import-untyped]  # optional: the redrive extra
    except ModuleNotFoundError as error:
        raise RedriveError(
            "the redrive command needs boto3: pip install boto3 (or install this package "
            "with its redrive extra)"
        ) from error
    return boto3.client(service)


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors on one line (and exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"redrive: {message} (see {self.prog} --help)\n")


def stack_resources(cloudformation: Any, stack: str) -> Iterator[tuple[str, str, str]]:
    """(logical ID, type, physical ID) of every resource of ``stack`` and its nested stacks."""
    paginator = cloudformation.get_paginator("list_stack_resources")
    for page in paginator.paginate(StackName=stack):
        for resource in page["StackResourceSummaries"]:
            kind = resource["ResourceType"]
            physical = resource.get("PhysicalResourceId", "")
            if kind == NESTED_STACK_TYPE and physical:
                yield from stack_resources(cloudformation, physical)
            elif physical:
                yield resource["LogicalResourceId"], kind, physical


def find_dead_letter_queues(clients: ClientFactory, stack: str) -> list[DeadLetterQueue]:
    """The stack's dead-letter queues: targets of its queues' and subscriptions' redrive.

    Reads the resources of ``stack`` and its nested stacks, the attributes of each of its
    queues and subscriptions, and keeps the queues their redrive policies name. A dead-letter
    queue of another stack is left to that stack.

    :param clients: Gives the ``cloudformation``, ``sqs`` and ``sns`` clients (see
        [`ClientFactory`][patterns.redrive.ClientFactory]).
    :param stack: The deployed stack's name.
    :return: The dead-letter queues, sorted by logical ID; empty when the stack has none.
    :raises RedriveError: The stack's resources cannot be read (no such stack, no access).
    """
    cloudformation, sqs, sns = clients("cloudformation"), clients("sqs"), clients("sns")
    try:
        resources = list(stack_resources(cloudformation, stack))
    except Exception as error:
        raise RedriveError(f"cannot read the resources of stack {stack!r}: {error}") from error
    queues: dict[str, tuple[str, str, dict[str, str]]] = {}  # ARN -> logical ID, URL, attributes
    subscriptions: list[str] = []
    for logical_id, kind, physical in resources:
        if kind == QUEUE_TYPE:
            attributes = sqs.get_queue_attributes(QueueUrl=physical, AttributeNames=["All"])[
                "Attributes"
            ]
            queues[attributes["QueueArn"]] = (logical_id, physical, attributes)
        elif kind == SUBSCRIPTION_TYPE:
            subscriptions.append(physical)

    targets: dict[str, DeadLetterQueue] = {}

    def target(arn: str) -> DeadLetterQueue | None:
        if arn not in queues:
            return None  # a DLQ outside this stack: its own stack lists it
        if arn not in targets:
            logical_id, url, attributes = queues[arn]
            targets[arn] = DeadLetterQueue(
                logical_id=logical_id,
                url=url,
                arn=arn,
                visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
                in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
            )
        return targets[arn]

    for arn, (_, _, attributes) in queues.items():
        if "RedrivePolicy" in attributes:
            dlq = target(json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"])
            if dlq is not None:
                dlq.source_queues.append(arn)
    for subscription in subscriptions:
        attributes = sns.get_subscription_attributes(SubscriptionArn=subscription)["Attributes"]
        if "RedrivePolicy" in attributes:
            dlq = target(json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"])
            if dlq is not None:
                dlq.subscriptions.append(subscription)
    return sorted(targets.values(), key=lambda dlq: dlq.logical_id)


def move_tasks(sqs: Any, dlq: DeadLetterQueue) -> list[dict[str, Any]]:
    """The most recent move tasks of ``dlq`` (SQS keeps up to 10), newest first."""
    if not dlq.redrivable:
        return []
    return list(sqs.list_message_move_tasks(SourceArn=dlq.arn, MaxResults=10)["Results"])


def select(
    dlqs: Sequence[DeadLetterQueue], wanted: str | None, stack: str = "the stack"
) -> list[DeadLetterQueue]:
    """The dead-letter queues named by ``wanted`` (queue name or logical ID), or all.

    A stack without any is an error: there is nothing to redrive, watch or cancel.
    """
    if not dlqs:
        raise RedriveError(
            f"stack {stack} has no dead-letter queues (none of its queues or subscriptions has "
            "a redrive policy), so there is nothing to redrive; check the stack name, or run "
            "`list` to see what the command finds"
        )
    if wanted is None:
        return list(dlqs)
    chosen = [dlq for dlq in dlqs if wanted in (dlq.name, dlq.logical_id, dlq.url, dlq.arn)]
    if not chosen:
        names = ", ".join(dlq.name for dlq in dlqs) or "none"
        raise RedriveError(f"--dlq {wanted!r} names no dead-letter queue of the stack ({names})")
    return chosen


def _describe_task(task: dict[str, Any]) -> str:
    moved = task.get("ApproximateNumberOfMessagesMoved", 0)
    total = task.get("ApproximateNumberOfMessagesToMove")
    progress = f"{moved}/{total}" if total is not None else f"{moved}"
    failure = f" ({task['FailureReason']})" if task.get("FailureReason") else ""
    return f"{task['Status']}: {progress} moved{failure}"


def command_list(clients: ClientFactory, stack: str, out: TextIO) -> int:
    dlqs = find_dead_letter_queues(clients, stack)
    if not dlqs:
        print(f"stack {stack} has no dead-letter queues", file=out)
        return 0
    sqs = clients("sqs")
    for dlq in dlqs:
        print(f"{dlq.name}  ({dlq.logical_id})", file=out)
        print(f"  messages: {dlq.visible} waiting, {dlq.in_flight} in flight", file=out)
        for source in dlq.source_queues:
            print(f"  dead-letter queue of {source.rsplit(':', 1)[-1]}", file=out)
        for subscription in dlq.subscriptions:
            print(f"  dead-letter queue of the SNS subscription {subscription}", file=out)
        if not dlq.redrivable:
            print(
                "  redrive: not possible with SQS (it only moves messages out of dead-letter "
                "queues of SQS queues)",
                file=out,
            )
        tasks = move_tasks(sqs, dlq)
        if tasks:
            print(f"  last move task: {_describe_task(tasks[0])}", file=out)
    return 0


def command_start(
    clients: ClientFactory,
    stack: str,
    wanted: str | None,
    rate: int | None,
    wait: bool,
    out: TextIO,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    if rate is not None and not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
        raise RedriveError(
            f"--rate {rate} must be between {RATE_RANGE[0]} and {RATE_RANGE[1]} messages per "
            "second (SQS's MaxNumberOfMessagesPerSecond)"
        )
    sqs = clients("sqs")
    dlqs = select(find_dead_letter_queues(clients, stack), wanted, stack)
    started: list[tuple[DeadLetterQueue, str]] = []
    for dlq in dlqs:
        if not dlq.redrivable:
            if wanted is not None:
                raise RedriveError(
                    f"{dlq.name} is the dead-letter queue of an SNS subscription; SQS only moves "
                    "messages out of dead-letter queues of SQS queues: receive them and publish "
                    "them again to the topic"
                )
            print(f"{dlq.name}: skipped (dead-letter queue of an SNS subscription)", file=out)
            continue
        running = [task for task in move_tasks(sqs, dlq) if task["Status"] == RUNNING]
        if running:
            raise RedriveError(
                f"{dlq.name} already has a running move task ({_describe_task(running[0])}); "
                "SQS runs one at a time per queue: wait for it, or `cancel` it first"
            )
        if dlq.visible == 0:
            print(f"{dlq.name}: nothing to redrive (0 messages waiting)", file=out)
            continue
        arguments: dict[str, Any] = {"SourceArn": dlq.arn}
        if rate is not None:
            arguments["MaxNumberOfMessagesPerSecond"] = rate
        try:
            handle = sqs.start_message_move_task(**arguments)["TaskHandle"]
        except Exception as error:
            raise RedriveError(f"SQS refused to redrive {dlq.name}: {error}") from error
        sources = ", ".join(source.rsplit(":", 1)[-1] for source in dlq.source_queues)
        pace = f" at {rate} messages per second" if rate else ""
        print(f"{dlq.name}: moving about {dlq.visible} messages back to {sources}{pace}", file=out)
        started.append((dlq, handle))
    if wait:
        for dlq, _ in started:
            _wait(sqs, dlq, out, sleep)
    return 0


def _wait(sqs: Any, dlq: DeadLetterQueue, out: TextIO, sleep: Callable[[float], None]) -> None:
    while True:
        tasks = move_tasks(sqs, dlq)
        if tasks:
            print(f"{dlq.name}: {_describe_task(tasks[0])}", file=out)
            if tasks[0]["Status"] in FINISHED:
                if tasks[0]["Status"] == "FAILED":
                    raise RedriveError(f"the move task of {dlq.name} failed")
                return
        sleep(POLL_SECONDS)


def command_status(clients: ClientFactory, stack: str, wanted: str | None, out: TextIO) -> int:
    sqs = clients("sqs")
    for dlq in select(find_dead_letter_queues(clients, stack), wanted, stack):
        tasks = move_tasks(sqs, dlq)
        latest = _describe_task(tasks[0]) if tasks else "no move task"
        print(f"{dlq.name}: {dlq.visible} waiting; {latest}", file=out)
    return 0


def command_cancel(clients: ClientFactory, stack: str, wanted: str | None, out: TextIO) -> int:
    sqs = clients("sqs")
    cancelled = 0
    for dlq in select(find_dead_letter_queues(clients, stack), wanted, stack):
        for task in move_tasks(sqs, dlq):
            if task["Status"] == RUNNING:
                moved = sqs.cancel_message_move_task(TaskHandle=task["TaskHandle"])
                count = moved.get("ApproximateNumberOfMessagesMoved", 0)
                print(
                    f"{dlq.name}: cancelled after {count} messages moved (those stay moved)",
                    file=out,
                )
                cancelled += 1
    if cancelled == 0:
        print("no running move task to cancel", file=out)
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m patterns.redrive``: its sub-commands and options (the
    [commands page][python--m-patternsredrive] shows them with what each does)."""
    parser = _Parser(
        prog="python -m patterns.redrive",
        description="Redrive the dead-letter queues of a deployed stack back to their sources.",
        epilog=(
            "Credentials, Region and endpoint come from the standard AWS chain (AWS_PROFILE, "
            "AWS_DEFAULT_REGION, AWS_ENDPOINT_URL: http://127.0.0.1:4566 for LocalStack). "
            "From Python, patterns.redrive.main(argv, clients=...) runs the command with "
            "clients of your choice, fakes included, to try it without AWS. Exit status: 0 "
            "done, 2 a usage error or what cannot be done (one line on stderr), 130 "
            "interrupted."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("list", "the stack's dead-letter queues, their depth, sources and last move task"),
        ("start", "move the messages of the dead-letter queues back to their source queues"),
        ("status", "progress of the latest move task of each dead-letter queue"),
        ("cancel", "cancel the running move tasks (messages already moved stay moved)"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "stack",
            help=(
                "the deployed stack's name, as CloudFormation knows it; its nested stacks "
                "are read too"
            ),
        )
        if name != "list":
            command.add_argument(
                "--dlq",
                help=(
                    "only this dead-letter queue: its queue name, logical ID, URL or ARN, "
                    "as list prints them. Default: every dead-letter queue of the stack"
                ),
            )
        if name == "start":
            command.add_argument(
                "--rate",
                type=int,
                help=(
                    "move at most this many messages per second, 1 to 500 (SQS's "
                    "MaxNumberOfMessagesPerSecond), to spare a consumer that is recovering. "
                    "Default: none (SQS sets the rate from the backlog, and may change it)"
                ),
            )
            command.add_argument(
                "--wait",
                action="store_true",
                help=(
                    "print each task's progress every 2 seconds until it ends, and exit 2 if "
                    "one fails. Default: off (start the tasks and return)"
                ),
            )
    return parser


def main(
    argv: Sequence[str] | None = None,
    clients: ClientFactory = _boto3_client,
    out: TextIO = sys.stdout,
) -> int:
    """Run the command as ``python -m patterns.redrive`` does, with the AWS clients you give.

    With fakes from ``clients`` it runs without AWS (see
    [`ClientFactory`][patterns.redrive.ClientFactory] for what they must answer); with
    ``lambda service: boto3.client(service, endpoint_url="http://127.0.0.1:4566",
    region_name="us-east-1")`` it runs against LocalStack.

    :param argv: The command line after ``python -m patterns.redrive``, e.g.
        ``["list", "Shop"]`` or ``["start", "Shop", "--dlq", "jobs-dlq", "--wait"]``.
        Default: ``sys.argv[1:]``.
    :param clients: Gives the client of a service name. Default: ``boto3.client``, which
        reads credentials, Region and endpoint from the standard AWS chain (it needs boto3,
        the package's ``redrive`` extra).
    :param out: Where the report is written. Default: ``sys.stdout``; errors go to
        ``sys.stderr``, one line each.
    :return: The exit status: 0 done (``--help`` too), 2 for a usage error or what cannot be
        done, 130 when interrupted.
    """
    try:
        args = parser().parse_args(argv)
    except SystemExit as done:  # --help (0) or a usage error (2), already printed
        return done.code if isinstance(done.code, int) else 2
    try:
        return _run(args, clients, out)
    except RedriveError as error:
        print(f"redrive: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        print(
            "redrive: interrupted; a move task already started keeps running (`status` shows "
            "it, `cancel` stops it)",
            file=sys.stderr,
        )
        return 130
    except Exception as error:
        # botocore's own errors (no Region, no credentials, access denied) say what is wrong;
        # anything else is reported on one line too, with its type, rather than a traceback.
        detail = (
            str(error)
            if type(error).__module__.startswith("botocore")
            else (f"unexpected {type(error).__name__}: {error}")
        )
        print(f"redrive: {detail}", file=sys.stderr)
    return 2


def _run(args: argparse.Namespace, clients: ClientFactory, out: TextIO) -> int:
    if args.command == "list":
        return command_list(clients, args.stack, out)
    if args.command == "start":
        return command_start(clients, args.stack, args.dlq, args.rate, args.wait, out)
    if args.command == "status":
        return command_status(clients, args.stack, args.dlq, out)
    return command_cancel(clients, args.stack, args.dlq, out)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the output piped into head or less that closed early
        sys.stderr.close()
        sys.exit(1)
