"""Incremental runs: files already ingested are skipped, re-deliveries change nothing, late
events join their date, and --full-refresh gives the result of one run over everything."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pyspark.sql.functions as F
import pytest

from ecom.devdata.generate import generate
from ecom.jobs.pipeline import run_pipeline
from ecom.sources.clickstream.contract import RAW_HEADER
from ecom.storage.lake import Lake
from tests.lakeread import lake_rows, published_rows, read_curated, read_staged
from tests.reference import read_expected

pytestmark = pytest.mark.e2e

LATE_ROWS = [  # a purchase on the first day, delivered after later days were ingested
    "2019-10-01 12:00:00 UTC,purchase,9001,2053013555631882655,,acme,10.00,700000001,late-s1",
    "2019-10-01 12:00:00 UTC,purchase,9001,2053013555631882655,,acme,10.00,700000001,late-s1",
]


def table_rows(lake: Lake, *, ignore: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every curated table (without the columns naming the run) and the staged events
    (without `ignore`) as sorted row lists (a multiset each)."""
    return lake_rows(lake, "clickstream", staged_drop=ignore)


@pytest.fixture(scope="module")
def days(tmp_path_factory):
    """Ten days of generated events, one file per day."""
    folder = tmp_path_factory.mktemp("days")
    generate(folder, 6_000, seed=5, months=1)
    files = sorted(folder.glob("events-2019-10-*.csv"))
    return files[:10]


def stage(folder, files) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy(path, folder / path.name)


@pytest.fixture(scope="module")
def incremental(spark, days, tmp_path_factory):
    """Days 1-5, then days 6-10 plus a late file for day 1, then the same again."""
    raw = tmp_path_factory.mktemp("raw-incremental")
    lake = tmp_path_factory.mktemp("lake-incremental")
    stage(raw, days[:5])
    first = run_pipeline(spark, str(raw), str(lake), run_id="r1", show_progress=False)
    stage(raw, days[5:])
    (raw / "late-2019-10-01.csv").write_text("\n".join([RAW_HEADER, *LATE_ROWS]) + "\n")
    second = run_pipeline(spark, str(raw), str(lake), run_id="r2", show_progress=False)
    after_second = table_rows(Lake(str(lake)))
    third = run_pipeline(spark, str(raw), str(lake), run_id="r3", show_progress=False)
    return raw, Lake(str(lake)), (first, second, third), after_second


def test_second_run_reads_only_new_files(incremental) -> None:
    raw, _, (first, second, _), _ = incremental
    assert first["rows"]["read"] == sum(
        len(path.read_text().splitlines()) - 1 for path in sorted(raw.glob("events-*"))[:5]
    )
    read = {
        entry["path"].rsplit("/", 1)[-1] for entry in second["files"] if entry["status"] == "read"
    }
    assert read == {path.name for path in sorted(raw.glob("events-*"))[5:]} | {
        "late-2019-10-01.csv"
    }
    skipped = [entry for entry in second["files"] if entry["status"] == "skipped"]
    assert len(skipped) == 5 and all("already ingested by run r1" in e["reason"] for e in skipped)
    for report in (first, second):
        rows = report["rows"]
        assert rows["read"] == rows["staged"] + rows["quarantined"] + rows["duplicates_dropped"]


def test_same_input_again_changes_nothing(incremental, spark) -> None:
    _, lake, (_, _, third), after_second = incremental
    assert third["rows"]["read"] == 0
    assert table_rows(lake) == after_second


def test_late_events_land_in_their_date_and_fix_its_summary(incremental, spark) -> None:
    raw, lake, _, _ = incremental
    expected = read_expected(sorted(raw.glob("*.csv")))
    daily = read_curated(spark, lake, "fact_daily_summary")
    oct1 = daily.where("summary_date = '2019-10-01'").collect()[0]
    day1_revenue = sum(
        (event[6] for event in expected.purchases() if event[0].day == 1), Decimal("0.00")
    )
    assert oct1["revenue"] == day1_revenue
    assert read_staged(spark, lake).where("session_id = 'late-s1'").count() == 1
    total = read_curated(spark, lake, "fact_purchases").agg(F.sum("revenue")).collect()[0][0]
    assert total == expected.revenue()
    assert read_staged(spark, lake).count() == expected.staged


def test_redelivered_content_under_a_new_name_changes_nothing(incremental, spark, tmp_path) -> None:
    raw, lake, _, _ = incremental
    copy_lake = Lake(str(tmp_path / "lake"))
    shutil.copytree(lake.root, copy_lake.root)
    before = table_rows(copy_lake)
    again = tmp_path / "again"
    again.mkdir()
    original = sorted(raw.glob("events-*"))[2]
    shutil.copy(original, again / f"resent-{original.name}")
    report = run_pipeline(spark, str(again), copy_lake.root, run_id="r4", show_progress=False)
    rows = report["rows"]
    assert rows["read"] == len(original.read_text().splitlines()) - 1
    assert rows["staged"] == 0 and rows["duplicates_dropped"] == rows["read"]
    assert table_rows(copy_lake) == before


@pytest.fixture(scope="module")
def one_run(incremental, spark, tmp_path_factory) -> Lake:
    """One run (r5) over every raw file of `incremental` into an empty lake: what a full
    refresh and the incremental runs must both equal (read only, shared by their tests)."""
    raw = incremental[0]
    once = Lake(str(tmp_path_factory.mktemp("once") / "lake"))
    run_pipeline(spark, str(raw), once.root, run_id="r5", show_progress=False)
    return once


def test_full_refresh_equals_one_run_over_everything(incremental, one_run, spark, tmp_path) -> None:
    raw, lake, _, _ = incremental
    refreshed = Lake(str(tmp_path / "refreshed"))
    shutil.copytree(lake.root, refreshed.root)
    run_pipeline(
        spark, str(raw), refreshed.root, run_id="r5", show_progress=False, full_refresh=True
    )
    once = one_run
    # the two rebuilds ran at different times: only `ingested_at` may differ
    ignore = ("ingested_at",)
    assert table_rows(refreshed, ignore=ignore) == table_rows(once, ignore=ignore)


def test_incremental_runs_equal_one_full_run(incremental, one_run, spark) -> None:
    """Days 1-5 then 6-10 + late day-1 rows, merged and rebuilt by date, give the tables of a
    single run over all files (lineage columns aside: they name the run that read a row)."""
    _, lake, (_, second, _), _ = incremental
    assert second["model"]["mode"] == "incremental"
    assert "2019-10-01" in second["model"]["dates_rebuilt"]  # the late rows' date
    once = one_run

    def comparable(target: Lake) -> dict[str, list[tuple]]:
        rows = table_rows(target, ignore=("ingested_at", "ingest_run_id"))
        rows["fact_purchases"] = published_rows(
            target.curated, "fact_purchases", ("ingest_run_id",)
        )
        return rows

    assert comparable(lake) == comparable(once)


def test_backfill_rebuilds_the_range_and_changes_nothing(incremental, spark, tmp_path) -> None:
    raw, lake, _, _ = incremental
    copy_lake = Lake(str(tmp_path / "lake"))
    shutil.copytree(lake.root, copy_lake.root)
    before = table_rows(copy_lake)
    report = run_pipeline(
        spark,
        str(raw),
        copy_lake.root,
        run_id="r7",
        show_progress=False,
        date_from="2019-10-03",
        date_to="2019-10-04",
    )
    assert report["rows"]["read"] == 0
    assert report["model"]["mode"] == "incremental"
    assert {"2019-10-03", "2019-10-04"} <= set(report["model"]["dates_rebuilt"])
    assert "2019-10-08" not in report["model"]["dates_rebuilt"]
    assert table_rows(copy_lake) == before


MIDNIGHT_ROWS = [  # sessions w and v each span a midnight; y is on 2 Oct only
    "2019-10-01 23:50:00 UTC,view,1,2,,acme,5.00,11,w",
    "2019-10-02 00:10:00 UTC,view,1,2,,acme,5.00,11,w",
    "2019-10-02 08:00:00 UTC,view,1,2,,acme,5.00,12,y",
    "2019-10-02 23:50:00 UTC,view,1,2,,acme,5.00,14,v",
    "2019-10-03 00:10:00 UTC,view,1,2,,acme,5.00,14,v",
]
NEW_SESSION_ROWS = ["2019-10-03 09:00:00 UTC,view,3,2,,acme,7.00,13,z"]  # only 3 Oct changes
EXTENDING_ROWS = ["2019-10-01 22:00:00 UTC,cart,1,2,,acme,5.00,12,y"]  # y now starts 1 Oct


def test_sessions_crossing_midnight_are_rebuilt_once(spark, tmp_path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    lake = Lake(str(tmp_path / "lake"))

    def deliver(name: str, rows: list[str]) -> dict[str, tuple[str, int]]:
        (raw / name).write_text("\n".join([RAW_HEADER, *rows]) + "\n")
        run_pipeline(spark, str(raw), lake.root, run_id=name[0], show_progress=False)
        sessions = read_curated(spark, lake, "fact_sessions").collect()
        found = {row["session_id"]: (str(row["session_date"]), row["events"]) for row in sessions}
        assert len(found) == len(sessions), "a session appears twice"
        return found

    first = {"w": ("2019-10-01", 2), "y": ("2019-10-02", 1), "v": ("2019-10-02", 2)}
    assert deliver("a.csv", MIDNIGHT_ROWS) == first
    # 3 Oct changes, so v's start date (2 Oct) is rebuilt and read; w's tail is on 2 Oct,
    # but w started on 1 Oct, which is kept: w keeps its row
    assert deliver("b.csv", NEW_SESSION_ROWS) == {**first, "z": ("2019-10-03", 1)}
    # a late event moves y's start back to 1 Oct: its row of 2 Oct goes
    assert deliver("c.csv", EXTENDING_ROWS) == {
        **first,
        "z": ("2019-10-03", 1),
        "y": ("2019-10-01", 2),
    }
