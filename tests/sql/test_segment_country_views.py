"""The segment views per customer country on the hand-written lake of segmented retail
customers (tests/sql/retail_segments.py), on DuckDB and in Spark SQL, against the figures
worked out by hand in that module's docstring."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ecom.query.local import LocalEngine
from ecom.query.spark import SparkSqlRunner

R1, R2 = date(2010, 12, 9), date(2011, 1, 10)


@pytest.fixture(scope="module", params=["duckdb", "spark"])
def engine(request, retail_segments_lake):
    if request.param == "duckdb":
        opened = LocalEngine(retail_segments_lake)
    else:
        opened = SparkSqlRunner(request.getfixturevalue("spark"), retail_segments_lake)
        opened.create_views()
    yield opened
    opened.close()


def test_segments_by_country_add_up_per_segment_and_country(engine):
    rows = engine.query("select * from customer_segments_by_country").records()
    assert {
        (r["segment"], r["country"]): (
            r["customers"],
            r["orders"],
            r["revenue"],
            r["total_recency_days"],
        )
        for r in rows
    } == {
        ("Champions", "United Kingdom"): (2, 8, Decimal("800.50"), 6),
        ("Champions", "France"): (1, 4, Decimal("250.25"), 1),
        ("At risk", "France"): (1, 2, Decimal("120.00"), 60),
        ("At risk", "United Kingdom"): (1, 1, Decimal("80.10"), 90),
        ("Hibernating", "Germany"): (1, 1, Decimal("15.00"), 120),
        # customer 7's sale lines named no country
        ("Hibernating", "unknown"): (1, 1, Decimal("10.00"), 150),
    }


def test_segments_keep_their_shares_over_every_country(engine):
    rows = {r["segment"]: r for r in engine.query("select * from customer_segments").records()}
    champions = rows["Champions"]
    assert (champions["customers"], champions["revenue"]) == (3, Decimal("1050.75"))
    assert champions["customer_share"] == pytest.approx(3 / 7)
    assert champions["revenue_share"] == pytest.approx(1050.75 / 1275.85)
    assert champions["average_spend"] == Decimal("350.25")  # 1050.75 / 3
    assert champions["average_recency_days"] == pytest.approx(7 / 3)


def test_transitions_carry_the_customers_country(engine):
    rows = engine.query("select * from segment_transitions").records()
    assert {
        (r["run_id"], r["changed_on"], r["from_segment"], r["to_segment"], r["country"]): r[
            "customers"
        ]
        for r in rows
    } == {
        ("r1", R1, "(new)", "Champions", "United Kingdom"): 1,  # customer 1
        ("r1", R1, "(new)", "At risk", "United Kingdom"): 2,  # 2 and 5
        ("r1", R1, "(new)", "Champions", "France"): 2,  # 3 and 4
        ("r1", R1, "(new)", "Hibernating", "Germany"): 1,  # 6
        ("r2", R2, "At risk", "Champions", "United Kingdom"): 1,  # 2
        ("r2", R2, "Champions", "At risk", "France"): 1,  # 4
        ("r2", R2, "(new)", "Hibernating", "unknown"): 1,  # 7
    }
