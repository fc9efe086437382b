"""`make profile`'s answer to "is a Python worker on the row path?" (benchmarks/): read from
the RDDs a stage's Python RDDs read, not from the stage's row counts.

A stage that writes a table unioned from a few driver-side rows (createDataFrame: a Python
RDD over a ParallelCollectionRDD) and rows read from a shuffle has rows in, yet its Python
worker only handles the driver's rows; a Python RDD over a file scan handles the data.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _module(name: str):
    """A module of benchmarks/ (a folder of scripts that import each other by name)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


def rdd(rdd_id: int, name: str, *parents: int) -> dict:
    return {"RDD ID": rdd_id, "Name": name, "Parent IDs": list(parents)}


# As Spark 3.5 logged a model table's write: a union of a shuffle's rows and createDataFrame.
UNION_WITH_DRIVER_ROWS = [
    rdd(10, "MapPartitionsRDD", 9),
    rdd(9, "UnionRDD", 4, 8),
    rdd(4, "MapPartitionsRDD", 3),
    rdd(3, "ShuffledRowRDD", 1),  # its parent is in an earlier stage
    rdd(8, "MapPartitionsRDD", 7),
    rdd(7, "MapPartitionsRDD", 6),
    rdd(6, "PythonRDD", 5),
    rdd(5, "ParallelCollectionRDD"),
]
# A Python function over the rows of a Parquet scan (what the jobs must never do).
PYTHON_OVER_FILES = [
    rdd(23, "MapPartitionsRDD", 22),
    rdd(22, "PythonRDD", 21),
    rdd(21, "MapPartitionsRDD", 20),
    rdd(20, "FileScanRDD"),
]
# A Python RDD reading a shuffle: its parent is in an earlier stage.
PYTHON_OVER_SHUFFLE = [rdd(31, "MapPartitionsRDD", 30), rdd(30, "PythonRDD", 29)]


def stage_completed(stage_id: int, rdds: list[dict]) -> dict:
    return {
        "Event": "SparkListenerStageCompleted",
        "Stage Info": {
            "Stage ID": stage_id,
            "Stage Name": f"stage {stage_id}",
            "Submission Time": 1_000,
            "Completion Time": 2_000,
            "RDD Info": rdds,
            "Accumulables": [],
        },
    }


def test_the_roots_a_stages_python_rdds_read() -> None:
    eventlog = _module("eventlog")
    assert eventlog.python_sources(UNION_WITH_DRIVER_ROWS) == {"ParallelCollectionRDD"}
    assert eventlog.python_sources(PYTHON_OVER_FILES) == {"FileScanRDD"}
    assert eventlog.python_sources(PYTHON_OVER_SHUFFLE) == {"PythonRDD"}
    assert eventlog.python_sources(UNION_WITH_DRIVER_ROWS[:4]) == set()  # no Python RDD


def test_driver_rows_are_not_the_row_path_files_and_shuffles_are(tmp_path) -> None:
    eventlog, profile = _module("eventlog"), _module("profile_stages")

    def verdict(*stages: list[dict]) -> dict:
        path = tmp_path / "events"
        events = [stage_completed(index, rdds) for index, rdds in enumerate(stages)]
        path.write_text("".join(json.dumps(event) + "\n" for event in events))
        return profile.python_on_row_path(eventlog.read_event_log(path), {})

    driver_only = verdict(UNION_WITH_DRIVER_ROWS)
    assert driver_only["on_row_path"] is False
    assert [stage["reads"] for stage in driver_only["python_stages"]] == [["ParallelCollectionRDD"]]
    assert verdict(UNION_WITH_DRIVER_ROWS, PYTHON_OVER_FILES)["on_row_path"] is True
    assert verdict(PYTHON_OVER_SHUFFLE)["on_row_path"] is True
    assert verdict(UNION_WITH_DRIVER_ROWS[:4])["python_stages"] == []
