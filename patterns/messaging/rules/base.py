"""What a rule is (ID, :class:`Level`, why, fix, AWS sources, check): ``@rule(...)`` turns a
check into a :class:`Rule`, each service module lists its own in its ``RULES`` tuple, and
``run_rules`` runs the rules it is given over a model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from patterns.messaging.model import (
    StackModel,
    Target,
    Unknown,
)
from patterns.messaging.permissions import (
    key_admits_service,
    key_info,
)

PACK_NAME = "Messaging"


class Level(StrEnum):
    """How much a finding matters: an error fails synth (and the command), a warning is a
    risk, a note (``info``) a reference the rules could not follow. The values are what the
    reports print and what ``--fail-on`` takes."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


ERROR = Level.ERROR
WARNING = Level.WARNING
INFO = Level.INFO
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


@dataclass(frozen=True)
class Hit:
    """One finding of a rule on one resource of a template."""

    logical_id: str
    message: str
    level: Level | None = None  # the rule's level unless INFO

    def __post_init__(self) -> None:
        # cdk-nag's validation report keeps one severity per rule name: a finding of another
        # level would be shown with the wrong one in plugin mode (write a second rule).
        if self.level not in (None, INFO):
            raise ValueError(
                f"a finding of level {self.level!r}: one level per rule, a finding may only be "
                f"a note ({INFO!r}); write a second rule for the other level"
            )


@dataclass(frozen=True)
class Rule:
    """A rule: its ID suffix, level, documentation and check."""

    suffix: str
    level: Level
    title: str
    why: str
    fix: str
    sources: tuple[str, ...]
    check: Callable[[StackModel], Iterator[Hit]] = field(repr=False, compare=False)
    # cdk-nag rules (of the AwsSolutions, HIPAA, NIST, PCI and Serverless packs) that find the
    # same thing, or part of it, on one resource: "Serverless-SQSRedrivePolicy".
    overlaps: tuple[str, ...] = ()

    @property
    def rule_id(self) -> str:
        return f"{PACK_NAME}-{self.suffix}"

    def __call__(self, model: StackModel) -> Iterator[Hit]:
        """The check's hits on ``model`` (a rule reads like the function it was made from)."""
        return self.check(model)


@dataclass(frozen=True)
class Finding:
    """A hit with its rule, ready to report: ``Messaging-SNS1`` on a resource of a stack."""

    rule_id: str
    level: Level
    stack: str
    logical_id: str
    path: str
    message: str
    fix: str
    template_file: str = ""  # relative to the cloud assembly (empty for a template alone)
    acknowledged: str | None = None  # the reason of the acknowledgement that applies, if any


def rule(
    suffix: str,
    level: Level,
    *,
    title: str,
    why: str,
    fix: str,
    sources: tuple[str, ...],
    overlaps: tuple[str, ...] = (),
) -> Callable[[Callable[[StackModel], Iterator[Hit]]], Rule]:
    """The :class:`Rule` made of the check it decorates (nothing is registered: the module
    lists its rules in its ``RULES`` tuple)."""

    def make(check: Callable[[StackModel], Iterator[Hit]]) -> Rule:
        return Rule(suffix, level, title, why, fix, sources, check, overlaps)

    return make


def run_rules(model: StackModel, rules: Iterable[Rule]) -> list[Finding]:
    """``rules`` over one model (a template, or a whole assembly:
    :class:`~patterns.messaging.linking.AssemblyModel`); findings in rule order."""
    findings: list[Finding] = []
    for current in rules:
        seen: set[tuple[str, str]] = set()
        for hit in current.check(model):
            if (hit.logical_id, hit.message) in seen:
                continue
            seen.add((hit.logical_id, hit.message))
            where = model.locate(hit.logical_id)
            findings.append(
                Finding(
                    current.rule_id,
                    hit.level or current.level,
                    where.stack,
                    where.logical_id,
                    model.path(hit.logical_id),
                    hit.message,
                    current.fix,
                    where.template_file,
                )
            )
    return findings


def cannot_follow(logical_id: str, what: str, target: Target) -> Hit:
    reason = target.reason if isinstance(target, Unknown) else f"{getattr(target, 'text', '')}"
    return Hit(logical_id, f"not checked: {what} cannot be followed ({reason})", INFO)


def describe(model: StackModel, logical_id: str) -> str:
    return f"{logical_id} ({model.type_of(logical_id)})"


def managed_key_hits(model: StackModel, at: str, destination: str, service: str) -> Iterator[Hit]:
    key = key_info(model, model.props(destination).get("KmsMasterKeyId"))
    if key.kind == "aws-managed":
        yield Hit(
            at,
            f"{describe(model, destination)} is encrypted with the AWS-managed key {key.detail}, "
            f"whose policy cannot be changed to let {service} use it",
        )


def customer_key_hits(model: StackModel, at: str, destination: str, service: str) -> Iterator[Hit]:
    key = key_info(model, model.props(destination).get("KmsMasterKeyId"))
    if key.kind == "customer" and key.logical_id is not None:
        if not key_admits_service(model, key.logical_id, service, KEY_ACTIONS):
            yield Hit(
                at,
                f"the key policy of {key.logical_id}, which encrypts {destination}, does not let "
                f"{service} use kms:GenerateDataKey* and kms:Decrypt",
            )
    elif key.kind == "unknown":
        yield Hit(at, f"not checked: the key of {destination} is {key.detail}", INFO)


QUEUE_QUOTAS = (
    "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html"
)
SNS_SQS_ENCRYPTION = "https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html"
SQS_KEY_MANAGEMENT = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html"
KINESIS_KEY_PERMISSIONS = (
    "https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html"
)
SNS_KEY_MANAGEMENT = (
    "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html"
    "#compatibility-with-aws-services"
)
