"""The TruckPositions transformation: the inline code Firehose runs on every buffer."""

from __future__ import annotations

import base64
import json
from typing import Any

from examples.truck_positions import CHECK_POSITION_CODE


def _handler() -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(CHECK_POSITION_CODE, "index.py", "exec"), namespace)
    return namespace["handler"]


def _record(record_id: str, body: object) -> dict[str, str]:
    raw = body if isinstance(body, str) else json.dumps(body)
    return {"recordId": record_id, "data": base64.b64encode(raw.encode()).decode()}


def test_a_fix_gets_its_timestamp_and_a_newline() -> None:
    fix = {"truck_id": 42, "time": 1764493200123, "lat": 52.52, "lon": 13.4, "speed_kmh": 63.5}
    (result,) = _handler()({"records": [_record("1", fix)]}, None)["records"]
    assert (result["recordId"], result["result"]) == ("1", "Ok")
    data = base64.b64decode(result["data"]).decode()
    assert data.endswith("\n")
    assert json.loads(data) == {
        "truck_id": 42,
        "lat": 52.52,
        "lon": 13.4,
        "speed_kmh": 63.5,
        "recorded_at": "2025-11-30 09:00:00.123",
    }


def test_bad_fixes_fail_processing_and_keep_their_data() -> None:
    records = [
        _record("out-of-range", {"truck_id": 1, "time": 0, "lat": 91, "lon": 0}),
        _record("no-time", {"truck_id": 1, "lat": 1, "lon": 1}),
        _record("not-json", "lat=1"),
    ]
    results = _handler()({"records": records}, None)["records"]
    assert [r["result"] for r in results] == ["ProcessingFailed"] * 3
    assert [r["data"] for r in results] == [r["data"] for r in records]
    assert [r["recordId"] for r in results] == ["out-of-range", "no-time", "not-json"]
