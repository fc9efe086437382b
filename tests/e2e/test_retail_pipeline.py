"""Online Retail end to end: the shared days as two deliveries, every KPI against an
independent reading of the raw files (tests/reference_retail.py), to the cent.

The first delivery is every shared day up to 2011-09-30; the second adds October (the
shared days end there) and one September day again under another name (a re-delivery).
With ECOM_RETAIL_EXTRA_DAYS naming a folder of later days of the same data set
(2011-11-01 ...), a third delivery adds them too.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from ecom.query.local import LocalEngine
from ecom.storage.lake import Lake
from tests.conftest import SHARED_DATA
from tests.lakeread import read_curated
from tests.reference_retail import RetailReference

pytestmark = pytest.mark.e2e

RETAIL_DAYS = SHARED_DATA / "online_retail" / "by-day"
FIRST_DELIVERY_END = "2011-09-30"
REDELIVERED = "2011-09-15.csv"


def deliveries() -> list[list[Path]]:
    """The raw files of each delivery, in order."""
    if not RETAIL_DAYS.is_dir():
        pytest.skip(f"Online Retail days not found at {RETAIL_DAYS} (shared data absent)")
    days = sorted(RETAIL_DAYS.glob("*.csv"))
    batches = [
        [path for path in days if path.stem <= FIRST_DELIVERY_END],
        [path for path in days if path.stem > FIRST_DELIVERY_END],
    ]
    extra = os.environ.get("ECOM_RETAIL_EXTRA_DAYS")
    if extra:
        batches.append(sorted(Path(extra).glob("*.csv")))
    return batches


def kpis_of(lake: Lake) -> dict[str, object]:
    """The KPIs as analysts read them: the Athena views, on the local engine."""
    with LocalEngine(lake.root) as engine:
        [summary] = engine.query("select * from kpi_summary").records()
        daily = {
            row["summary_date"]: row for row in engine.query("select * from daily_kpis").records()
        }
        monthly = {
            row["year_month"]: row["revenue"]
            for row in engine.query("select year_month, revenue from monthly_revenue").records()
        }
        top = engine.query(
            "select stock_code, revenue from product_performance "
            "order by revenue desc, stock_code limit 10"
        ).rows
        countries = {
            row["country"]: row
            for row in engine.query("select * from revenue_by_country").records()
        }
    return {
        "summary": summary,
        "daily": daily,
        "monthly": monthly,
        "top": [tuple(row) for row in top],
        "countries": countries,
    }


@pytest.fixture(scope="module")
def retail_lake(retail_deliveries):
    """A lake that took every delivery in turn (tests/e2e/conftest.py); per delivery its
    run report, the KPIs the views read right after it, and the reference of all so far."""
    raw, lake, runs, _ = retail_deliveries
    return raw, lake, [(run.report, run.observed["kpis"], run.reference) for run in runs]


def test_every_delivery_reconciles_line_by_line(retail_lake) -> None:
    _, _, runs = retail_lake
    totals = {"read": 0, "duplicates": 0, "sale": 0, "cancellation": 0, "adjustment": 0}
    for report, _, _ in runs:
        rows = report["rows"]
        assert report["source"] == "online-retail"
        assert rows["reconciles"]
        kinds = rows["staged_by_kind"]
        assert rows["read"] == (
            kinds["sale"]
            + kinds["cancellation"]
            + kinds["adjustment"]
            + rows["quarantined"]
            + rows["duplicates_dropped"]
        )
        totals["read"] += rows["read"]
        totals["duplicates"] += rows["duplicates_dropped"]
        for kind in ("sale", "cancellation", "adjustment"):
            totals[kind] += kinds[kind]
    reference = runs[-1][2]
    assert totals["read"] == reference.rows_read
    assert totals["duplicates"] == reference.duplicates
    assert {kind: totals[kind] for kind in reference.counts} == reference.counts


def test_kpis_equal_the_reference_after_each_delivery(retail_lake) -> None:
    _, _, runs = retail_lake
    for _, seen, reference in runs:
        if isinstance(seen, Exception):  # the views could not be read after that delivery
            raise seen
        assert_kpis_match(seen, reference)


def assert_kpis_match(seen: dict[str, object], reference: RetailReference) -> None:
    """Every KPI of the issue: the summary, each day, each month, top 10, countries."""
    expected = reference.kpis()
    summary = seen["summary"]
    for name, value in expected.items():
        if name == "cancellation_rate":
            assert summary[name] == pytest.approx(value, abs=1e-12)
        else:
            assert summary[name] == value, name
    daily = reference.daily()
    assert set(seen["daily"]) == set(daily)
    for day, values in daily.items():
        row = seen["daily"][day]
        assert (row["transactions"], row["revenue"], row["cancellations"]) == (
            values["transactions"],
            values["revenue"],
            values["cancellations"],
        ), day
    assert seen["monthly"] == reference.monthly_revenue()
    assert seen["top"] == reference.top_products(10)
    countries = reference.revenue_by_country()
    assert {
        country: (row["revenue"], row["customers"], row["orders"])
        for country, row in seen["countries"].items()
    } == {
        country: (values["revenue"], values["customers"], values["orders"])
        for country, values in countries.items()
    }


def test_the_second_delivery_processes_only_the_new_files(retail_lake) -> None:
    _, _, runs = retail_lake
    first, second = runs[0][0], runs[1][0]
    assert first["model"]["mode"] == "full"
    assert second["model"]["mode"] == "incremental"
    read = [Path(entry["path"]).name for entry in second["files"] if entry["status"] == "read"]
    october = [path.name for path in deliveries()[1]]
    assert sorted(read) == sorted([*october, f"again-{REDELIVERED}"])
    assert second["staged_dates_changed"] == sorted(
        [*(name.removesuffix(".csv") for name in october), REDELIVERED.removesuffix(".csv")]
    )


def test_a_redelivered_day_changes_nothing(retail_lake) -> None:
    """Its lines are all duplicates of lines staged before, and the KPIs after the second
    delivery equal the reference's (checked above), which counts them once."""
    _, _, runs = retail_lake
    second = runs[1][0]
    again = next(e for e in second["files"] if e["path"].endswith(f"again-{REDELIVERED}"))
    assert again["status"] == "read" and "again-" in again["path"]
    lines = len((RETAIL_DAYS / REDELIVERED).read_text().splitlines()) - 1
    assert second["rows"]["duplicates_dropped"] >= lines
    first_reference, second_reference = runs[0][2], runs[1][2]
    new_duplicates = second_reference.duplicates - first_reference.duplicates
    assert second["rows"]["duplicates_dropped"] == new_duplicates


def test_money_is_exact_before_rounding(spark, retail_lake) -> None:
    """0.001 prices keep their precision in the facts: the sum of line totals is exact."""
    _, lake, _ = retail_lake
    rows = (
        read_curated(spark, lake, "fact_purchases")
        .where("unit_price = 0.001")
        .select("quantity", "unit_price", "revenue")
        .collect()
    )
    assert rows, "the shared days have 0.001 prices"
    assert all(row["revenue"] == row["quantity"] * Decimal("0.001") for row in rows)
