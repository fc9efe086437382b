"""`ecom status` on a local lake: recent runs from their reports, and what is published now.

Reads only JSON (the run reports and the two zones' publication documents); no Spark.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ecom.errors import InvalidArgumentError
from ecom.storage import tablestore
from ecom.storage.lake import Lake


def load_reports(lake_root: str | Path, limit: int) -> list[dict[str, Any]]:
    """The `limit` most recent run reports, newest first (unreadable ones are skipped)."""
    folder = Path(Lake(str(lake_root)).reports)
    reports = []
    for path in folder.glob("*.json"):
        try:
            reports.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    reports.sort(key=lambda report: str(report.get("finished_at", "")), reverse=True)
    return reports[:limit]


def _files(report: dict[str, Any]) -> str:
    counts = report.get("file_counts")
    if counts is None:  # reports written before file counts existed
        return f"{len(report.get('files', []))} seen"
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
        rows = report.get("rows", {})
        model = report.get("model") or {}
        seconds = (report.get("seconds") or {}).get("total", 0.0)
        lines.append(
            f"  {report.get('run_id')}  {report.get('status', 'succeeded'):<9} "
            f"{report.get('finished_at')}  {float(seconds):7.1f} s"
        )
        lines.append(
            f"      files {_files(report)}; rows read {rows.get('read', 0):,}, staged "
            f"{rows.get('staged', 0):,}, quarantined {rows.get('quarantined', 0):,}, "
            f"duplicates {rows.get('duplicates_dropped', 0):,}"
        )
        lines.append(
            f"      model {model.get('mode', '-')} ({len(model.get('dates_rebuilt', []))} "
            f"date(s)); data quality {_dq(report)}"
        )
        if report.get("error"):
            lines.append(f"      error: {report['error']}")
    return lines
