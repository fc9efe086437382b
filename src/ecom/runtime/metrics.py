"""Reading Spark's observed metrics (`DataFrame.observe`) without risking a hang."""

from __future__ import annotations

import threading

from pyspark.sql import Observation


def observed(observation: Observation, timeout: float = 120.0) -> dict[str, object]:
    """The metrics of an observation whose action has finished; an error, not a hang, if absent."""
    box: dict[str, dict[str, object]] = {}
    waiter = threading.Thread(target=lambda: box.update(value=observation.get), daemon=True)
    waiter.start()
    waiter.join(timeout)
    if "value" not in box:
        raise RuntimeError(f"Spark reported no metrics for {observation._name!r}")
    return box["value"]
