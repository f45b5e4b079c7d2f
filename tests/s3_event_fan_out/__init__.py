"""Tests of ``patterns.s3_event_fan_out``, one module per module of the package (and compliance)."""
