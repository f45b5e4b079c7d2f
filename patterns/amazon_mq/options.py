"""The broker's options: engine, protocol and maintenance-window types, and what AWS allows.

The tables (ports, engine versions, instance types, deployment modes) are those of
:mod:`patterns.limits`, from the Amazon MQ developer guide; the checks raise ``ValueError`` at
synth, naming the argument, the value and what is allowed, and skip unresolved tokens.
"""

from __future__ import annotations

import dataclasses
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from aws_cdk import Token

from patterns import limits
from patterns.validation import check_unique


class BrokerEngine(Enum):
    """The broker engine; the value is CloudFormation's ``EngineType``."""

    ACTIVEMQ = "ACTIVEMQ"
    """Apache ActiveMQ: JMS (OpenWire), AMQP 1.0, STOMP, MQTT and WebSocket clients. By
    default an active/standby pair across two AZs, data at rest under the pattern's key."""
    RABBITMQ = "RABBITMQ"
    """RabbitMQ: AMQP clients on one port. By default a three-node cluster across AZs;
    data at rest under an AWS-owned key (Amazon MQ offers no other for RabbitMQ)."""


class BrokerProtocol(Enum):
    """A wire protocol clients use, and so a TLS port the broker's security group opens.

    Pass them as ``AmazonMqBroker(protocols=[...])``; ``endpoints`` gives each one's URLs.
    RabbitMQ takes ``AMQP`` only.
    """

    OPENWIRE = "OPENWIRE"
    """ActiveMQ's native protocol (JMS clients), port 61617."""
    AMQP = "AMQP"
    """AMQP over TLS, port 5671: AMQP 1.0 on ActiveMQ, RabbitMQ's AMQP 0-9-1 on RabbitMQ."""
    STOMP = "STOMP"
    """STOMP over TLS (ActiveMQ), port 61614."""
    MQTT = "MQTT"
    """MQTT over TLS (ActiveMQ), port 8883."""
    WSS = "WSS"
    """STOMP or MQTT over secure WebSocket (ActiveMQ), port 61619."""


@dataclass(frozen=True)
class MaintenanceWindow:
    """The weekly start of the maintenance window, when Amazon MQ applies patch upgrades.

    Pass it as ``AmazonMqBroker(maintenance_window=MaintenanceWindow("SUNDAY", "03:00"))``.

    :param day_of_week: ``MONDAY`` to ``SUNDAY`` (any case).
    :param time_of_day: 24-hour ``HH:MM``, for example ``"03:00"``.
    :param time_zone: An IANA ``Country/City`` time zone such as ``Europe/Berlin``, or a UTC
        offset such as ``UTC+02:00``. Default: ``UTC``.
    """

    day_of_week: str
    """The day the window starts, ``MONDAY`` to ``SUNDAY``."""
    time_of_day: str
    """The time the window starts, 24-hour ``HH:MM`` in ``time_zone``."""
    time_zone: str = "UTC"
    """The time zone of ``time_of_day``: ``UTC``, an IANA name or a UTC offset."""


# The tables of what AWS allows are written once, in patterns.limits, keyed by CloudFormation's
# names; these are the same tables keyed by this package's enums.
PROTOCOL_PORTS: Mapping[BrokerEngine, Mapping[BrokerProtocol, int]] = {
    engine: {
        BrokerProtocol(protocol): port
        for protocol, port in limits.AMAZON_MQ_PROTOCOL_PORTS[engine.value].items()
    }
    for engine in BrokerEngine
}
# The web console (ActiveMQ web console; RabbitMQ management UI and HTTP API).
CONSOLE_PORTS: Mapping[BrokerEngine, int] = {
    engine: limits.AMAZON_MQ_CONSOLE_PORTS[engine.value] for engine in BrokerEngine
}
DEFAULT_PROTOCOLS: Mapping[BrokerEngine, tuple[BrokerProtocol, ...]] = {
    BrokerEngine.ACTIVEMQ: (BrokerProtocol.OPENWIRE,),
    BrokerEngine.RABBITMQ: (BrokerProtocol.AMQP,),
}
MICRO_INSTANCE_TYPE = limits.AMAZON_MQ_MICRO_INSTANCE_TYPE
SUPPORTED_VERSIONS: Mapping[BrokerEngine, Mapping[str, tuple[str, ...]]] = {
    engine: limits.AMAZON_MQ_SUPPORTED_VERSIONS[engine.value] for engine in BrokerEngine
}
DEFAULT_ENGINE_VERSIONS: Mapping[BrokerEngine, str] = {
    BrokerEngine.ACTIVEMQ: "5.19",
    BrokerEngine.RABBITMQ: "4.2",
}
DEFAULT_INSTANCE_TYPES: Mapping[BrokerEngine, str] = {
    BrokerEngine.ACTIVEMQ: "mq.m5.large",
    BrokerEngine.RABBITMQ: "mq.m7g.large",
}
# Deployment modes: high availability unless single_instance=True.
HA_MODES: Mapping[BrokerEngine, str] = {
    engine: limits.AMAZON_MQ_HIGH_AVAILABILITY_MODES[engine.value] for engine in BrokerEngine
}
SINGLE_INSTANCE_MODE = limits.AMAZON_MQ_SINGLE_INSTANCE
SUBNET_COUNTS: Mapping[str, tuple[int, int]] = limits.AMAZON_MQ_SUBNET_COUNTS

BROKER_NAME_MAX_LENGTH = limits.AMAZON_MQ_BROKER_NAME_MAX_LENGTH
BROKER_NAME_PATTERN = re.compile(limits.AMAZON_MQ_BROKER_NAME_PATTERN)
DEFAULT_ADMIN_USERNAME = "admin"
_USERNAME_PATTERN = re.compile(limits.AMAZON_MQ_USERNAME_PATTERN)
_TIME_OF_DAY_PATTERN = re.compile(limits.AMAZON_MQ_TIME_OF_DAY_PATTERN)
# Offsets by pattern; names: the IANA database Python ships (zoneinfo).
_UTC_OFFSET_PATTERN = re.compile(limits.AMAZON_MQ_UTC_OFFSET_PATTERN)
DAYS_OF_WEEK = limits.AMAZON_MQ_DAYS_OF_WEEK
_DAY_OF_WEEK_PATTERN = re.compile(f"^({'|'.join(DAYS_OF_WEEK)})$", re.IGNORECASE)


@dataclass(frozen=True)
class BrokerSettings:
    """What the broker's options come to once defaults are applied and checked."""

    engine: BrokerEngine
    engine_version: str
    host_instance_type: str
    deployment_mode: str
    protocols: tuple[BrokerProtocol, ...]
    audit_log: bool
    admin_username: str
    console_access: bool
    maintenance_window: MaintenanceWindow | None
    ports: tuple[int, ...]
    """The TCP ports the security group opens: the protocols', then the console's."""


def broker_settings(
    *,
    engine: BrokerEngine,
    engine_version: str | None,
    host_instance_type: str | None,
    single_instance: bool,
    protocols: Sequence[BrokerProtocol] | None,
    console_access: bool,
    audit_log: bool | None,
    broker_name: str | None,
    admin_username: str,
    maintenance_window: MaintenanceWindow | None,
) -> BrokerSettings:
    """The defaults of ``engine`` where an option is left out, checked against what AWS allows."""
    settings = BrokerSettings(
        engine=engine,
        engine_version=engine_version or DEFAULT_ENGINE_VERSIONS[engine],
        host_instance_type=host_instance_type or DEFAULT_INSTANCE_TYPES[engine],
        deployment_mode=SINGLE_INSTANCE_MODE if single_instance else HA_MODES[engine],
        protocols=tuple(protocols) if protocols is not None else DEFAULT_PROTOCOLS[engine],
        audit_log=(engine == BrokerEngine.ACTIVEMQ) if audit_log is None else audit_log,
        admin_username=admin_username,
        console_access=console_access,
        maintenance_window=maintenance_window,
        ports=(),
    )
    validate_engine(
        engine=engine,
        engine_version=settings.engine_version,
        host_instance_type=settings.host_instance_type,
        deployment_mode=settings.deployment_mode,
        protocols=settings.protocols,
    )
    validate_settings(
        engine=engine,
        broker_name=broker_name,
        admin_username=admin_username,
        audit_log=settings.audit_log,
        maintenance_window=maintenance_window,
    )
    ports = tuple(PROTOCOL_PORTS[engine][protocol] for protocol in settings.protocols)
    if console_access:
        ports += (CONSOLE_PORTS[engine],)
    return dataclasses.replace(settings, ports=ports)


def validate_engine(
    *,
    engine: BrokerEngine,
    engine_version: str,
    host_instance_type: str,
    deployment_mode: str,
    protocols: Sequence[BrokerProtocol],
) -> None:
    """The engine version, instance type and protocols exist for ``engine`` and the mode."""
    # The literal checks come first: a value that passes them needs no round trip to ask
    # whether it is a token (unresolved tokens are left to deploy time).
    versions = SUPPORTED_VERSIONS[engine]
    if engine_version not in versions and not Token.is_unresolved(engine_version):
        raise ValueError(
            f"engine_version {engine_version!r} is not supported for {engine.value}; "
            f"use one of {', '.join(versions)}"
        )
    allowed_types = versions.get(engine_version, ())
    if (
        allowed_types
        and host_instance_type not in allowed_types
        and not Token.is_unresolved(host_instance_type)
    ):
        raise ValueError(
            f"host_instance_type {host_instance_type!r} is not supported for "
            f"{engine.value} {engine_version}; use one of {', '.join(allowed_types)}"
        )
    if host_instance_type == MICRO_INSTANCE_TYPE and deployment_mode != SINGLE_INSTANCE_MODE:
        raise ValueError(
            f"host_instance_type {MICRO_INSTANCE_TYPE!r} only runs single-instance brokers; "
            "set single_instance=True (development) or choose a larger instance type"
        )

    if not protocols:
        raise ValueError("protocols is empty; choose at least one protocol clients use")
    check_unique("protocol", [protocol.value for protocol in protocols])
    offered = PROTOCOL_PORTS[engine]
    for protocol in protocols:
        if protocol not in offered:
            raise ValueError(
                f"protocols includes {protocol.value}, which {engine.value} does not offer; "
                f"use {', '.join(p.value for p in offered)}"
            )


def validate_settings(
    *,
    engine: BrokerEngine,
    broker_name: str | None,
    admin_username: str,
    audit_log: bool,
    maintenance_window: MaintenanceWindow | None,
) -> None:
    """The broker name, admin username, audit log and maintenance window are valid."""
    if engine == BrokerEngine.RABBITMQ and audit_log:
        raise ValueError(
            "audit_log=True applies to ActiveMQ only: RabbitMQ brokers publish general "
            "logs only; drop audit_log"
        )
    window = maintenance_window
    # Each text option: argument, value, what AWS allows (a pattern), and in words.
    texts: list[tuple[str, str | None, re.Pattern[str], str]] = [
        (
            "broker_name",
            broker_name,
            BROKER_NAME_PATTERN,
            f"1 to {BROKER_NAME_MAX_LENGTH} letters, digits, hyphens and underscores",
        ),
        (
            "admin_username",
            admin_username,
            _USERNAME_PATTERN,
            "2 to 100 letters, digits and the characters _ . ~ - (no commas, colons, "
            "equals signs or spaces)",
        ),
        (
            "maintenance_window.day_of_week",
            window.day_of_week if window else None,
            _DAY_OF_WEEK_PATTERN,
            f"one of {', '.join(DAYS_OF_WEEK)}",
        ),
        (
            "maintenance_window.time_of_day",
            window.time_of_day if window else None,
            _TIME_OF_DAY_PATTERN,
            "24-hour HH:MM, e.g. '03:00'",
        ),
    ]
    for argument, value, pattern, allowed in texts:
        if value is not None and not pattern.match(value) and not Token.is_unresolved(value):
            raise ValueError(f"{argument} {value!r} must be {allowed}")
    if window is not None:
        _check_time_zone(window.time_zone)


def _check_time_zone(zone: str) -> None:
    if _UTC_OFFSET_PATTERN.match(zone) or Token.is_unresolved(zone):
        return
    names = zoneinfo.available_timezones()
    if not names or zone in names:  # no time zone database at hand: nothing to check against
        return
    raise ValueError(
        f"maintenance_window.time_zone {zone!r} must be an IANA time zone (Country/City, "
        "e.g. 'Europe/Berlin', or 'UTC') or a UTC offset from UTC-14:00 to UTC+14:00 "
        "(e.g. 'UTC+02:00')"
    )
