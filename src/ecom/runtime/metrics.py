"""Reading Spark's observed metrics (`DataFrame.observe`) without risking a hang."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from pyspark.sql import Observation

# Types of the values observed_values reads from the metrics' text, and how.
_PARSERS: dict[str, Callable[[str], Any]] = {"bigint": int, "date": date.fromisoformat}


def _waited(observation: Observation, read: Callable[[], Any], timeout: float) -> Any:
    box: dict[str, Any] = {}
    waiter = threading.Thread(target=lambda: box.update(value=read()), daemon=True)
    waiter.start()
    waiter.join(timeout)
    if "value" not in box:
        raise RuntimeError(f"Spark reported no metrics for {observation._name!r}")
    return box["value"]


def observed(observation: Observation, timeout: float = 120.0) -> dict[str, object]:
    """The metrics of an observation whose action has finished; an error, not a hang, if absent."""
    return _waited(observation, lambda: observation.get, timeout)


def observed_values(
    observation: Observation, kinds: Mapping[str, str], timeout: float = 120.0
) -> dict[str, object]:
    """`observed` for metrics of known types (name → "bigint" or "date"; names of word
    characters), as Python ints and dates. The metrics come from the JVM as one text
    ({name=value, ...}) instead of a call per key and value (~90 calls a table); a text that
    does not read as exactly those metrics falls back to `observed`."""
    text = _waited(observation, lambda: str(observation._jo.getAsJava().toString()), timeout)
    values = _parsed(text, kinds)
    if values is not None:
        return values
    raw = observed(observation, timeout)
    return {
        name: None if raw[name] is None else _PARSERS[kind](str(raw[name]))
        for name, kind in kinds.items()
    }


def _parsed(text: str, kinds: Mapping[str, str]) -> dict[str, object] | None:
    """`{name=value, ...}` → exactly the metrics of `kinds`, typed; None if it is not that."""
    if not (text.startswith("{") and text.endswith("}")):
        return None
    values: dict[str, object] = {}
    try:
        for item in text[1:-1].split(", ") if text != "{}" else []:
            name, value = item.split("=", 1)
            values[name] = None if value == "null" else _PARSERS[kinds[name]](value)
    except (KeyError, ValueError):
        return None
    return values if values.keys() == set(kinds) else None
