"""The run report's printed summary: the few lines `ecom run` shows at the end of a run.

The report itself (its schema, writing and reading) is `ecom.storage.runreports`.
"""

from __future__ import annotations

from typing import Any


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
