"""The broker's generated name: stack name and position plus a digest of what replaces it.

A broker's name is required, fixed at creation and unique in the account and Region, and
CloudFormation cannot replace a resource under the same name. So the generated name ends
with a digest of the broker's create-only properties: an edit that replaces the broker
renames it too, and the new broker is created before the old one is deleted
(docs/lifecycle.md). It is resolved once, at synth, from the final ``CfnBroker``, so changes
made through the exposed L1 after construction count as well.
"""

from __future__ import annotations

from collections.abc import Mapping

import jsii
from aws_cdk import IStableStringProducer, Lazy, Stack, Token
from aws_cdk import aws_amazonmq as amazonmq
from constructs import Construct

from patterns.amazon_mq.options import BROKER_NAME_MAX_LENGTH, BROKER_NAME_PATTERN
from patterns.lookups import properties_of
from patterns.naming import physical_name

# AWS::AmazonMQ::Broker createOnlyProperties (the resource schema cfn-lint ships), BrokerName
# aside: a change to any of them replaces the broker, so a generated name ends with their
# digest and the replacement can be created under a new name before the old one is deleted.
CREATE_ONLY_PROPERTIES: Mapping[str, str] = {
    "AuthenticationStrategy": "authentication_strategy",
    "DeploymentMode": "deployment_mode",
    "EncryptionOptions": "encryption_options",
    "EngineType": "engine_type",
    "PubliclyAccessible": "publicly_accessible",
    "StorageType": "storage_type",
    "SubnetIds": "subnet_ids",
}


class GeneratedBrokerName:
    """The generated name of a broker: a token now, resolved once at synth.

    Resolved once (the name appears in dozens of places: alarms, policies, outputs), when
    synthesis first needs it, by which time the construct tree is final. :meth:`attach` the
    ``CfnBroker`` once it exists.
    """

    def __init__(self, scope: Construct) -> None:
        self._producer = _GeneratedBrokerName(scope)
        self.token = Lazy.string(self._producer)

    def attach(self, broker: amazonmq.CfnBroker) -> None:
        """The broker whose final create-only properties the name ends with a digest of."""
        self._producer.broker = broker


def broker_name_errors(broker: amazonmq.CfnBroker, path: str, *, valid: str | None) -> list[str]:
    """The final ``BrokerName`` (given, generated or set through the L1) is a valid name.

    :param valid: the name the pattern gave and knows valid (checked, or generated), if any:
        a final name equal to it needs no resolving.
    """
    final = broker.broker_name
    if valid is not None and final == valid:
        return []
    name = Stack.of(broker).resolve(final)
    if (
        isinstance(name, str)
        and not Token.is_unresolved(name)
        and not BROKER_NAME_PATTERN.match(name)
    ):
        return [
            f"BrokerName {name!r} of {path} must be 1 to "
            f"{BROKER_NAME_MAX_LENGTH} letters, digits, hyphens and underscores"
        ]
    return []


@jsii.implements(IStableStringProducer)
class _GeneratedBrokerName:
    """Produces the generated broker name at synth from the final create-only properties."""

    def __init__(self, scope: Construct) -> None:
        self._scope = scope
        self.broker: amazonmq.CfnBroker | None = None

    def produce(self) -> str:
        broker = self.broker
        assert broker is not None, "GeneratedBrokerName.attach was not called"
        # Every property in one read (keyed by the camelCase CloudFormation name) rather than
        # a read per property and per field of a struct.
        properties = properties_of(broker)
        values = {
            name: properties.get(name[0].lower() + name[1:]) for name in CREATE_ONLY_PROPERTIES
        }
        create_only = {name: value for name, value in values.items() if value is not None}
        return physical_name(
            self._scope, max_length=BROKER_NAME_MAX_LENGTH, separator="-", create_only=create_only
        )
