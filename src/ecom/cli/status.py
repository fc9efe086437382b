"""`ecom status` on a local lake: recent runs from their reports, and what is published now.

Reads only JSON (the run reports, through `ecom.storage.runreports`, and the two zones'
publication documents); no Spark. A Glue run's ingest and model reports show as one run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ecom.errors import InvalidArgumentError
from ecom.storage import runreports, tablestore
from ecom.storage.lake import Lake


def load_reports(lake_root: str | Path, limit: int) -> list[dict[str, Any]]:
    """The `limit` most recent runs' reports, newest first; RunReportError (naming the file)
    for a file in the reports folder that is not a run report of a known format."""
    return list(reversed(runreports.load_runs(lake_root)))[:limit]


def _files(report: dict[str, Any]) -> str:
    counts = report["file_counts"]
    return f"{counts['read']} read, {counts['skipped']} skipped, {counts['rejected']} rejected"


def _dq(report: dict[str, Any]) -> str:
    dq = report.get("dq") or {}
    if not dq.get("rules"):
        return "-"
    return f"{dq['passed']}/{dq['rules']} passed, {dq['warned']} warn, {dq['failed']} fail"


def format_status(lake_root: str | Path, limit: int = 10) -> list[str]:
    """Lines: the current publications, then one block per recent run."""
    lake = Lake(str(lake_root))
    if not Path(lake.root).is_dir():
        raise InvalidArgumentError(f"--lake {lake.root}: no such folder")
    staged_zone, _ = tablestore.split_table_path(lake.staged_events)
    staged = tablestore.load_local(staged_zone)
    curated = tablestore.load_local(lake.curated)
    lines = [f"lake {lake.root}"]
    if staged["run_id"]:
        dates = tablestore.partition_values(staged, "events")
        span = f"{dates[0]} .. {dates[-1]}" if dates else "no events"
        lines.append(
            f"  staged   published by {staged['run_id']} at {staged.get('published_at')}: "
            f"{len(staged.get('files', {}))} raw file(s) ingested, {len(dates)} date(s) {span}"
        )
    else:
        lines.append("  staged   nothing published yet")
    if curated["run_id"]:
        failed = curated.get("failed_run")
        note = f"; run {failed} failed its data-quality gate" if failed else ""
        lines.append(
            f"  curated  published by {curated['run_id']} at {curated.get('published_at')}{note}"
        )
    else:
        lines.append("  curated  nothing published yet")
    reports = load_reports(lake.root, limit)
    if not reports:
        lines.append("no run reports yet: run `make demo` or `ecom run`")
        return lines
    lines.append(f"last {len(reports)} run(s), newest first:")
    for report in reports:
        rows, model = report["rows"], report["model"]
        lines.append(
            f"  {report['run_id']}  {report['status']:<9} "
            f"{report.get('finished_at') or '-'}  {runreports.total_seconds(report):7.1f} s"
        )
        if "ingest" in report["steps"]:
            lines.append(
                f"      files {_files(report)}; rows read {rows.get('read', 0):,}, staged "
                f"{rows.get('staged', 0):,}, quarantined {rows.get('quarantined', 0):,}, "
                f"duplicates {rows.get('duplicates_dropped', 0):,}"
            )
        if "model" in report["steps"]:
            lines.append(
                f"      model {model.get('mode', '-')} ({len(model.get('dates_rebuilt', []))} "
                f"date(s)); data quality {_dq(report)}"
            )
        if report.get("error"):
            lines.append(f"      error: {report['error']}")
    return lines
