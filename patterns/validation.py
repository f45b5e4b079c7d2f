"""Synth-time validation shared by every pattern.

Each check skips unresolved tokens (their value is only known at deploy time) and
raises ``ValueError`` naming the argument, the value given and the allowed range.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable

from aws_cdk import Duration, Token


def is_unresolved_text(value: str) -> bool:
    """Whether ``value`` holds a CDK token, answered in Python (no jsii round trip).

    CDK encodes a token in a string as ``${Token[...]}`` and a list token as ``#{Token[...]}``
    (``Token.is_unresolved`` looks for the same markers).
    """
    return "${Token[" in value or "#{Token[" in value


def _is_unresolved(value: float) -> bool:
    # A number token is a float CDK encodes (a huge negative double): an int never is one.
    return not isinstance(value, int) and Token.is_unresolved(value)


def check_range(
    name: str, value: float | None, minimum: float, maximum: float, unit: str = ""
) -> None:
    """Raise ``ValueError`` unless ``minimum <= value <= maximum`` (``None`` and tokens pass)."""
    if value is None or _is_unresolved(value):
        return
    if isinstance(value, float) and math.isnan(value):
        raise ValueError(
            f"{name} must be a number between {minimum:g} and {maximum:g}{unit}, got NaN"
        )
    if not minimum <= value <= maximum:
        raise ValueError(
            f"{name} must be between {minimum:g}{unit} and {maximum:g}{unit}, got {value:g}{unit}"
        )


def check_whole_number(
    name: str, value: float | None, minimum: int, maximum: int | None = None
) -> None:
    """Raise ``ValueError`` unless ``value`` is an ``int`` from ``minimum`` to ``maximum``
    (no upper bound when ``maximum`` is ``None``).

    For counts that CloudFormation types as integers (``2.5`` would reach the template and
    fail at deploy). ``None`` and tokens pass.
    """
    if value is None or _is_unresolved(value):
        return
    allowed = f"of at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number {allowed}, got {value!r}")
    if maximum is None:
        if value < minimum:
            raise ValueError(f"{name} must be at least {minimum}, got {value}")
        return
    check_range(name, value, minimum, maximum)


# Seconds of each Duration already checked. Every question to a Duration is a round trip to
# the jsii runtime, and the same bounds and defaults (module constants) are checked by every
# construct: caching them makes validation nearly free. Weak keys: a Duration nobody holds
# any more is forgotten.
_SECONDS: weakref.WeakKeyDictionary[Duration, float | None] = weakref.WeakKeyDictionary()


def seconds_of(duration: Duration) -> float | None:
    """``duration`` in seconds, or ``None`` when it is an unresolved token."""
    if duration not in _SECONDS:
        _SECONDS[duration] = (
            None if duration.is_unresolved() else duration.to_seconds(integral=False)
        )
    return _SECONDS[duration]


_HUMAN: weakref.WeakKeyDictionary[Duration, str] = weakref.WeakKeyDictionary()


def human_string_of(duration: Duration) -> str:
    """``duration.to_human_string()``, asked of the jsii runtime once per ``Duration``."""
    if duration not in _HUMAN:
        _HUMAN[duration] = duration.to_human_string()
    return _HUMAN[duration]


_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def check_whole_units(
    name: str, value: Duration | None, unit: str = "seconds", property_name: str = ""
) -> None:
    """Raise ``ValueError`` unless ``value`` is a whole number of ``unit`` (``"seconds"``,
    ``"minutes"``, ``"hours"`` or ``"days"``), as the CloudFormation property it becomes
    (``property_name``, named in the message when given) is an integer. ``None`` and tokens
    pass."""
    seconds = None if value is None else seconds_of(value)
    if seconds is None:
        return
    amount = seconds / _UNIT_SECONDS[unit]
    if amount != int(amount):
        where = f" ({property_name})" if property_name else ""
        raise ValueError(f"{name} must be a whole number of {unit}{where}, got {amount:g} {unit}")


def check_duration(name: str, value: Duration | None, minimum: Duration, maximum: Duration) -> None:
    """Raise ``ValueError`` unless ``value`` lies between ``minimum`` and ``maximum`` inclusive."""
    if value is None:
        return
    seconds, low, high = seconds_of(value), seconds_of(minimum), seconds_of(maximum)
    if seconds is None or low is None or high is None:
        return
    if not low <= seconds <= high:
        raise ValueError(
            f"{name} must be between {minimum.to_human_string()} and "
            f"{maximum.to_human_string()}, got {value.to_human_string()}"
        )


def check_not_both(first: str, first_value: object, second: str, second_value: object) -> None:
    """Raise ``ValueError`` when two mutually exclusive arguments are both given."""
    if first_value is not None and second_value is not None:
        raise ValueError(f"pass either {first} or {second}, not both")


def check_exclusive_with_existing(existing: str, given: object, options: dict[str, object]) -> None:
    """Raise when an existing resource is passed together with options for creating a new one."""
    if given is None:
        return
    clashing = sorted(name for name, value in options.items() if value is not None)
    if clashing:
        raise ValueError(
            f"{', '.join(clashing)} configure a new resource and cannot be combined with "
            f"{existing}; set them on the existing resource or drop {existing}"
        )


def check_unique(name: str, values: Iterable[str]) -> None:
    """Raise ``ValueError`` when ``values`` repeats an item."""
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{name} {value!r} is used twice; each must be unique")
        seen.add(value)
