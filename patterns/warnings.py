"""One wording per warning ID: the ``patterns:*`` synth warnings, each with its message template.

A pattern emits a warning with
``Annotations.of(scope).add_warning_v2(WARNING.id, WARNING.message(...))``, filling the
template's fields with what it knows (paths, principals, what is lost), so the same ID reads
the same wherever it is raised, and users can acknowledge it by that ID. Imports no CDK.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PatternWarning:
    """A warning ID and the one message template every pattern raising it fills in."""

    id: str
    template: str

    def message(self, **fields: str) -> str:
        """The message, with the template's ``{fields}`` filled in (all of them required)."""
        return self.template.format(**fields)


IMPORTED_QUEUE_POLICY = PatternWarning(
    "patterns:ImportedQueuePolicy",
    "The policy of imported queue {queue} cannot be changed here: its owner must allow "
    "{principal} sqs:SendMessage with aws:SourceArn = {source} and aws:SourceAccount = its "
    "account, or {consequence}",
)

IMPORTED_KEY_POLICY = PatternWarning(
    "patterns:ImportedKeyPolicy",
    "The key {key} is imported, so its key policy cannot be changed here: its owner must let "
    "{principal} use it {purpose}, or {consequence}{statement}",
)

FILTER_POLICY_QUOTA = PatternWarning(
    "patterns:FilterPolicyQuota",
    "{count} subscriptions of {topic} have filter policies; SNS allows {quota} per topic by "
    "default and rejects the rest unless the quota is raised (Service Quotas)",
)
