"""One removal-policy rule for every pattern (docs/lifecycle.md, "Removal policy").

- **Data is retained** by default: what a pattern keeps as a record (the buckets of uploads
  and delivered records) survives ``cdk destroy`` and replacement.
- **Messages in transit are destroyed** by default: queues, topics and streams hand messages
  on; a retained queue would keep its fixed name and block deploying the stack again.
- **Keys follow what they encrypt** (:func:`key_removal_policy`): a key is destroyed only when
  everything it encrypts is destroyed, and retained as soon as one of those things is kept.
  A destroyed key is not deleted at once: KMS schedules the deletion and keeps the key for a
  waiting period of 7 to 30 days, in which ``CancelKeyDeletion`` brings it back
  (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html). That window is
  the safety net, so it is set to :data:`KEY_PENDING_WINDOW`, longer than the longest time a
  message can wait in SQS (14 days): messages still encrypted under a key that was replaced
  (SQS keeps decrypting them with the key that encrypted them) can always be recovered.

Imports no pattern.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy

# Defaults of the rule, for the ``removal_policy`` options of the patterns.
DATA_REMOVAL_POLICY = RemovalPolicy.RETAIN
IN_TRANSIT_REMOVAL_POLICY = RemovalPolicy.DESTROY

# The KMS maximum (and default). A key pending deletion cannot be used, so nothing is gained by
# a shorter window, and a window shorter than the 14-day SQS retention could let a key go while
# messages encrypted under it still wait in a queue.
KEY_PENDING_WINDOW = Duration.days(30)


def key_removal_policy(*encrypted: RemovalPolicy) -> RemovalPolicy:
    """The removal policy of a key that encrypts resources with the ``encrypted`` policies.

    ``DESTROY`` when every one of them is destroyed; otherwise ``RETAIN`` (data retained,
    kept as a snapshot or retained on replacement stays readable only with its key).
    """
    if not encrypted:
        raise ValueError("key_removal_policy needs the removal policy of what the key encrypts")
    if all(policy == RemovalPolicy.DESTROY for policy in encrypted):
        return RemovalPolicy.DESTROY
    return RemovalPolicy.RETAIN
