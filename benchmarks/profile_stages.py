"""Per-stage views of a profiled run's event log (benchmarks/profile_pipeline.py): the
stages that cost most, with their operators, and whether a Python worker handled rows."""

from __future__ import annotations

from typing import Any

from eventlog import PYTHON_OPERATORS, EventLog, stage_kind, stage_operators

# The RDD a Python RDD reads when it turns driver-side rows into a DataFrame.
DRIVER_ROWS = "ParallelCollectionRDD"


def top_stages(log: EventLog, count: int = 12) -> list[dict[str, Any]]:
    """The stages with the most task time, with the operators that ran in them."""
    ranked = sorted(log.stages.values(), key=lambda stage: -stage.totals.run_s)[:count]
    result = []
    for stage in ranked:
        operators, chosen = stage_operators(stage, log)
        result.append(
            {
                "stage": stage.stage_id,
                "job": stage.job_id,
                "part": stage.part,
                "kind": stage_kind(stage, operators),
                "wall_s": round(stage.wall, 2),
                "operators": operators,
                "operator_metrics": {
                    name: value / 1000 if "time" in name else int(value)
                    for name, value in chosen.items()
                },
                **stage.totals.as_dict(),
            }
        )
    return result


def python_on_row_path(log: EventLog, workers: dict[str, Any]) -> dict[str, Any]:
    """Plan operators and stages that run Python workers, and the workers' processes
    (`workers`: how many, their CPU seconds and peak RSS, as sampled).

    A Python worker is on the row path when a plan has a Python operator (a UDF, mapInPandas,
    mapInArrow...) or a stage's Python RDD reads anything but rows sent from the driver
    (files or a shuffle); a Python RDD over a ParallelCollectionRDD only turns a few
    driver-side rows into a DataFrame (createDataFrame), even when its stage unions them
    with rows read elsewhere.
    """
    operators = sorted(name for name in log.operator_names if PYTHON_OPERATORS.search(name))
    stages = [
        {
            "stage": stage.stage_id,
            "part": stage.part,
            "reads": sorted(stage.python_sources),
            "rows_in": stage.totals.input_records + stage.totals.shuffle_read_records,
            "rows_out": stage.totals.output_records + stage.totals.shuffle_write_records,
            "task_s": round(stage.totals.run_s, 2),
        }
        for stage in sorted(log.stages.values(), key=lambda stage: stage.stage_id)
        if any("Python" in name for name in stage.rdd_names)
    ]
    return {
        "python_operators": operators,
        "python_stages": stages,
        "python_workers": workers,
        "on_row_path": bool(operators)
        or any(set(stage["reads"]) - {DRIVER_ROWS} for stage in stages),
    }
