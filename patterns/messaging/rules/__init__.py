"""The rules of ``MessagingChecks``: message-loss and deploy traps between resources.

Each :class:`Rule` says what it finds, why it matters, how to fix it and which AWS
documentation it rests on; ``docs/messaging-checks.md`` is rendered from these definitions
(``python -m tools.messaging_checks_doc``) and a test keeps it current. A rule's check walks
a model (:class:`~patterns.messaging.model.StackModel`: one template, or the whole assembly
linked into one, :class:`~patterns.messaging.linking.AssemblyModel`) and yields :class:`Hit` s
on the resource that carries the trap. What a rule cannot follow (a resource of another
account, a parameter given at deploy, an unresolved token) is reported at level ``info`` only,
never as an error.

One module per service, each listing its rules in its ``RULES`` tuple; :data:`RULES` below
names them in the order they run and are reported and documented. What a rule is lives in
``base``. Pure Python: no aws_cdk import.
"""

from __future__ import annotations

from patterns.messaging.model import StackModel
from patterns.messaging.rules import (
    alarms_events,
    envelopes,
    event_targets,
    kcl,
    kinesis,
    lambda_async,
    lambda_consumers,
    lambda_mq,
    pipes,
    policy_denies,
    s3,
    sns,
    sqs,
    streams_brokers,
    subscriptions,
)
from patterns.messaging.rules.base import (
    ERROR,
    INFO,
    PACK_NAME,
    WARNING,
    Finding,
    Hit,
    Level,
    Rule,
    run_rules,
)

# Every rule of the pack, in the order they run, are reported and documented.
RULES: tuple[Rule, ...] = (
    *sns.RULES,
    *s3.RULES,
    *sqs.RULES,
    *lambda_consumers.RULES,
    *envelopes.RULES,
    *lambda_mq.RULES,
    *alarms_events.RULES,
    *streams_brokers.RULES,
    *kinesis.RULES,
    *kcl.RULES,
    *pipes.RULES,
    *subscriptions.RULES,
    *lambda_async.RULES,
    *event_targets.RULES,
    *policy_denies.RULES,
)


def check_template(model: StackModel) -> list[Finding]:
    """Every rule of :data:`RULES` over one model; findings in rule order."""
    return run_rules(model, RULES)


__all__ = [
    "ERROR",
    "INFO",
    "PACK_NAME",
    "RULES",
    "WARNING",
    "Finding",
    "Hit",
    "Level",
    "Rule",
    "check_template",
]
