"""The 12 clickstream views on the hand-written clickstream lake (tests/sql/clickstream_events.py),
on DuckDB and in Spark SQL, against figures worked out by hand from those events.

Purchases (quantity 1 each), by user:
  101  s01 500.00 (1001) + 80.00 (1003), 10-30;  s07 20.00 + 20.00 (1005), 11-01
       2 orders, 4 items, 620.00
  102  s04 200.00 (1002), 10-31                     1 order,  1 item,  200.00
  103  s03 10.00 (1004), 10-30;  s08 200.00 (1002), 11-01
                                                    2 orders, 2 items, 210.00
  104  s05 450.00 (1001), dated 11-01               1 order,  1 item,  450.00
  105  s09 80.00 (1003), 11-03                      1 order,  1 item,   80.00
  all: 1560.00 over 7 orders, 9 items, 5 customers.
By purchase date: 10-30 590.00 (s01, s03), 10-31 200.00 (s04), 11-01 690.00 (s05, s07, s08),
11-03 80.00 (s09); October 790.00, November 770.00. The calendar runs from the first to the
last event date, 2019-10-30 .. 2019-11-08: ten days, two in October and eight in November.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from ecom.query.local import LocalEngine
from ecom.query.spark import SparkSqlRunner

TOTAL = 1560.0


@pytest.fixture(scope="module", params=["duckdb", "spark"])
def engine(request, clickstream_hand_lake):
    if request.param == "duckdb":
        opened = LocalEngine(clickstream_hand_lake.lake)
    else:
        opened = SparkSqlRunner(request.getfixturevalue("spark"), clickstream_hand_lake.lake)
        opened.create_views()
    yield opened
    opened.close()


def records(engine, sql):
    return engine.query(sql).records()


def by(rows, *keys):
    """Rows keyed by one column (or a tuple of several)."""
    if len(keys) == 1:
        return {row[keys[0]]: row for row in rows}
    return {tuple(row[key] for key in keys): row for row in rows}


def pick(row, *columns):
    return tuple(row[column] for column in columns)


def test_user_ltv(engine):
    rows = by(records(engine, "select * from user_ltv"), "user_id")
    columns = ("orders", "items", "revenue", "average_order_value", "tenure_days", "ltv_tier")
    # Revenue ascending: 105 (80), 102 (200), 103 (210), 104 (450), 101 (620); with 5
    # customers position p is in quartile 1 while 4p < 5, 2 while 4p < 10, 3 while 4p < 15.
    assert {user: pick(row, *columns) for user, row in rows.items()} == {
        101: (2, 4, Decimal("620.00"), Decimal("310.00"), 2, "VIP"),
        102: (1, 1, Decimal("200.00"), Decimal("200.00"), 0, "Low"),
        103: (2, 2, Decimal("210.00"), Decimal("105.00"), 2, "Medium"),
        104: (1, 1, Decimal("450.00"), Decimal("450.00"), 0, "High"),
        105: (1, 1, Decimal("80.00"), Decimal("80.00"), 0, "Low"),
    }
    # s05 starts on 10-31 but its purchase is dated 11-01: the purchase date counts.
    assert pick(rows[104], "first_purchase_date", "last_purchase_date") == (
        date(2019, 11, 1),
        date(2019, 11, 1),
    )
    assert pick(rows[101], "first_purchase_date", "last_purchase_date") == (
        date(2019, 10, 30),
        date(2019, 11, 1),
    )
    first, last = pick(rows[101], "first_purchased_at", "last_purchased_at")
    assert (first.replace(tzinfo=None), last.replace(tzinfo=None)) == (
        datetime(2019, 10, 30, 10, 2, 0),
        datetime(2019, 11, 1, 10, 3, 10),
    )


def test_kpi_summary(engine):
    (row,) = records(engine, "select * from kpi_summary")
    assert row["lifetime_revenue"] == Decimal("1560.00")
    assert (row["total_customers"], row["repeat_customers"]) == (5, 2)  # 101 and 103
    assert row["repeat_rate"] == pytest.approx(2 / 5)
    assert (row["total_orders"], row["total_items"]) == (7, 9)
    assert row["average_customer_ltv"] == Decimal("312.00")  # 1560 / 5
    assert row["average_order_value"] == Decimal("222.86")  # 1560 / 7 = 222.857...


def test_ltv_tier_distribution(engine):
    rows = records(engine, "select * from ltv_tier_distribution order by ltv_quartile")
    columns = ("ltv_tier", "customers", "orders", "revenue", "average_revenue")
    assert [pick(row, *columns) for row in rows] == [
        ("Low", 2, 2, Decimal("280.00"), Decimal("140.00")),  # 105 (80) and 102 (200)
        ("Medium", 1, 2, Decimal("210.00"), Decimal("210.00")),  # 103
        ("High", 1, 1, Decimal("450.00"), Decimal("450.00")),  # 104
        ("VIP", 1, 2, Decimal("620.00"), Decimal("620.00")),  # 101
    ]
    low = rows[0]
    assert (low["min_revenue"], low["max_revenue"]) == (Decimal("80.00"), Decimal("200.00"))
    assert [row["customer_share"] for row in rows] == pytest.approx([0.4, 0.2, 0.2, 0.2])
    assert [row["revenue_share"] for row in rows] == pytest.approx(
        [280 / TOTAL, 210 / TOTAL, 450 / TOTAL, 620 / TOTAL]
    )


def test_monthly_revenue(engine):
    rows = records(engine, "select * from monthly_revenue order by month_key")
    columns = ("month_key", "year_month", "days_in_data", "orders", "buyers", "items")
    assert [pick(row, *columns) for row in rows] == [
        (201910, "2019-10", 2, 3, 3, 4),  # s01, s03, s04 of 101, 103, 102
        (201911, "2019-11", 8, 4, 4, 5),  # s05, s07, s08, s09 of 104, 101, 103, 105
    ]
    october, november = rows
    assert (october["revenue"], october["average_order_value"]) == (
        Decimal("790.00"),
        Decimal("263.33"),  # 790 / 3
    )
    assert (november["revenue"], november["average_order_value"]) == (
        Decimal("770.00"),
        Decimal("192.50"),
    )
    assert october["revenue_growth"] is None and october["previous_revenue"] is None
    assert november["previous_revenue"] == Decimal("790.00")
    assert november["revenue_change"] == Decimal("-20.00")
    assert november["revenue_growth"] == pytest.approx(-20 / 790)


def test_weekday_revenue(engine):
    rows = records(engine, "select * from weekday_revenue")
    columns = ("days", "orders", "items", "revenue", "average_daily_revenue", "is_weekend")
    # 10-30 Wed, 10-31 Thu; 11-01 Fri, 11-02 Sat, 11-03 Sun, 11-04 Mon .. 11-08 Fri.
    assert {pick(row, "year_month", "iso_weekday"): pick(row, *columns) for row in rows} == {
        ("2019-10", 3): (1, 2, 3, Decimal("590.00"), Decimal("590.00"), False),
        ("2019-10", 4): (1, 1, 1, Decimal("200.00"), Decimal("200.00"), False),
        ("2019-11", 1): (1, 0, 0, Decimal("0.00"), Decimal("0.00"), False),
        ("2019-11", 2): (1, 0, 0, Decimal("0.00"), Decimal("0.00"), False),
        ("2019-11", 3): (1, 0, 0, Decimal("0.00"), Decimal("0.00"), False),
        ("2019-11", 4): (1, 0, 0, Decimal("0.00"), Decimal("0.00"), False),
        # Two Fridays, 11-01 (690.00) and 11-08 (nothing): 690 / 2 a day.
        ("2019-11", 5): (2, 3, 4, Decimal("690.00"), Decimal("345.00"), False),
        ("2019-11", 6): (1, 0, 0, Decimal("0.00"), Decimal("0.00"), True),
        ("2019-11", 7): (1, 1, 1, Decimal("80.00"), Decimal("80.00"), True),
    }
    shares = {
        pick(row, "year_month", "weekday_name"): row["share_of_month_revenue"] for row in rows
    }
    assert shares[("2019-10", "Wednesday")] == pytest.approx(590 / 790)
    assert shares[("2019-11", "Friday")] == pytest.approx(690 / 770)
    assert shares[("2019-11", "Saturday")] == 0.0


def test_top_brands(engine):
    rows = records(engine, "select * from top_brands order by revenue_rank")
    columns = ("revenue_rank", "brand", "products", "orders", "buyers", "items", "revenue")
    # Product 1004 has no brand: left out, but its 10.00 counts in the shares' total.
    assert [pick(row, *columns) for row in rows] == [
        (1, "apple", 1, 2, 2, 2, Decimal("950.00")),  # 500 (s01) + 450 (s05)
        (2, "samsung", 1, 2, 2, 2, Decimal("400.00")),  # s04 + s08
        (3, "nike", 2, 3, 2, 4, Decimal("200.00")),  # 1003: s01, s09; 1005: s07 twice
    ]
    assert [row["revenue_share"] for row in rows] == pytest.approx(
        [950 / TOTAL, 400 / TOTAL, 200 / TOTAL]
    )


def test_top_categories(engine):
    rows = records(engine, "select * from top_categories order by revenue_rank")
    columns = (
        "revenue_rank",
        "category_code",
        "category_level1",
        "orders",
        "buyers",
        "items",
        "revenue",
    )
    # Category 2003 has no code: left out, its 10.00 still in the shares' total.
    assert [pick(row, *columns) for row in rows] == [
        (1, "electronics.smartphone", "electronics", 4, 4, 4, Decimal("1350.00")),
        (2, "apparel.shoes", "apparel", 2, 2, 2, Decimal("160.00")),  # s01, s09
        (3, "apparel.socks", "apparel", 1, 1, 2, Decimal("40.00")),  # s07, two pairs
    ]
    assert [row["revenue_share"] for row in rows] == pytest.approx(
        [1350 / TOTAL, 160 / TOTAL, 40 / TOTAL]
    )


def test_daily_kpis(engine):
    rows = by(records(engine, "select * from daily_kpis"), "summary_date")
    assert sorted(rows) == [date(2019, 10, 30) + timedelta(days=n) for n in range(10)]
    columns = ("transactions", "buyers", "items", "revenue", "average_order_value")
    events = ("events", "views", "carts", "cart_removals", "sessions", "converted_sessions")
    day = rows[date(2019, 10, 30)]  # s01, s02, s03
    assert pick(day, *columns) == (2, 2, 3, Decimal("590.00"), Decimal("295.00"))
    assert pick(day, *events) == (10, 4, 2, 1, 3, 2)
    assert (day["conversion_rate"], day["cart_removal_rate"]) == pytest.approx((2 / 3, 1 / 2))
    day = rows[date(2019, 10, 31)]  # s04, s06 and s05's view and cart
    assert pick(day, *columns) == (1, 1, 1, Decimal("200.00"), Decimal("200.00"))
    assert pick(day, *events) == (6, 3, 2, 0, 3, 2)  # s05 converts, on its start date
    assert day["cart_removal_rate"] == 0.0
    # s05's purchase after midnight is an order of 11-01; the session counts on 10-31.
    day = rows[date(2019, 11, 1)]
    assert pick(day, *columns) == (3, 3, 4, Decimal("690.00"), Decimal("230.00"))
    assert pick(day, *events) == (10, 2, 3, 1, 2, 2)
    assert (day["conversion_rate"], day["cart_removal_rate"]) == pytest.approx((1.0, 1 / 3))
    # 11-03: the repeated purchase line is dropped, the negative price quarantined.
    day = rows[date(2019, 11, 3)]
    assert pick(day, *columns) == (1, 1, 1, Decimal("80.00"), Decimal("80.00"))
    assert pick(day, *events) == (3, 1, 1, 0, 1, 1)
    quiet = rows[date(2019, 11, 2)]
    assert pick(quiet, *columns, *events) == (0, 0, 0, Decimal("0.00"), None, 0, 0, 0, 0, 0, 0)
    assert (quiet["conversion_rate"], quiet["cart_removal_rate"]) == (None, None)
    last = rows[date(2019, 11, 8)]  # s10: one view, no cart
    assert pick(last, "events", "sessions", "conversion_rate", "cart_removal_rate") == (
        1,
        1,
        0.0,
        None,
    )


FUNNEL = (
    "sessions",
    "view_sessions",
    "cart_sessions",
    "purchase_sessions",
    "cart_purchase_sessions",
    "abandoned_cart_sessions",
)
RATES = (
    "view_to_cart_rate",
    "cart_to_purchase_rate",
    "view_to_purchase_rate",
    "cart_abandonment_rate",
)


def test_session_funnel(engine):
    rows = by(records(engine, "select * from session_funnel"), "period_grain", "period_label")
    assert len(rows) == 12  # ten days and two months
    counts = {key: pick(row, *FUNNEL) for key, row in rows.items()}
    # 10-30: s01 (cart, purchase), s02 (cart, none), s03 (purchase, no cart).
    assert counts[("day", "2019-10-30")] == (3, 3, 2, 2, 1, 1)
    assert pick(rows[("day", "2019-10-30")], *RATES) == pytest.approx((2 / 3, 1 / 2, 2 / 3, 1 / 2))
    # 10-31: s04 and s05 (cart, purchase: s05's on 11-01 still counts here), s06 a view.
    assert counts[("day", "2019-10-31")] == (3, 3, 2, 2, 2, 0)
    assert counts[("day", "2019-11-01")] == (2, 2, 2, 2, 2, 0)  # s07, s08
    assert counts[("day", "2019-11-03")] == (1, 1, 1, 1, 1, 0)  # s09
    assert counts[("day", "2019-11-08")] == (1, 1, 0, 0, 0, 0)  # s10
    assert pick(rows[("day", "2019-11-08")], *RATES) == (0.0, None, 0.0, None)
    assert counts[("day", "2019-11-02")] == (0, 0, 0, 0, 0, 0)
    assert pick(rows[("day", "2019-11-02")], *RATES) == (None, None, None, None)
    october, november = rows[("month", "2019-10")], rows[("month", "2019-11")]
    assert pick(october, *FUNNEL) == (6, 6, 4, 4, 3, 1)
    assert pick(october, *RATES) == pytest.approx((4 / 6, 3 / 4, 4 / 6, 1 / 4))
    assert pick(november, *FUNNEL) == (4, 4, 3, 3, 3, 0)
    assert pick(november, *RATES) == pytest.approx((3 / 4, 1.0, 3 / 4, 0.0))
    # A month starts at its first date in the data: the calendar begins on 10-30.
    assert (october["period_start"], november["period_start"]) == (
        date(2019, 10, 30),
        date(2019, 11, 1),
    )


def test_product_performance(engine):
    rows = by(records(engine, "select * from product_performance"), "product_id")
    columns = ("orders", "buyers", "quantity", "revenue", "average_unit_price", "latest_price")
    assert {product: pick(row, *columns) for product, row in rows.items()} == {
        # sold at 500.00 (s01) and 450.00 (s05); last seen at 450.00 (s10's view)
        1001: (2, 2, 2, Decimal("950.00"), Decimal("475.00"), Decimal("450.00")),
        1002: (2, 2, 2, Decimal("400.00"), Decimal("200.00"), Decimal("200.00")),
        1003: (2, 2, 2, Decimal("160.00"), Decimal("80.00"), Decimal("80.00")),
        1004: (1, 1, 1, Decimal("10.00"), Decimal("10.00"), Decimal("10.00")),
        1005: (1, 1, 2, Decimal("40.00"), Decimal("20.00"), Decimal("20.00")),
    }
    ranks = {product: pick(row, "revenue_rank", "quantity_rank") for product, row in rows.items()}
    # Four products sold two units each: they share quantity rank 1; the next rank is 5.
    assert ranks == {1001: (1, 1), 1002: (2, 1), 1003: (3, 1), 1005: (4, 1), 1004: (5, 5)}
    labels = ("brand", "category_code", "category_level1")
    assert pick(rows[1005], *labels) == ("nike", "apparel.socks", "apparel")
    assert pick(rows[1004], *labels) == ("unknown", "unknown", "unknown")


def test_rfm_segments(engine):
    rows = by(records(engine, "select * from rfm_segments"), "user_id")
    columns = ("recency_days", "frequency", "monetary", "rfm_cell", "segment")
    # Reference date 11-03 (the last purchase; s10's later view does not count). With 5
    # customers each score is the rank: recency 3 days (102) < 2 days (101, 103, 104: tied,
    # rank 2) < 0 days (105, rank 5); 1 order (102, 104, 105: rank 1) < 2 orders (rank 4);
    # revenue 80 < 200 < 210 < 450 < 620.
    assert {user: pick(row, *columns) for user, row in rows.items()} == {
        101: (2, 2, Decimal("620.00"), "245", "At Risk"),
        102: (3, 1, Decimal("200.00"), "112", "Hibernating"),
        103: (2, 2, Decimal("210.00"), "243", "At Risk"),
        104: (2, 1, Decimal("450.00"), "214", "Hibernating"),
        105: (0, 1, Decimal("80.00"), "511", "New"),
    }


def test_cohort_retention(engine):
    rows = records(engine, "select * from cohort_retention")
    columns = ("activity_month", "cohort_users", "retained_users")
    # October cohort: 101, 102, 103; 101 and 103 buy again in November. November cohort:
    # 104 (s05's purchase is dated 11-01) and 105.
    assert {
        pick(row, "cohort_month", "months_since_first_purchase"): pick(row, *columns)
        for row in rows
    } == {
        ("2019-10", 0): ("2019-10", 3, 3),
        ("2019-10", 1): ("2019-11", 3, 2),
        ("2019-11", 0): ("2019-11", 2, 2),
    }
    rates = sorted(row["retention_rate"] for row in rows)
    assert rates == pytest.approx([2 / 3, 1.0, 1.0])
