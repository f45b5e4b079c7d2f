"""Who reads a Kinesis data stream, counted in one place.

Readers of a stream share its limits. Classic readers (``GetRecords``) share each shard's
2 MB/s and 5 reads per second; enhanced fan-out consumers (``SubscribeToShard``) each get
their own 2 MB/s per shard, but a stream registers at most 20 of them, or 50 for an
on-demand stream in an account using On-demand Advantage
(https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html, read 2026-12-07).

``stream_readers(stream)`` is the one registry of a stream, kept in Python. Every construct
of this library that reads a stream registers itself with ``add(reader, enhanced_fan_out=...)``:
the Lambda stream consumers, the delivery stream of ``KinesisToFirehoseToS3`` (classic), a
worker fleet using the Kinesis Client Library. The registry refuses an enhanced fan-out
consumer over the limit when it is added (counting the registered ones), and tells the
stream's shard plan (``ReadersPlan``, set by the construct that created the stream) each time
a classic reader joins. At synth one validation counts again over the final tree: the
consumers registered here plus every ``AWS::Kinesis::StreamConsumer`` of the app on this
stream that no registered reader owns (one added with ``kinesis.StreamConsumer`` directly,
which only the tree knows).

``stream_retention_hours(stream)`` is the one read of a stream's retention for its readers.
"""

from __future__ import annotations

import dataclasses
import weakref
from typing import Protocol

import jsii
from aws_cdk import Annotations, Stack
from aws_cdk import aws_kinesis as kinesis
from constructs import IConstruct, IValidation

from patterns.limits import (
    KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX,
    KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX_ON_DEMAND_ADVANTAGE,
    KINESIS_RETENTION_DEFAULT_HOURS,
)

ENHANCED_FAN_OUT_SOURCE = "https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html"


class ReadersPlan(Protocol):
    """What plans a stream's shards for its classic readers (``KinesisToFirehoseToS3``'s)."""

    def readers_changed(self, classic_readers: int) -> None:
        """A classic reader joined: ``classic_readers`` now read the stream."""

    def at_synth(self, classic_readers: int) -> None:
        """Once, over the final tree: say what the plan did or could not do."""


@dataclasses.dataclass(frozen=True)
class StreamReader:
    """One registered reader: the construct and how it reads."""

    reader: IConstruct
    enhanced_fan_out: bool

    @property
    def path(self) -> str:
        """The reader's construct path."""
        return self.reader.node.path


class StreamReaders:
    """The readers of one stream (use :func:`stream_readers`, which keeps one per stream)."""

    def __init__(self, stream: kinesis.IStream) -> None:
        self._stream = stream
        self._readers: list[StreamReader] = []
        self._stream_arn: str | None = None
        self.plan: ReadersPlan | None = None

    @property
    def readers(self) -> tuple[StreamReader, ...]:
        """Every registered reader, in the order added."""
        return tuple(self._readers)

    @property
    def classic_readers(self) -> int:
        """How many registered readers share the shards' 2 MB/s and 5 reads/s."""
        return sum(not reader.enhanced_fan_out for reader in self._readers)

    def add(self, reader: IConstruct, *, enhanced_fan_out: bool) -> None:
        """Register ``reader``; refuse an enhanced fan-out consumer over the stream's limit
        (counting the registered ones; those made outside the registry are counted at synth)."""
        self._readers.append(StreamReader(reader, enhanced_fan_out))
        if enhanced_fan_out:
            registered = [r for r in self._readers if r.enhanced_fan_out]
            if len(registered) > KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX:
                error = self.enhanced_fan_out_error([r.path for r in registered])
                if error is not None:
                    self._readers.pop()
                    raise ValueError(error)
        elif self.plan is not None:
            self.plan.readers_changed(self.classic_readers)

    def enhanced_fan_out_consumers(self) -> list[str]:
        """The paths of the stream's enhanced fan-out consumers: those registered here, and
        every ``AWS::Kinesis::StreamConsumer`` of the app on this stream no reader owns."""
        registered = [r.path for r in self._readers if r.enhanced_fan_out]
        if self._stream_arn is None:
            self._stream_arn = self._stream.stream_arn
        consumers = [
            construct
            for construct in self._stream.node.root.node.find_all()
            if isinstance(construct, kinesis.CfnStreamConsumer)
            and construct.stream_arn == self._stream_arn
        ]
        if not consumers:
            return registered
        owners = [r.path + "/" for r in self._readers]
        paths = [construct.node.path for construct in consumers]
        unowned = [path for path in paths if not any(path.startswith(o) for o in owners)]
        return registered + unowned

    def enhanced_fan_out_error(self, consumers: list[str] | None = None) -> str | None:
        """Why the stream cannot take its enhanced fan-out consumers (``consumers``, else
        :meth:`enhanced_fan_out_consumers`), if it cannot."""
        consumers = self.enhanced_fan_out_consumers() if consumers is None else consumers
        if len(consumers) <= KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX:
            return None  # within the limit of every stream: no need to ask the stream's mode
        limit = self._limit()
        if len(consumers) <= limit:
            return None
        where = (
            "a provisioned stream"
            if limit == KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX
            else "any stream, even an on-demand one in an account using On-demand Advantage"
        )
        return (
            f"stream {self._stream.node.path} has {len(consumers)} enhanced fan-out consumers "
            f"({', '.join(consumers)}); Kinesis registers at most {limit} per stream on "
            f"{where} ({ENHANCED_FAN_OUT_SOURCE}), so the deployment would fail. Read with "
            "enhanced_fan_out=False (classic, sharing each shard's 2 MB/s), or split the "
            "consumers over two streams"
        )

    def _limit(self) -> int:
        if _stream_mode(self._stream) == "PROVISIONED":
            return KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX
        return KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX_ON_DEMAND_ADVANTAGE

    def warn_if_beyond_standard_limit(self, consumers: list[str]) -> None:
        """On an on-demand or imported stream, more than 20 consumers need On-demand
        Advantage: say so once, on the stream."""
        if len(consumers) > KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX:
            Annotations.of(self._stream).add_warning_v2(
                "patterns:EnhancedFanOutConsumersNeedOnDemandAdvantage",
                f"The stream has {len(consumers)} enhanced fan-out consumers; Kinesis registers "
                f"more than {KINESIS_ENHANCED_FAN_OUT_CONSUMERS_MAX} only on an on-demand stream "
                "of an account using On-demand Advantage (in the Regions that offer it). Without "
                "it the deployment fails.",
            )

    def at_synth(self) -> list[str]:
        """The checks over the final tree: the enhanced fan-out limit, then the shard plan."""
        consumers = self.enhanced_fan_out_consumers()
        error = self.enhanced_fan_out_error(consumers)
        if error is not None:
            return [error]
        self.warn_if_beyond_standard_limit(consumers)
        if self.plan is not None:
            self.plan.at_synth(self.classic_readers)
        return []


_REGISTRIES: weakref.WeakKeyDictionary[kinesis.IStream, StreamReaders] = weakref.WeakKeyDictionary()


def stream_readers(stream: kinesis.IStream) -> StreamReaders:
    """The registry of ``stream``'s readers: one per stream, checked at synth over the final
    tree (the limit of enhanced fan-out consumers, the shard plan)."""
    registry = _REGISTRIES.get(stream)
    if registry is None:
        registry = _REGISTRIES[stream] = StreamReaders(stream)
        stream.node.add_validation(_AtSynth(registry))
    return registry


def stream_retention_hours(stream: kinesis.IStream) -> float | None:
    """How long ``stream`` keeps records, in hours, for a stream defined in this app (24, the
    default, when not set); ``None`` for an imported stream or one whose retention is a token."""
    resource = stream.node.default_child
    return retention_hours_of(resource if isinstance(resource, kinesis.CfnStream) else None)


def retention_hours_of(resource: kinesis.CfnStream | None) -> float | None:
    """:func:`stream_retention_hours` of a stream's ``CfnStream`` already read (``None``: an
    imported stream)."""
    if resource is None:
        return None
    hours = resource.retention_period_hours
    if hours is None:
        return KINESIS_RETENTION_DEFAULT_HOURS
    # A token number is a large negative float: not a retention.
    return hours if isinstance(hours, int | float) and hours > 0 else None


@jsii.implements(IValidation)
class _AtSynth:
    def __init__(self, registry: StreamReaders) -> None:
        self._registry = registry

    def validate(self) -> list[str]:
        return self._registry.at_synth()


def _stream_mode(stream: kinesis.IStream) -> str | None:
    """``PROVISIONED`` or ``ON_DEMAND`` for a stream defined in this app; ``None`` otherwise."""
    resource = stream.node.default_child
    if not isinstance(resource, kinesis.CfnStream):
        return None
    details = Stack.of(resource).resolve(resource.stream_mode_details)
    if details is None:
        return "PROVISIONED"  # CloudFormation's default
    mode = details.get("streamMode") if isinstance(details, dict) else None
    return mode if isinstance(mode, str) else None
