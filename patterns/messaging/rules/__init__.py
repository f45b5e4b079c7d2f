"""The rules of ``MessagingChecks``: message-loss and deploy traps between resources.

Each :class:`Rule` says what it finds, why it matters, how to fix it and which AWS
documentation it rests on; ``docs/messaging-checks.md`` is rendered from these definitions
(``python -m tools.messaging_checks_doc``) and a test keeps it current. A rule's check walks
a model (:class:`~patterns.messaging.model.StackModel`: one template, or the whole assembly
linked into one, :class:`~patterns.messaging.linking.AssemblyModel`) and yields :class:`Hit` s
on the resource that carries the trap. What a rule cannot follow (a resource of another
account, a parameter given at deploy, an unresolved token) is reported at level ``info`` only,
never as an error.

One module per service, imported here in the order the rules are listed and documented:
``sns``, ``s3``, ``sqs``, ``lambda_consumers``, ``envelopes``, ``lambda_mq``, ``alarms_events``,
``streams_brokers``, ``kinesis``, ``kcl``, ``pipes``, ``subscriptions``, ``lambda_async``,
``event_targets``, ``policy_denies``; what a rule is and the registry live in ``base``. Pure
Python: no aws_cdk import.
"""

from __future__ import annotations

# The order of these imports is the order of RULES, of the findings and of the docs.
# isort: off
from patterns.messaging.rules import sns  # noqa: F401
from patterns.messaging.rules import s3  # noqa: F401
from patterns.messaging.rules import sqs  # noqa: F401
from patterns.messaging.rules import lambda_consumers  # noqa: F401
from patterns.messaging.rules import envelopes  # noqa: F401
from patterns.messaging.rules import lambda_mq  # noqa: F401
from patterns.messaging.rules import alarms_events  # noqa: F401
from patterns.messaging.rules import streams_brokers  # noqa: F401
from patterns.messaging.rules import kinesis  # noqa: F401
from patterns.messaging.rules import kcl  # noqa: F401
from patterns.messaging.rules import pipes  # noqa: F401
from patterns.messaging.rules import subscriptions  # noqa: F401
from patterns.messaging.rules import lambda_async  # noqa: F401
from patterns.messaging.rules import event_targets  # noqa: F401
from patterns.messaging.rules import policy_denies  # noqa: F401

# isort: on
from patterns.messaging.rules.base import (
    ERROR,
    INFO,
    PACK_NAME,
    RULES,
    WARNING,
    Finding,
    Hit,
    Rule,
    check_template,
)

__all__ = [
    "ERROR",
    "INFO",
    "PACK_NAME",
    "RULES",
    "WARNING",
    "Finding",
    "Hit",
    "Rule",
    "check_template",
]
