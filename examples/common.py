"""What every example stack shares."""

from __future__ import annotations

from patterns.alarm_topic import AlarmTopic

__all__ = ["AlarmTopic"]
