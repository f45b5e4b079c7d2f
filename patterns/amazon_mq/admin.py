"""The broker's admin user: a generated password in Secrets Manager, never in the template.

The password reaches the broker as a ``{{resolve:secretsmanager:...}}`` dynamic reference.
Amazon MQ passwords are 12 to 250 characters, at least 4 unique, without commas, colons or
equals signs; letters and digits only (no punctuation at all) also keep the password safe
inside connection URIs, and 32 of 62 symbols with every type present gives far more than 4
unique.
"""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy
from aws_cdk import aws_amazonmq as amazonmq
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from patterns.amazon_mq.options import BrokerEngine
from patterns.compliance import acknowledge_all

PASSWORD_LENGTH = 32
_ROTATION_REASON = (
    "Amazon MQ has no managed rotation for broker users: a rotated secret would no "
    "longer match the broker's password. Change it deliberately through a stack update."
)


def create_admin_secret(
    scope: Construct,
    construct_id: str,
    *,
    broker_name: str,
    admin_username: str,
    encryption_key: kms.IKey,
    removal_policy: RemovalPolicy,
) -> secretsmanager.Secret:
    """The secret (child ``construct_id``) with the admin ``username`` and a new ``password``."""
    secret = secretsmanager.Secret(
        scope,
        construct_id,
        description=f"Admin user of the Amazon MQ broker {broker_name}",
        encryption_key=encryption_key,
        generate_secret_string=secretsmanager.SecretStringGenerator(
            secret_string_template=json.dumps({"username": admin_username}),
            generate_string_key="password",
            password_length=PASSWORD_LENGTH,
            exclude_punctuation=True,
            include_space=False,
            require_each_included_type=True,
        ),
        removal_policy=removal_policy,
    )
    acknowledge_all(
        secret,
        {
            "AwsSolutions::AwsSolutions-SMG4": _ROTATION_REASON,
            "NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled": _ROTATION_REASON,
            "HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled": _ROTATION_REASON,
        },
    )
    return secret


def admin_user(
    secret: secretsmanager.ISecret,
    *,
    engine: BrokerEngine,
    admin_username: str,
    console_access: bool,
) -> amazonmq.CfnBroker.UserProperty:
    """The broker's user entry for the admin: ActiveMQ's admin group and console access."""
    user: dict[str, object] = {
        "username": admin_username,
        "password": secret.secret_value_from_json("password").unsafe_unwrap(),
    }
    if engine == BrokerEngine.ACTIVEMQ:
        user["console_access"] = console_access
        user["groups"] = ["admin"]
    return amazonmq.CfnBroker.UserProperty(**user)  # type: ignore[arg-type]
