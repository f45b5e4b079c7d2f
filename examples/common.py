"""What every example stack shares."""

from __future__ import annotations

from patterns.alarms import AlarmTopic

__all__ = ["AlarmTopic"]
