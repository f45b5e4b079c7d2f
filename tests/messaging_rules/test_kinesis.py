"""Kinesis readers: the consumer limit on on-demand streams, and which readers share a shard."""

from __future__ import annotations

from tests.messaging_rules.report import Report


def test_more_than_20_consumers_on_an_on_demand_stream_are_an_error(report: Report) -> None:
    """50 only in On-demand Advantage mode, an account setting no template shows: the
    finding stands until acknowledged."""
    assert report.of_stack("Kin1OnDemand") == [("Messaging-KIN1", "error", "Stream/Resource")]


def test_mappings_through_a_consumer_do_not_share_the_shard(report: Report) -> None:
    """Seven readers, two of them through enhanced fan-out: five share the shard."""
    assert "Messaging-KIN2" not in report.rules_of("GoodStreamReaders")
