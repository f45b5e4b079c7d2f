"""The layout of a Firehose S3 prefix, read as a table: partition columns and their projection.

Pure functions (no CDK): ``expressions`` lists the ``!{...}`` expressions of a prefix,
``partition_columns`` names the Hive-style ``name=!{...}`` folders of a prefix,
``projection_for`` chooses the Athena partition projection that matches each folder,
``static_root`` is the literal folder the delivery role is limited to, and ``is_glue_type``
rejects column types that Glue, Athena and Firehose's converter do not know.
``KinesisToFirehoseToS3`` uses them to build a table that reads exactly what Firehose writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Athena partition projection for a date: the range ends at NOW (Firehose timestamps are UTC
# arrival times, never in the future) and starts this far back.
DATE_PROJECTION_START = "NOW-5YEARS"
DATE_PROJECTION_END = "NOW"

# The expression that only an error output prefix may use (and, with expressions, must).
ERROR_OUTPUT_TYPE = "!{firehose:error-output-type}"

_EXPRESSION = re.compile(r"!\{([^{}]*)\}")
_COLUMN_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# Single-field timestamps that map to an integer projection: (min, max, digits).
_INTEGER_FIELDS = {"MM": (1, 12, 2), "dd": (1, 31, 2), "HH": (0, 23, 2)}
# The finest field of a date format decides the projection step, finest first.
_DATE_UNITS = (("mm", "MINUTES"), ("HH", "HOURS"), ("dd", "DAYS"), ("MM", "MONTHS"))


@dataclass(frozen=True)
class PartitionColumn:
    """A Hive-style folder ``name=!{namespace:argument}`` of a prefix."""

    name: str
    namespace: str  # "timestamp", "partitionKeyFromQuery" or "partitionKeyFromLambda"
    argument: str  # the timestamp format or the partition key


@dataclass(frozen=True)
class Projection:
    """What Athena needs to project one partition column (see the ``glue`` L2 factories)."""

    kind: str  # "date", "integer" or "injected"
    date_format: str = ""
    date_unit: str = ""
    integer_range: tuple[int, int, int] = (0, 0, 0)  # min, max, digits


def expressions(prefix: str) -> list[tuple[str, str]]:
    """The ``!{namespace:argument}`` expressions of ``prefix`` as (namespace, argument)."""
    found = []
    for expression in _EXPRESSION.findall(prefix):
        namespace, _, argument = expression.partition(":")
        found.append((namespace, argument))
    return found


def static_root(prefix: str) -> str:
    """The literal folder of a prefix: up to the last '/' before its first expression."""
    literal = prefix.split("!{", 1)[0]
    return literal[: literal.rfind("/") + 1]


def partition_columns(argument: str, prefix: str) -> list[PartitionColumn]:
    """Each expression of ``prefix`` as a partition column; it must be a ``name=!{...}`` folder.

    Raises ``ValueError`` naming ``argument`` when an expression is not alone in a Hive-style
    folder (Athena could not name the column) or a column name repeats.
    """
    columns: list[PartitionColumn] = []
    for folder in prefix.split("/"):
        if "!{" not in folder:
            continue
        match = re.fullmatch(r"([^=!{}]+)=!\{([^{}:]+):([^{}]*)\}", folder)
        if match is None:
            raise ValueError(
                f"{argument} {prefix!r} has the folder {folder!r}: for a queryable table each "
                "expression must be alone in a Hive-style folder such as "
                "'hour=!{timestamp:yyyy-MM-dd-HH}/', which names its partition column"
            )
        name, namespace, key = match.groups()
        if not _COLUMN_NAME.match(name):
            raise ValueError(
                f"{argument} {prefix!r} names the partition column {name!r}; Athena column "
                "names are lower-case letters, digits and underscores, not starting with a digit"
            )
        if any(column.name == name for column in columns):
            raise ValueError(f"{argument} {prefix!r} uses the partition column {name!r} twice")
        columns.append(PartitionColumn(name, namespace, key))
    return columns


def projection_for(column: PartitionColumn) -> Projection | None:
    """The projection that enumerates what Firehose writes in ``column``, or None if unknown.

    - ``!{timestamp:yyyy...}``: a date projection with that format, stepped by its finest
      field (hours for ``yyyy-MM-dd-HH``), from ``DATE_PROJECTION_START`` to ``NOW``;
    - ``!{timestamp:MM}``, ``dd``, ``HH`` alone: integers 1-12, 1-31, 0-23, two digits;
    - ``!{partitionKeyFromQuery:k}`` and ``!{partitionKeyFromLambda:k}``: injected, so any
      value works and queries give it with ``=`` (an enum or integer range needs the values,
      which only the user knows: pass them in ``partition_projections``).
    """
    if column.namespace in ("partitionKeyFromQuery", "partitionKeyFromLambda"):
        return Projection("injected")
    if column.namespace != "timestamp":
        return None
    date_format = column.argument
    if date_format in _INTEGER_FIELDS:
        return Projection("integer", integer_range=_INTEGER_FIELDS[date_format])
    if "yyyy" in date_format or "uuuu" in date_format:
        unit = next((u for field, u in _DATE_UNITS if field in date_format), "YEARS")
        return Projection("date", date_format=date_format, date_unit=unit)
    return None


def location_template(bucket_name: str, prefix: str, columns: list[PartitionColumn]) -> str:
    """``storage.location.template``: the prefix with each expression replaced by its column."""
    template = prefix
    for column in columns:
        expression = f"!{{{column.namespace}:{column.argument}}}"
        template = template.replace(expression, "${" + column.name + "}", 1)
    return f"s3://{bucket_name}/{template}"


# --- Glue column types (Hive DDL as Glue stores it) ----------------------------------------

_PRIMITIVES = {
    "boolean",
    "tinyint",
    "smallint",
    "int",
    "integer",
    "bigint",
    "float",
    "double",
    "string",
    "binary",
    "date",
    "timestamp",
}
_PARAMETERIZED = re.compile(r"^(decimal\(\d+(,\s*\d+)?\)|char\(\d+\)|varchar\(\d+\)|decimal)$")
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _split_top_level(text: str) -> list[str]:
    """Split ``text`` on commas that are not inside ``<...>`` or ``(...)``."""
    parts, depth, current = [], 0, ""
    for character in text:
        if character in "<(":
            depth += 1
        elif character in ">)":
            depth -= 1
        if character == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += character
    parts.append(current)
    return [part.strip() for part in parts]


def is_glue_type(type_string: str) -> bool:
    """Whether ``type_string`` is a Glue/Hive column type: primitive, array, map or struct."""
    text = type_string.strip().lower()
    if text in _PRIMITIVES or _PARAMETERIZED.match(text):
        return True
    for kind, arity in (("array", 1), ("map", 2), ("struct", 0)):
        if text.startswith(kind + "<") and text.endswith(">"):
            inner = text[len(kind) + 1 : -1]
            if not inner.strip():
                return False
            parts = _split_top_level(inner)
            if kind == "struct":
                for field in parts:
                    name, separator, field_type = field.partition(":")
                    if not separator or not _FIELD_NAME.match(name.strip()):
                        return False
                    if not is_glue_type(field_type):
                        return False
                return True
            return len(parts) == arity and all(is_glue_type(part) for part in parts)
    return False
