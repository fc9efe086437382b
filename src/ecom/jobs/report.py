"""The run report: one JSON document per run, saved in the lake, and its printed summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pyspark.sql import SparkSession

from ecom.jobs.ingest import IngestResult
from ecom.jobs.model import ModelResult
from ecom.storage import hadoopfs
from ecom.storage.lake import join_path

REPORT_VERSION = 2


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


def build_report(
    run_id: str,
    arguments: dict[str, Any],
    ingest: IngestResult,
    model: ModelResult | None,
    step_seconds: dict[str, float],
    failure: Exception | None = None,
) -> dict[str, Any]:
    """Assemble the run report from the two jobs' results."""
    return {
        "report_version": REPORT_VERSION,
        "run_id": run_id,
        "source": ingest.source or (model.source if model else None),
        "status": "succeeded" if failure is None else "failed",
        "error": None if failure is None else str(failure),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "arguments": arguments,
        "file_counts": file_counts(ingest.files),
        "files": ingest.files,
        "rows": {
            "read": ingest.rows_read,
            "staged": ingest.rows_staged,
            # Sources whose rows have kinds (Online Retail: sale, cancellation, adjustment).
            **({"staged_by_kind": ingest.staged_by_kind} if ingest.staged_by_kind else {}),
            "quarantined": ingest.rows_quarantined,
            "duplicates_dropped": ingest.duplicates_dropped,
            "reconciles": ingest.reconciles,
        },
        "quarantined_by_reason": ingest.quarantined_by_reason,
        "warnings": ingest.warnings,
        "staged_dates_changed": ingest.dates_changed,
        "model": {
            "mode": model.mode if model else "not_run",
            "reason": model.reason if model else "",
            "dates_rebuilt": model.dates_rebuilt if model else [],
            "events_read": model.staged_rows if model else 0,
            "published": model.published if model else False,
        },
        # Customer models: per stage done or skipped (with the reason) and its figures.
        "models": model.models if model else {},
        "tables": model.tables if model else {},
        "table_seconds": model.table_seconds if model else {},
        "dq": dq_summary(model.dq_results if model else []),
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
    files = report["file_counts"]
    lines = [
        f"run {report['run_id']}  {report['status']}"
        + (f"  ({report['source']})" if report.get("source") else ""),
        f"  files          {files['seen']:>12,}  (read {files['read']:,}, skipped "
        f"{files['skipped']:,}, rejected {files['rejected']:,})",
        f"  rows read      {rows['read']:>12,}",
        f"  staged         {rows['staged']:>12,}",
    ]
    kinds = rows.get("staged_by_kind") or {}
    lines.extend(f"    {kind:<20} {count:>8,}" for kind, count in kinds.items())
    lines.append(f"  quarantined    {rows['quarantined']:>12,}")
    for reason, count in sorted(report["quarantined_by_reason"].items()):
        lines.append(f"    {reason:<20} {count:>8,}")
    lines.append(f"  duplicates     {rows['duplicates_dropped']:>12,}")
    check = "yes" if rows["reconciles"] else "NO"
    staged = " + ".join(f"{kind}s" for kind in kinds) if kinds else "staged"
    lines.append(f"  reconciles     {check:>12}  (read = {staged} + quarantined + duplicates)")
    model = report["model"]
    if model["mode"] != "not_run":
        rebuilt = model["dates_rebuilt"]
        span = f"{len(rebuilt)} date(s)" + (f" {rebuilt[0]} .. {rebuilt[-1]}" if rebuilt else "")
        lines.append(f"  model          {model['mode']:>12}  ({model['reason']}; {span})")
    for stage, entry in report.get("models", {}).items():
        if entry.get("status") == "done":
            figures = ", ".join(
                f"{name} {entry[name]}" for name in entry.get("figures", ()) if name in entry
            )
            lines.append(f"  {stage:<14} {'done':>12}  ({figures})")
        else:
            lines.append(f"  {stage:<14} {'skipped':>12}  ({entry.get('reason', '')})")
    dq = report["dq"]
    if dq["rules"]:
        lines.append(
            f"  data quality   {dq['passed']:>5} passed, {dq['warned']} warned, "
            f"{dq['failed']} failed of {dq['rules']} rules"
        )
        for result in dq["results"]:
            if not result["is_passed"]:
                lines.append(
                    f"    {result['level']:<5} {result['table_name']}.{result['rule_name']}: "
                    f"{result['details']}"
                )
    if report["tables"]:
        lines.append("  rows per table")
        lines.extend(f"    {name:<20} {count:>12,}" for name, count in report["tables"].items())
    lines.append("  seconds per step")
    lines.extend(f"    {name:<20} {value:>12.1f}" for name, value in report["seconds"].items())
    lines.extend(f"  warning: {warning}" for warning in report["warnings"])
    if rows["read"] == 0 and not files["rejected"]:
        lines.append(
            "  no new data rows in the raw input: nothing to ingest (this is not an error)"
        )
    elif rows["read"] == 0:
        lines.append("  no data rows read: every new file was rejected (see the warnings above)")
    return "\n".join(lines)
