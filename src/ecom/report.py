"""The run report: one JSON document per run, saved in the lake, and its printed summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pyspark.sql import SparkSession

from ecom import hadoopfs
from ecom.jobs.ingest import IngestResult
from ecom.jobs.model import ModelResult
from ecom.lake import join_path

REPORT_VERSION = 1


def build_report(
    run_id: str,
    arguments: dict[str, Any],
    ingest: IngestResult,
    model: ModelResult | None,
    step_seconds: dict[str, float],
) -> dict[str, Any]:
    """Assemble the run report from the two jobs' results."""
    return {
        "report_version": REPORT_VERSION,
        "run_id": run_id,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "arguments": arguments,
        "files": ingest.files,
        "rows": {
            "read": ingest.rows_read,
            "staged": ingest.rows_staged,
            "quarantined": ingest.rows_quarantined,
            "duplicates_dropped": ingest.duplicates_dropped,
            "reconciles": ingest.reconciles,
        },
        "quarantined_by_reason": ingest.quarantined_by_reason,
        "warnings": ingest.warnings,
        "tables": model.tables if model else {},
        "table_seconds": model.table_seconds if model else {},
        "seconds": {name: round(value, 3) for name, value in step_seconds.items()},
    }


def save_report(spark: SparkSession, reports_path: str, report: dict[str, Any]) -> str:
    """Write the report as `<reports_path>/<run_id>.json`; return its path."""
    path = join_path(reports_path, f"{report['run_id']}.json")
    hadoopfs.write_text(spark, path, json.dumps(report, indent=2, sort_keys=False) + "\n")
    return path


def format_summary(report: dict[str, Any]) -> str:
    """The run report as the few lines a person reads at the end of a run."""
    rows = report["rows"]
    lines = [
        f"run {report['run_id']}",
        f"  files          {len(report['files']):>12,}",
        f"  rows read      {rows['read']:>12,}",
        f"  staged         {rows['staged']:>12,}",
        f"  quarantined    {rows['quarantined']:>12,}",
    ]
    for reason, count in sorted(report["quarantined_by_reason"].items()):
        lines.append(f"    {reason:<20} {count:>8,}")
    lines.append(f"  duplicates     {rows['duplicates_dropped']:>12,}")
    check = "yes" if rows["reconciles"] else "NO"
    lines.append(f"  reconciles     {check:>12}  (read = staged + quarantined + duplicates)")
    if report["tables"]:
        lines.append("  rows per table")
        lines.extend(f"    {name:<20} {count:>12,}" for name, count in report["tables"].items())
    lines.append("  seconds per step")
    lines.extend(f"    {name:<20} {value:>12.1f}" for name, value in report["seconds"].items())
    lines.extend(f"  warning: {warning}" for warning in report["warnings"])
    if rows["read"] == 0:
        lines.append("  no data rows found in the raw input: nothing to do (this is not an error)")
    return "\n".join(lines)
