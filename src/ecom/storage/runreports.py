"""The run report: one JSON schema, written and read here, for both ways to run.

`ecom run` (both jobs on one session) writes `<reports>/<run_id>.json` with both steps;
each Glue job writes `<reports>/<run_id>-<step>.json` with its own step. The document is
the same either way (`REPORT_VERSION` 3):

    report_version  3
    run_id, source, status ("succeeded" | "failed"), error, finished_at, arguments
    steps           the jobs this report covers: ["ingest", "model"], ["ingest"] or ["model"]
    file_counts, files, rows, quarantined_by_reason, warnings, staged_dates_changed
                    the ingest step (zeros and empty in a model-only report)
    model, models, tables, table_seconds, dq
                    the model step ("not_run" and empty in an ingest-only report)
    seconds         per step, and "total"

Readers (`ecom status`, `ecom status --stage` through `ecom.aws.runs`, the dashboard)
parse every file through `parse_report`, which also accepts the previous formats (version 2
and unversioned run reports of `ecom run`; the unversioned per-step reports the Glue jobs
wrote, `{"step": "ingest", "rows_read": ...}`) and upgrades them; anything else is a
`RunReportError` whose one-line message names the file. `load_runs` merges the ingest and
model reports of one run id into one run. No Spark is needed to read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecom.errors import EcomError
from ecom.storage.lake import Lake, join_path, local_path

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

REPORT_VERSION = 3
STEPS = ("ingest", "model")
INGEST_KEYS = (
    "file_counts",
    "files",
    "rows",
    "quarantined_by_reason",
    "warnings",
    "staged_dates_changed",
)
MODEL_KEYS = ("model", "models", "tables", "table_seconds", "dq")


class RunReportError(EcomError):
    """A file in the reports folder is not a run report of a known format."""


# --- the schema ------------------------------------------------------------------------------


def file_counts(files: list[dict[str, Any]]) -> dict[str, int]:
    """Files seen, and how many were read, skipped and rejected."""
    counts = {"seen": len(files), "read": 0, "skipped": 0, "rejected": 0}
    for entry in files:
        status = str(entry.get("status"))
        counts[status] = counts.get(status, 0) + 1
    return counts


def dq_summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Rules evaluated, passed, warned (warn-level failures) and failed (error-level)."""
    failed = [r for r in results if not r["is_passed"] and r["level"] == "error"]
    warned = [r for r in results if not r["is_passed"] and r["level"] != "error"]
    return {
        "rules": len(results),
        "passed": sum(1 for r in results if r["is_passed"]),
        "warned": len(warned),
        "failed": len(failed),
        "results": results,
    }


def _ingest_part(ingest: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ingest sections from an ingest result's `to_dict()` (empty when it did not run)."""
    ingest = ingest or {}
    kinds = ingest.get("staged_by_kind") or {}
    files = list(ingest.get("files") or [])
    return {
        "file_counts": file_counts(files),
        "files": files,
        "rows": {
            "read": int(ingest.get("rows_read", 0)),
            "staged": int(ingest.get("rows_staged", 0)),
            # Sources whose rows have kinds (Online Retail: sale, cancellation, adjustment).
            **({"staged_by_kind": kinds} if kinds else {}),
            "quarantined": int(ingest.get("rows_quarantined", 0)),
            "duplicates_dropped": int(ingest.get("duplicates_dropped", 0)),
            "reconciles": bool(ingest.get("reconciles", True)),
        },
        "quarantined_by_reason": dict(ingest.get("quarantined_by_reason") or {}),
        "warnings": list(ingest.get("warnings") or []),
        "staged_dates_changed": list(ingest.get("dates_changed") or []),
    }


def _model_part(model: Mapping[str, Any] | None) -> dict[str, Any]:
    """The model sections from a model result's `to_dict()` ("not_run" when it did not run)."""
    model = model or {}
    return {
        "model": {
            "mode": model.get("mode", "not_run"),
            "reason": model.get("reason", ""),
            "dates_rebuilt": list(model.get("dates_rebuilt") or []),
            "events_read": int(model.get("staged_rows", 0)),
            "published": bool(model.get("published", False)),
        },
        # Customer models: per stage done or skipped (with the reason) and its figures.
        "models": dict(model.get("models") or {}),
        "tables": dict(model.get("tables") or {}),
        "table_seconds": dict(model.get("table_seconds") or {}),
        "dq": dq_summary(list(model.get("dq_results") or [])),
    }


def build_report(
    run_id: str,
    steps: Iterable[str],
    arguments: Mapping[str, Any],
    *,
    ingest: Mapping[str, Any] | None = None,
    model: Mapping[str, Any] | None = None,
    seconds: Mapping[str, float] | None = None,
    failure: BaseException | str | None = None,
    finished_at: str | None = None,
) -> dict[str, Any]:
    """A run report from the steps' results (`IngestResult.to_dict()`, `ModelResult.to_dict()`)."""
    steps = [step for step in STEPS if step in set(steps)]
    source = (ingest or {}).get("source") or (model or {}).get("source") or None
    return {
        "report_version": REPORT_VERSION,
        "run_id": run_id,
        "steps": steps,
        "source": source,
        "status": "succeeded" if failure is None else "failed",
        "error": None if failure is None else str(failure),
        "finished_at": finished_at or datetime.now(UTC).isoformat(timespec="seconds"),
        "arguments": dict(arguments),
        **_ingest_part(ingest),
        **_model_part(model),
        "seconds": {name: round(float(value), 3) for name, value in (seconds or {}).items()},
    }


def report_name(run_id: str, steps: Iterable[str]) -> str:
    """`<run_id>.json` for a report of both steps, `<run_id>-<step>.json` for one step."""
    steps = list(steps)
    return f"{run_id}.json" if len(steps) != 1 else f"{run_id}-{steps[0]}.json"


def save_report(spark: SparkSession, reports_path: str, report: Mapping[str, Any]) -> str:
    """Write the report (atomically) into the reports folder, local or S3; return its path."""
    from ecom.storage import hadoopfs  # Spark only for writing: readers need none

    path = join_path(reports_path, report_name(report["run_id"], report["steps"]))
    hadoopfs.replace_text(spark, path, json.dumps(report, indent=2, default=str) + "\n")
    return path


# --- reading ---------------------------------------------------------------------------------


def _upgrade_run_report(document: dict[str, Any]) -> dict[str, Any]:
    """A version 2 (or unversioned) `ecom run` report: the same sections, both steps."""
    report = {**document, "report_version": REPORT_VERSION, "steps": list(STEPS)}
    report.setdefault("file_counts", file_counts(report.get("files", [])))
    for key, value in {**_ingest_part(None), **_model_part(None)}.items():
        report.setdefault(key, value)
    report.setdefault("status", "succeeded")
    report.setdefault("error", None)
    report.setdefault("source", None)
    report.setdefault("arguments", {})
    report.setdefault("finished_at", None)
    seconds = report.get("seconds")
    if not isinstance(seconds, dict):  # the first reports held one number
        report["seconds"] = {"total": float(seconds or 0.0)}
    return report


def _upgrade_step_report(document: dict[str, Any]) -> dict[str, Any]:
    """An unversioned Glue step report: the step's result fields at the top level."""
    step = document["step"]
    failure = None
    if step == "ingest" and document.get("reconciles") is False:
        failure = f"ingest {document['run_id']}: row counts do not reconcile"
    seconds = float(document.get("seconds") or 0.0)
    report = build_report(
        str(document["run_id"]),
        [step],
        {},
        ingest=document if step == "ingest" else None,
        model=document if step == "model" else None,
        seconds={step: seconds, "total": seconds},
        failure=failure,
    )
    return {**report, "finished_at": document.get("finished_at")}  # unknown: not "now"


def upgrade(document: Any, name: str) -> dict[str, Any]:
    """A report of this or a previous format as a version 3 report; RunReportError otherwise."""
    if not isinstance(document, dict) or not document.get("run_id"):
        raise RunReportError(f"{name}: not a run report (no run_id)")
    version = document.get("report_version")
    if version == REPORT_VERSION:
        missing = [key for key in ("steps", "status", "rows", "model") if key not in document]
        if missing:
            raise RunReportError(f"{name}: run report lacks {', '.join(missing)}")
        return document
    if version == 2 or (version is None and isinstance(document.get("rows"), dict)):
        return _upgrade_run_report(document)
    if version is None and document.get("step") in STEPS:
        return _upgrade_step_report(document)
    raise RunReportError(
        f"{name}: run report of an unknown format (report_version {version!r}; "
        f"this version reads {REPORT_VERSION} and older)"
    )


def parse_report(text: str | bytes, name: str) -> dict[str, Any]:
    """One report file's text as a version 3 report; RunReportError naming `name` otherwise."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RunReportError(f"{name}: not valid JSON ({error})") from None
    return upgrade(document, name)


def read_local_reports(lake_root: str | Path) -> list[dict[str, Any]]:
    """Every report file of a local lake, upgraded, in file-name order."""
    folder = local_path(Lake(str(lake_root)).reports)
    return [parse_report(path.read_bytes(), str(path)) for path in sorted(folder.glob("*.json"))]


def merge_steps(reports: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One report per run id: a Glue run's ingest and model reports become one, oldest first."""
    by_run: dict[str, dict[str, Any]] = {}
    for report in reports:
        run_id = report["run_id"]
        merged = by_run.get(run_id)
        by_run[run_id] = dict(report) if merged is None else _merge(merged, report)
    return sorted(by_run.values(), key=lambda r: (str(r.get("finished_at") or ""), r["run_id"]))


def _merge(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """Two reports of one run: each step's sections from the report that covers it."""
    ingest = first if "ingest" in first["steps"] else second
    model = second if "model" in second["steps"] else first
    failed = [r for r in (first, second) if r["status"] == "failed"]
    seconds = {
        **{k: v for k, v in first["seconds"].items() if k != "total"},
        **{k: v for k, v in second["seconds"].items() if k != "total"},
    }
    return {
        **first,
        **{key: ingest[key] for key in INGEST_KEYS},
        **{key: model[key] for key in MODEL_KEYS},
        "steps": [s for s in STEPS if s in {*first["steps"], *second["steps"]}],
        "source": first.get("source") or second.get("source"),
        "status": "failed" if failed else "succeeded",
        "error": "; ".join(str(r["error"]) for r in failed if r.get("error")) or None,
        "finished_at": max(
            str(first.get("finished_at") or ""), str(second.get("finished_at") or "")
        ),
        "arguments": {**first.get("arguments", {}), **second.get("arguments", {})},
        "seconds": {**seconds, "total": round(sum(seconds.values()), 3)},
    }


def load_runs(lake_root: str | Path) -> list[dict[str, Any]]:
    """The runs of a local lake, one report each, oldest first (none before the first run)."""
    return merge_steps(read_local_reports(lake_root))


def row_counts(report: Mapping[str, Any]) -> dict[str, int]:
    """The rows a report's steps handled: ingest's read/staged/quarantined/duplicates, then
    the model's events read and rows per table (`ecom status --stage` prints these)."""
    counts: dict[str, int] = {}
    if "ingest" in report["steps"]:
        rows = report["rows"]
        keys = ("read", "staged", "quarantined", "duplicates_dropped")
        counts.update({key: int(rows.get(key, 0)) for key in keys})
    if "model" in report["steps"]:
        counts.setdefault("staged", int(report["model"].get("events_read", 0)))
        counts.update({name: int(rows) for name, rows in report.get("tables", {}).items()})
    return counts


def total_seconds(report: Mapping[str, Any]) -> float:
    """A report's total seconds (the sum of its steps when it records no total)."""
    seconds = report.get("seconds") or {}
    return float(seconds.get("total") or sum(float(v) for v in seconds.values()))


def run_summary(report: Mapping[str, Any]) -> dict[str, Any]:
    """One flat row per run (the dashboard's `dq_run_reports` columns, and the status)."""
    rows = report["rows"]
    return {
        "run_id": str(report["run_id"]),
        "status": report["status"],
        "finished_at": report.get("finished_at"),
        "rows_read": int(rows.get("read", 0)),
        "rows_staged": int(rows.get("staged", 0)),
        "rows_quarantined": int(rows.get("quarantined", 0)),
        "duplicates_dropped": int(rows.get("duplicates_dropped", 0)),
        "seconds": total_seconds(report),
    }
