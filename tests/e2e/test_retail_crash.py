"""Online Retail crash safety: `ecom run` killed mid-write (staged, then curated); the
previous publication stays whole and the next run equals a run that was never killed."""

from __future__ import annotations

import shutil

import pytest

from ecom.jobs.pipeline import run_pipeline
from ecom.storage.lake import Lake
from tests.e2e.killedruns import KilledRuns, clean_run, selected_points
from tests.e2e.test_retail_pipeline import RETAIL_DAYS
from tests.lakeread import LINEAGE, lake_rows

pytestmark = pytest.mark.e2e

# The ingest (and its kill points) is shared with clickstream: the retail star is what is new.
KILL_POINTS = ["write:fact_cancellations"]

# Lineage, the columns naming the run, and the raw file a line came from.
RETAIL_LINEAGE = (*LINEAGE, "source_file")


def table_rows(lake: Lake) -> dict[str, list[tuple]]:
    """Staged lines and every curated table, sorted, without the columns naming the run."""
    return lake_rows(lake, "online-retail", RETAIL_LINEAGE, RETAIL_LINEAGE)


@pytest.fixture(scope="module")
def retail_crash_inputs(spark, tmp_path_factory, request):
    """Days 1-3 published, days 1-5 as the next input, the killed runs (children started
    here, each on its own copy of the published lake: tests/e2e/killedruns.py), and the
    uninterrupted result, built while they run."""
    if not RETAIL_DAYS.is_dir():
        pytest.skip(f"Online Retail days not found at {RETAIL_DAYS} (shared data absent)")
    days = sorted(RETAIL_DAYS.glob("*.csv"))[:5]
    raw_first = tmp_path_factory.mktemp("retail-crash-first")
    raw_all = tmp_path_factory.mktemp("retail-crash-all")
    for index, path in enumerate(days):
        shutil.copy(path, raw_all / path.name)
        if index < 3:
            shutil.copy(path, raw_first / path.name)
    base = tmp_path_factory.mktemp("retail-crash-base") / "lake"
    run_pipeline(spark, str(raw_first), str(base), run_id="r1", show_progress=False)
    points = selected_points(request, "test_a_killed_retail_run_then_a_rerun_equals_a_clean_run")
    killed = KilledRuns(raw_all, base, tmp_path_factory.mktemp("retail-killed"), points)
    try:
        reference = clean_run(
            spark, raw_all, base, tmp_path_factory.mktemp("retail-crash-reference")
        )
        before = table_rows(Lake(str(base)))
        yield raw_all, killed, before, table_rows(Lake(str(reference)))
    finally:
        killed.close()


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_killed_retail_run_then_a_rerun_equals_a_clean_run(
    spark, retail_crash_inputs, point
) -> None:
    raw_all, killed, before, uninterrupted = retail_crash_inputs
    lake_path = killed.lake(point)  # a copy of the lake of days 1-3, given to the child
    lake = Lake(str(lake_path))

    child = killed.result(point)
    assert child.returncode < 0, child.stderr[-2000:]
    after_kill = table_rows(lake)
    curated = {name: rows for name, rows in after_kill.items() if name != "staged"}
    assert curated == {name: before[name] for name in curated}

    report = run_pipeline(spark, str(raw_all), str(lake_path), run_id="r3", show_progress=False)
    assert report["status"] == "succeeded" and report["rows"]["reconciles"]
    assert table_rows(lake) == uninterrupted
