"""The Online Retail views on the hand-written retail lake (tests/sql/retail_lines.py), on
DuckDB and in Spark SQL, against figures worked out by hand from those lines.

Sale line totals (Quantity × UnitPrice), by invoice:
  536001 (17850, UK)      15.300 + 3.395 + 18.000 (POST)        = 36.695   2010-12-01
  536002 (12583, France)  17.850 (15056bl)                       = 17.850   2010-12-01
  536003 (guest, UK)      1.855 + 0.005 (PADS, 5 × 0.001)        =  1.860   2010-12-01
  536005 (17850, UK)      30.600                                 = 30.600   2010-12-02
  536006 (12583, France)  18.500 + 30.000 (POST)                 = 48.500   2010-12-02
  536100 (14000, UK)      11.800 + 13.200                        = 25.000   2011-01-04
  536101 (17850, UK)      6.310                                  =  6.310   2011-01-04
  all sales 166.815; identified customers' 164.955 (17850: 73.605, 12583: 66.350,
  14000: 25.000); rounded line by line they would make 166.83, not 166.82.
Cancellations: C536004 (17850) -5.100 and -2.500 (D), C536007 (12583) +1.850 (a positive
quantity): cancelled revenue 5.100 + 2.500 + 1.850 = 9.450.
Adjustments: A536008 (B, -11062.060), 536010 (M, 13047, zero price).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ecom.query.local import LocalEngine
from ecom.query.spark import SparkSqlRunner


@pytest.fixture(scope="module", params=["duckdb", "spark"])
def retail_engine(request, retail_lake):
    if request.param == "duckdb":
        engine = LocalEngine(retail_lake.lake)
    else:
        engine = SparkSqlRunner(request.getfixturevalue("spark"), retail_lake.lake)
        engine.create_views()
    yield engine
    engine.close()


def records(engine, sql):
    return engine.query(sql).records()


def test_kpi_summary_rounds_once_and_adds_up(retail_engine):
    (row,) = records(retail_engine, "select * from kpi_summary")
    assert row["gross_revenue"] == Decimal("166.82")  # 166.815, half up
    assert row["cancelled_revenue"] == Decimal("9.45")
    assert row["net_revenue"] == Decimal("157.37")  # 166.82 - 9.45
    assert (row["transactions"], row["cancelled_invoices"]) == (7, 2)
    assert row["cancellation_rate"] == pytest.approx(2 / 9)
    assert row["average_order_value"] == Decimal("23.83")  # 166.815 / 7 = 23.8307...
    assert (row["total_customers"], row["repeat_customers"]) == (3, 2)  # guests not counted
    assert row["repeat_rate"] == pytest.approx(2 / 3)
    assert row["lifetime_revenue"] == Decimal("164.96")  # 164.955, half up
    # 164.955 / 3 = 54.985 exactly: half up is 54.99 (a DOUBLE division would give 54.98).
    assert row["average_customer_ltv"] == Decimal("54.99")
    assert (row["total_orders"], row["total_items"]) == (6, 65)  # items 22 + 15 + 28


def test_daily_kpis_one_row_per_date_with_quiet_days(retail_engine):
    rows = {row["summary_date"]: row for row in records(retail_engine, "select * from daily_kpis")}
    assert len(rows) == 35  # 2010-12-01 .. 2011-01-04
    first = rows[date(2010, 12, 1)]
    assert (first["transactions"], first["customers"], first["items"]) == (3, 2, 17)
    assert first["revenue"] == Decimal("56.41")  # 56.405
    assert first["average_order_value"] == Decimal("18.80")  # 56.405 / 3
    assert (first["cancellations"], first["cancelled_items"]) == (1, 3)  # |-2| + |-1|
    assert first["cancelled_revenue"] == Decimal("7.60")
    assert first["cancellation_rate"] == pytest.approx(1 / 4)
    second = rows[date(2010, 12, 2)]
    assert (second["transactions"], second["customers"], second["items"]) == (2, 2, 24)
    assert (second["revenue"], second["average_order_value"]) == (
        Decimal("79.10"),
        Decimal("39.55"),
    )
    # C536007 has a positive quantity: still one cancelled invoice, one item, 1.85.
    assert (second["cancellations"], second["cancelled_items"]) == (1, 1)
    assert second["cancelled_revenue"] == Decimal("1.85")
    assert second["cancellation_rate"] == pytest.approx(1 / 3)
    last = rows[date(2011, 1, 4)]
    assert last["average_order_value"] == Decimal("15.66")  # 31.310 / 2 = 15.655, half up
    assert last["cancellation_rate"] == 0.0
    quiet = rows[date(2010, 12, 3)]
    assert (quiet["transactions"], quiet["items"], quiet["revenue"]) == (0, 0, Decimal("0.00"))
    assert quiet["average_order_value"] is None and quiet["cancellation_rate"] is None


def test_product_performance_counts_products_only(retail_engine):
    rows = {
        row["stock_code"]: row
        for row in records(retail_engine, "select * from product_performance")
    }
    assert set(rows) == {"85123A", "22633", "15056BL", "21212", "71053"}  # no POST, PADS
    hearts = rows["85123A"]  # 15.300 + 30.600 + 11.800 over 6 + 12 + 4
    assert (hearts["orders"], hearts["buyers"], hearts["quantity"]) == (3, 2, 22)
    assert hearts["revenue"] == Decimal("57.70")
    assert hearts["average_unit_price"] == Decimal("2.623")  # 57.7 / 22 = 2.62272...
    assert hearts["latest_price"] == Decimal("2.950")
    assert hearts["description"] == "WHITE HANGING HEART T-LIGHT HOLDER"
    warmers = rows["22633"]  # a guest's line: an order, not a buyer
    assert (warmers["orders"], warmers["buyers"], warmers["quantity"]) == (3, 2, 13)
    assert warmers["revenue"] == Decimal("26.67")  # 1.855 + 18.500 + 6.310 = 26.665
    assert warmers["average_unit_price"] == Decimal("2.051")  # 26.665 / 13
    assert warmers["latest_price"] == Decimal("3.155")  # the latest sale, not the cancellation
    assert rows["71053"]["revenue"] == Decimal("3.40")  # 3.395
    assert rows["15056BL"]["description"] == "EDWARDIAN PARASOL BLACK"  # 15056bl upper-cased
    assert {code: row["revenue_rank"] for code, row in rows.items()} == {
        "85123A": 1,
        "22633": 2,
        "15056BL": 3,
        "21212": 4,
        "71053": 5,
    }
    assert {code: row["quantity_rank"] for code, row in rows.items()} == {
        "21212": 1,
        "85123A": 2,
        "22633": 3,
        "15056BL": 4,
        "71053": 5,
    }


def test_revenue_by_country(retail_engine):
    rows = {
        row["country"]: row for row in records(retail_engine, "select * from revenue_by_country")
    }
    assert set(rows) == {"United Kingdom", "France"}
    uk, france = rows["United Kingdom"], rows["France"]
    # UK: 36.695 + 1.860 + 30.600 + 25.000 + 6.310 = 100.465; France: 17.850 + 48.500 = 66.350
    assert (uk["revenue"], uk["customers"], uk["orders"]) == (Decimal("100.47"), 2, 5)
    assert (france["revenue"], france["customers"], france["orders"]) == (Decimal("66.35"), 1, 2)
    assert uk["share_of_revenue"] == pytest.approx(100.465 / 166.815)
    assert france["share_of_revenue"] == pytest.approx(66.35 / 166.815)


def test_non_product_lines_by_code_and_kind(retail_engine):
    rows = {
        (row["stock_code"], row["line_kind"]): (
            row["code_kind"],
            row["lines"],
            row["quantity"],
            row["amount"],
        )
        for row in records(retail_engine, "select * from non_product_lines")
    }
    assert rows == {
        ("POST", "sale"): ("postage", 2, 3, Decimal("48.00")),
        ("PADS", "sale"): ("other", 1, 5, Decimal("0.01")),  # 5 × 0.001 = 0.005, half up
        ("D", "cancellation"): ("discount", 1, -1, Decimal("-2.50")),
        ("B", "adjustment"): ("bad_debt", 1, 1, Decimal("-11062.06")),
        ("M", "adjustment"): ("manual", 1, 1, Decimal("0.00")),
    }


def test_customer_views_leave_guests_out(retail_engine):
    rows = {row["user_id"]: row for row in records(retail_engine, "select * from user_ltv")}
    assert set(rows) == {17850, 12583, 14000}  # no guest row; 13047 only has an adjustment
    assert (rows[17850]["orders"], rows[17850]["items"]) == (3, 22)
    assert rows[17850]["revenue"] == Decimal("73.61")  # 73.605
    assert rows[17850]["average_order_value"] == Decimal("24.54")  # 73.605 / 3 = 24.535
    assert rows[12583]["average_order_value"] == Decimal("33.18")  # 66.350 / 2 = 33.175
    assert rows[17850]["tenure_days"] == 34
    assert {user: row["ltv_tier"] for user, row in rows.items()} == {
        14000: "Low",
        12583: "Medium",
        17850: "High",
    }
    cohorts = records(
        retail_engine,
        "select cohort_month, months_since_first_purchase, cohort_users, retained_users "
        "from cohort_retention",
    )
    assert sorted(tuple(row.values()) for row in cohorts) == [
        ("2010-12", 0, 2, 2),
        ("2010-12", 1, 2, 1),  # 17850 came back in January
        ("2011-01", 0, 1, 1),
    ]
    segments = {
        row["user_id"]: (row["recency_days"], row["rfm_cell"], row["segment"])
        for row in records(retail_engine, "select * from rfm_segments")
    }
    assert segments == {
        17850: (0, "244", "At Risk"),
        12583: (33, "122", "Hibernating"),
        14000: (0, "211", "Hibernating"),
    }


def test_shared_revenue_views_on_retail(retail_engine):
    months = records(
        retail_engine,
        "select year_month, orders, buyers, items, revenue, revenue_growth "
        "from monthly_revenue order by month_key",
    )
    assert [tuple(row.values())[:5] for row in months] == [
        ("2010-12", 5, 2, 41, Decimal("135.51")),  # 56.405 + 79.100 = 135.505
        ("2011-01", 2, 2, 30, Decimal("31.31")),
    ]
    assert months[1]["revenue_growth"] == pytest.approx((31.31 - 135.51) / 135.51)
    (thursday,) = records(
        retail_engine,
        "select days, orders, revenue, average_daily_revenue from weekday_revenue "
        "where year_month = '2010-12' and iso_weekday = 4",
    )
    assert tuple(thursday.values()) == (5, 2, Decimal("79.10"), Decimal("15.82"))
