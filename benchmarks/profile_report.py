"""The printed tables of a profile result (benchmarks/profile_pipeline.py)."""

from __future__ import annotations

from typing import Any

from eventlog import MB


def size_label(rows: int) -> str:
    return f"{rows // 1_000_000}M" if rows % 1_000_000 == 0 else str(rows)


def _mb(value: int) -> str:
    return f"{value / MB:,.0f}" if value else "-"


def print_result(result: dict[str, Any]) -> None:
    run = result["ecom_run"]
    seconds = run["report_seconds"]
    print(
        f"\n{result['events']:,} events ({result['raw_bytes'] / MB:,.0f} MB CSV): ecom run "
        f"{run['wall_seconds']:.1f} s wall (ingest {seconds['ingest']:.1f}, model "
        f"{seconds.get('model', 0):.1f}); peak RSS {run['peak_rss_bytes'] / 2**30:.2f} GiB; "
        f"other load {run['machine']['others_cores']} cores, load avg "
        f"{run['machine']['load_1min_before']}"
    )
    total_task = sum(part["run_s"] for part in result["parts"]) or 1.0
    total_cpu = sum(part["cpu_s"] for part in result["parts"]) or 1.0
    header = (
        f"{'part':<42} {'wall s':>7} {'task s':>7} {'task%':>6} {'cpu s':>7} {'cpu%':>6} "
        f"{'gc s':>5} {'shufR MB':>8} {'shufW MB':>8} {'spill MB':>8} {'in MB':>7} "
        f"{'in rows':>11} {'out MB':>7} {'out rows':>11}"
    )
    print(header)
    print("-" * len(header))
    for part in result["parts"]:
        wall = "" if part["wall_s"] is None else f"{part['wall_s']:.1f}"
        spill = part["spill_disk_bytes"]  # as written to disk (in memory it was larger)
        print(
            f"{part['part']:<42} {wall:>7} {part['run_s']:>7.1f} "
            f"{100 * part['run_s'] / total_task:>5.1f}% {part['cpu_s']:>7.1f} "
            f"{100 * part['cpu_s'] / total_cpu:>5.1f}% "
            f"{part['gc_s']:>5.1f} {_mb(part['shuffle_read_bytes']):>8} "
            f"{_mb(part['shuffle_write_bytes']):>8} {_mb(spill):>8} "
            f"{_mb(part['input_bytes']):>7} {part['input_records'] or '-':>11} "
            f"{_mb(part['output_bytes']):>7} {part['output_records'] or '-':>11}"
        )
    print(
        f"{'total':<42} {run['wall_seconds']:>7.1f} {total_task:>7.1f} {'':>6} {total_cpu:>7.1f}"
        f"   (task time = {total_task / run['wall_seconds'] / result['cores']:.0%} of "
        f"{result['cores']} cores x wall; task CPU = {total_cpu / total_task:.0%} of task time)"
    )
    machine = run["machine"]
    if machine.get("spark_jvm_cpu_s_by_thread_kind"):
        threads = machine["spark_jvm_cpu_s_by_thread_kind"]
        print(
            f"CPU seconds of the run's processes: {machine['own_cpu_s']} "
            f"({', '.join(f'{k} {v}' for k, v in machine['cpu_s_by_process'].items())}); "
            f"Spark JVM by thread: {', '.join(f'{k} {v}' for k, v in threads.items())}"
        )
    print("\nstages with the most task time:")
    for stage in result["top_stages"][:8]:
        metrics = ", ".join(
            f"{name} {value:.1f}s" if isinstance(value, float) else f"{name} {value / MB:.0f}MB"
            for name, value in stage["operator_metrics"].items()
            if value
        )
        print(
            f"  stage {stage['stage']:>3} {stage['part']:<36} {stage['kind']:<28} "
            f"wall {stage['wall_s']:5.1f} task {stage['run_s']:6.1f} cpu {stage['cpu_s']:6.1f}"
            f" spill {_mb(stage['spill_memory_bytes'])} MB in memory, "
            f"{_mb(stage['spill_disk_bytes'])} MB on disk"
        )
        print(f"        {', '.join(stage['operators'])}" + (f"  [{metrics}]" if metrics else ""))
    python = result["python"]
    elsewhere = ", ".join(
        f"stage {stage['stage']} ({stage['part']}: Python reads "
        f"{'+'.join(stage.get('reads', [])) or '?'}; stage {stage['rows_in']} rows in, "
        f"{stage['rows_out']} out, {stage['task_s']} task s)"
        for stage in python["python_stages"]
    )
    print(
        f"\nPython on the row path: {'YES' if python['on_row_path'] else 'no'} (Python "
        f"operators: {', '.join(python['python_operators']) or 'none'}; stages with a Python "
        f"RDD: {elsewhere or 'none'}; Python workers: {python['python_workers']})"
    )
    ref, baseline = result["reference_duckdb"], result["project_baseline"]
    ratios = result["ratios"]
    if ref:
        print(
            f"reference DuckDB: {ref['wall_seconds']:.1f} s, peak "
            f"{ref['peak_rss_bytes'] / 2**30:.2f} GiB; ecom run / reference = "
            f"{ratios['ecom_over_reference']}"
        )
    print(
        f"project baseline: {baseline['wall_seconds']:.1f} s, peak "
        f"{baseline['peak_rss_bytes'] / 2**30:.2f} GiB; ecom run / project baseline = "
        f"{ratios['ecom_over_project_baseline']} (same results: {baseline['agrees_with_ecom']})"
    )
