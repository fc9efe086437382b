"""The notebooks run end to end on a small lake and show what it holds.

Both notebooks are executed once by scripts/run_notebooks.py (what `make notebooks` runs)
on the session's dashboard lake; a cell that raises fails the run. What they print and
plot is compared with figures computed here straight from the published Parquet files
(pyarrow) and the raw CSV, not through the query engine the notebooks read with.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pyarrow.parquet as pq
import pytest

from ecom.storage.lake import curated_tables

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
RUNNER = REPO / "scripts" / "run_notebooks.py"
EXPECTED_NOTEBOOKS = {"explore_lake", "data_quality"}
PLOTLY = "application/vnd.plotly.v1+json"
# The reasons of tests/conftest.py's BAD_ROWS, by hand; the generator writes no bad rows.
BAD_ROW_REASONS = {"invalid_event_type": 1, "invalid_event_time": 1, "negative_price": 1}


def run_notebooks(lake: Path, out: Path, *notebooks: Path) -> subprocess.CompletedProcess:
    """The runner in a subprocess; the kernel inherits its environment (plotly as JSON)."""
    env = dict(os.environ, PLOTLY_RENDERER="plotly_mimetype")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    command = [sys.executable, str(RUNNER), "--lake", str(lake), "--out", str(out)]
    return subprocess.run(
        [*command, *map(str, notebooks)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def executed(dashboard_lake, tmp_path_factory) -> dict[str, Any]:
    """Every notebook executed on the dashboard lake: name → executed notebook."""
    out = tmp_path_factory.mktemp("notebooks")
    completed = run_notebooks(dashboard_lake, out)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return {path.stem: nbformat.read(path, as_version=4) for path in sorted(out.glob("*.ipynb"))}


def printed(notebook) -> str:
    """Everything the notebook's cells printed, in order."""
    return "".join(
        output["text"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stdout"
    )


def figures(notebook) -> list[dict[str, Any]]:
    """The plotly figures the notebook showed, as JSON."""
    return [
        output["data"][PLOTLY]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if PLOTLY in output.get("data", {})
    ]


def number(pattern: str, text: str) -> int:
    """The integer (thousands separated) the first group of `pattern` matches."""
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"{pattern!r} not found in:\n{text}"
    return int(match.group(1).replace(",", ""))


def plotly_array(value: Any) -> np.ndarray:
    """A figure's data array: plain JSON, or plotly's base64 typed array."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array.astype(float)
    return np.array(value, dtype=float)


def published_files(zone: Path, table: str) -> list[tuple[str | None, Path]]:
    """(partition value or None, file) of every Parquet file the zone's publication names."""
    entry = json.loads((zone / "_current.json").read_text())["tables"][table]
    if "partitions" in entry:
        key = entry["partition_key"]
        folders = [
            (value, zone / table / version / f"{key}={value}")
            for value, version in entry["partitions"].items()
        ]
    else:
        folders = [(None, zone / table / entry["version"])]
    return [
        (value, path)
        for value, folder in folders
        for path in sorted(folder.glob("*.parquet"))
        if not path.name.startswith((".", "_"))
    ]


def row_count(zone: Path, table: str) -> int:
    return sum(pq.ParquetFile(path).metadata.num_rows for _, path in published_files(zone, table))


def column(zone: Path, table: str, name: str) -> list[Any]:
    return [
        value
        for _, path in published_files(zone, table)
        for value in pq.read_table(path, columns=[name]).column(name).to_pylist()
    ]


def test_committed_notebooks_have_no_outputs() -> None:
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert {path.stem for path in notebooks} >= EXPECTED_NOTEBOOKS
    for path in notebooks:
        for number_, cell in enumerate(nbformat.read(path, as_version=4).cells, 1):
            if cell.cell_type == "code":
                assert cell.outputs == [], f"{path.name} cell {number_} has outputs"
                assert cell.execution_count is None, f"{path.name} cell {number_} was run"


def test_every_cell_of_every_notebook_runs(executed) -> None:
    assert set(executed) == {path.stem for path in NOTEBOOKS.glob("*.ipynb")}
    for name, notebook in executed.items():
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.execution_count is not None, f"{name}: a cell did not run"
                assert all(output.output_type != "error" for output in cell.outputs), name


def test_a_cell_that_raises_fails_the_run(dashboard_lake, tmp_path) -> None:
    broken = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("print('before')"), nbformat.v4.new_code_cell("1 / 0")]
    )
    path = tmp_path / "broken.ipynb"
    nbformat.write(broken, path)
    completed = run_notebooks(dashboard_lake, tmp_path / "out", path)
    assert completed.returncode == 1
    assert "ZeroDivisionError" in completed.stdout
    # The executed copy is still written, with the traceback, for whoever debugs it.
    outputs = nbformat.read(tmp_path / "out" / "broken.ipynb", as_version=4).cells[1].outputs
    assert outputs[0].output_type == "error"


def test_every_chart_labels_its_axes(executed) -> None:
    charts = {name: figures(notebook) for name, notebook in executed.items()}
    assert len(charts["explore_lake"]) >= 6
    assert len(charts["data_quality"]) >= 3
    for name, figures_ in charts.items():
        for figure in figures_:
            layout = figure["layout"]
            title = layout.get("title", {}).get("text")
            axes = [key for key in layout if re.fullmatch(r"[xy]axis\d*", key)]
            assert {"xaxis", "yaxis"} <= set(axes), f"{name}: {title}"
            for axis in axes:
                assert layout[axis].get("title", {}).get("text"), f"{name}: {title}: {axis}"


def test_star_schema_row_counts_are_the_published_files(executed, dashboard_lake) -> None:
    text = printed(executed["explore_lake"])
    for table in curated_tables("clickstream"):
        shown = number(rf"^{table}\s+\w+\s+([\d,]+)\s", text)
        assert shown == row_count(dashboard_lake / "curated", table), table


def test_kpis_are_the_sums_of_the_purchases(executed, dashboard_lake) -> None:
    text = printed(executed["explore_lake"])
    curated = dashboard_lake / "curated"
    revenue = re.search(r"^lifetime revenue\s+([\d,.]+)$", text, re.MULTILINE)
    assert revenue
    assert Decimal(revenue.group(1).replace(",", "")) == sum(
        column(curated, "fact_purchases", "revenue")
    )
    assert number(r"^orders\s+([\d,]+)$", text) == len(
        set(column(curated, "fact_purchases", "order_id"))
    )
    assert number(r"^items\s+([\d,]+)$", text) == sum(column(curated, "fact_purchases", "quantity"))
    assert number(r"^customers\s+([\d,]+)$", text) == len(
        set(column(curated, "fact_purchases", "user_id"))
    )


def test_cohort_heat_map_is_the_retention_of_the_purchases(executed, dashboard_lake) -> None:
    curated = dashboard_lake / "curated"
    # month index (year * 12 + month - 1) of every purchase, by user, from the partitions
    active: dict[int, set[int]] = {}
    for day, path in published_files(curated, "fact_purchases"):
        month = int(day[:4]) * 12 + int(day[5:7]) - 1
        for user in pq.read_table(path, columns=["user_id"]).column("user_id").to_pylist():
            active.setdefault(user, set()).add(month)
    years = column(curated, "dim_time", "year")
    months = column(curated, "dim_time", "month")
    last = max(year * 12 + month - 1 for year, month in zip(years, months, strict=True))
    cohorts = Counter(min(months_) for months_ in active.values())
    first = min(cohorts)
    expected = np.full((len(cohorts), last - first + 1), np.nan)
    for row, cohort in enumerate(sorted(cohorts)):
        for offset in range(last - cohort + 1):
            retained = sum(1 for m in active.values() if min(m) == cohort and cohort + offset in m)
            expected[row, offset] = retained / cohorts[cohort]

    (heat_map,) = [
        f for f in figures(executed["explore_lake"]) if f["data"][0]["type"] == "heatmap"
    ]
    shown = plotly_array(heat_map["data"][0]["z"])
    np.testing.assert_allclose(shown, expected, equal_nan=True)
    sizes = [
        int(re.search(r"\(([\d,]+) customers\)", y).group(1)) for y in heat_map["data"][0]["y"]
    ]
    assert sizes == [cohorts[cohort] for cohort in sorted(cohorts)]


def test_funnel_counts_every_session(executed, dashboard_lake) -> None:
    shown = number(r"^sessions in the funnel: ([\d,]+)$", printed(executed["explore_lake"]))
    assert shown == row_count(dashboard_lake / "curated", "fact_sessions")


def test_run_report_counts_are_the_raw_input(executed, dashboard_lake, dashboard_raw) -> None:
    text = printed(executed["data_quality"])
    lines = []
    for path in sorted(dashboard_raw.glob("*.csv")):
        lines += path.read_text().splitlines()[1:]  # without the header
    duplicates = sum(count - 1 for count in Counter(lines).values())
    assert number(r"^  rows read\s+([\d,]+)$", text) == len(lines)
    assert number(r"^  quarantined\s+([\d,]+)$", text) == sum(BAD_ROW_REASONS.values())
    assert number(r"^  duplicates\s+([\d,]+)$", text) == duplicates
    assert number(r"^  staged\s+([\d,]+)$", text) == row_count(dashboard_lake / "staged", "events")
    assert re.search(r"^  reconciles\s+yes ", text, re.MULTILINE)
    assert "runs that do not reconcile: none" in text


def test_quarantine_by_reason_is_the_bad_rows(executed) -> None:
    text = printed(executed["data_quality"])
    block = text.split("quarantined by reason, latest run ", 1)[1].split("\n", 1)[1]
    shown = dict(re.findall(r"^  (\w+)\s+([\d,]+)$", block.split("\n\n", 1)[0], re.MULTILINE))
    assert {reason: int(count) for reason, count in shown.items()} == BAD_ROW_REASONS
    assert "quarantine matches the reports: yes" in text


def test_rule_outcomes_are_the_dq_results_table(executed, dashboard_lake) -> None:
    files = published_files(dashboard_lake / "curated", "dq_results")
    rows = [row for _, path in files for row in pq.read_table(path).to_pylist()]
    latest = max(rows, key=lambda row: row["evaluated_at"])["run_id"]
    outcomes = Counter(
        "passed" if row["is_passed"] else "failed" if row["level"] == "error" else "warned"
        for row in rows
        if row["run_id"] == latest
    )
    text = printed(executed["data_quality"])
    summary = (
        f"latest run {latest}: {outcomes['passed']} passed, {outcomes['warned']} warned, "
        f"{outcomes['failed']} failed of {outcomes.total()} rules"
    )
    assert summary in text
    not_passed = {(r["table_name"], r["rule_name"]) for r in rows if not r["is_passed"]}
    assert f"rules that did not pass in some run: {len(not_passed)} " in text
