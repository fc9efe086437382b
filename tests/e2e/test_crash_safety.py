"""Crash safety: `ecom run` killed with SIGKILL at several points, mid-write included.

Each case starts from the same published lake (days 1-3), kills a run that adds days 4-5,
checks that what was published before is still whole and answers queries, then runs again
and compares every table with a lake that took the same input without being killed.
"""

from __future__ import annotations

import shutil
import signal

import pytest

from ecom.devdata.generate import generate
from ecom.jobs.pipeline import run_pipeline
from ecom.query.local import LocalEngine
from ecom.storage.lake import Lake
from tests import lakeread
from tests.e2e.killedruns import KilledRuns, clean_run, selected_points
from tests.lakeread import LINEAGE, read_curated

pytestmark = pytest.mark.e2e


# (kill point, what the killed run published before dying)
KILL_POINTS = [
    ("write:events", "nothing"),  # mid-write of the staged version of the new dates
    ("publish:staged", "nothing"),  # staged written, its publication not yet replaced
    ("published:staged", "staged"),  # staged published; the model never ran
    ("write:fact_sessions", "staged"),  # mid-write of a curated table (fact_purchases done)
    ("publish:curated", "staged"),  # every table written and checked, not published
    ("published:curated", "everything"),  # published; local catalog and report not updated
]
# The test of every kill point: the fixture starts the children of the points it will check.
KILLED_TEST = "test_killed_run_leaves_published_tables_whole_and_next_run_completes"


def lake_rows(lake: Lake) -> dict[str, list[tuple]]:
    """Staged events and every curated table as sorted row lists, lineage columns dropped."""
    return lakeread.lake_rows(lake, "clickstream", LINEAGE, LINEAGE)


def revenue_by_query(lake: Lake) -> object:
    """Total revenue as an analyst sees it: SQL through the lake's local catalog."""
    with LocalEngine(lake.root) as engine:
        return engine.query("select sum(revenue) as revenue from fact_purchases").rows[0][0]


@pytest.fixture(scope="module")
def crash_inputs(spark, tmp_path_factory, request):
    """Raw days 1-3 and 1-5, a lake published from days 1-3, the killed runs (one child per
    kill point, each on its own copy of that lake, started here: tests/e2e/killedruns.py),
    and the uninterrupted result, built while the children run."""
    generated = tmp_path_factory.mktemp("crash-days")
    generate(generated, 3_000, seed=11, months=1)
    days = sorted(generated.glob("events-2019-10-*.csv"))[:5]
    raw_first, raw_all = tmp_path_factory.mktemp("raw-first"), tmp_path_factory.mktemp("raw-all")
    for index, path in enumerate(days):
        shutil.copy(path, raw_all / path.name)
        if index < 3:
            shutil.copy(path, raw_first / path.name)
    base = tmp_path_factory.mktemp("lake-base") / "lake"
    run_pipeline(spark, str(raw_first), str(base), run_id="r1", show_progress=False)
    killed = KilledRuns(
        raw_all,
        base,
        tmp_path_factory.mktemp("killed"),
        selected_points(request, KILLED_TEST),
        # Analysts' view of each copy before its child runs (compared after the kill).
        before_kill=lambda lake: revenue_by_query(Lake(str(lake))),
    )
    try:
        reference = clean_run(spark, raw_all, base, tmp_path_factory.mktemp("lake-reference"))
        before = lake_rows(Lake(str(base)))
        yield raw_all, killed, before, lake_rows(Lake(str(reference)))
    finally:
        killed.close()


@pytest.mark.parametrize(("point", "published"), KILL_POINTS, ids=[p for p, _ in KILL_POINTS])
def test_killed_run_leaves_published_tables_whole_and_next_run_completes(
    spark, crash_inputs, point, published
) -> None:
    raw_all, killed, before, uninterrupted = crash_inputs
    lake_path = killed.lake(point)  # a copy of the lake of days 1-3, given to the child
    lake = Lake(str(lake_path))
    revenue_before = killed.seen_before[point]

    child = killed.result(point)
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]

    after_kill = lake_rows(lake)
    curated = {name: rows for name, rows in after_kill.items() if name != "staged"}
    expected_curated = uninterrupted if published == "everything" else before
    assert curated == {name: expected_curated[name] for name in curated}
    expected_staged = before if published == "nothing" else uninterrupted
    assert after_kill["staged"] == expected_staged["staged"]
    # Analysts still query the tables published before the kill, through the catalog.
    assert revenue_by_query(lake) == revenue_before

    report = run_pipeline(spark, str(raw_all), str(lake_path), run_id="r3", show_progress=False)
    assert report["status"] == "succeeded"
    assert lake_rows(lake) == uninterrupted
    total = read_curated(spark, lake, "fact_purchases").agg({"revenue": "sum"}).collect()[0][0]
    assert revenue_by_query(lake) == total
