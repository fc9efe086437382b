"""Hand-built curated tables pin the edge cases: ties in quartiles, a user with one order, a
session with a cart and no purchase, a month without purchases — on DuckDB and Spark SQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ecom.catalog.local import register_local
from ecom.query.local import LocalEngine
from ecom.query.spark import SparkSqlRunner
from ecom.storage.lake import CUSTOMER_TABLES
from tests.sql.helpers import write_curated

FIRST, LAST = date(2019, 10, 1), date(2019, 12, 31)
# (order/session id, user, date, revenue): users 1 and 2 tie; user 3 has two orders;
# user 4 has one order; nobody buys in November.
ORDERS = [
    ("s1", 1, "2019-10-05", "10.00"),
    ("s2", 2, "2019-10-06", "10.00"),
    ("s3", 3, "2019-10-07", "5.00"),
    ("s4", 3, "2019-12-03", "15.00"),
    ("s5", 4, "2019-12-10", "40.00"),
]


def _days():
    return [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def build_edge_lake(lake):
    """Write the eight curated tables, tiny, with the DDL's schema."""
    write_curated(
        lake,
        "dim_time",
        [
            {
                "date_key": int(day.strftime("%Y%m%d")),
                "calendar_date": day,
                "year": day.year,
                "quarter": (day.month - 1) // 3 + 1,
                "month": day.month,
                "month_name": day.strftime("%B"),
                "year_month": day.strftime("%Y-%m"),
                "day_of_month": day.day,
                "iso_year": day.isocalendar()[0],
                "iso_week": day.isocalendar()[1],
                "iso_weekday": day.isoweekday(),
                "weekday_name": day.strftime("%A"),
                "is_weekend": day.isoweekday() >= 6,
            }
            for day in _days()
        ],
    )
    write_curated(
        lake,
        "fact_purchases",
        [
            {
                "purchase_key": index,
                "order_id": order,
                "date_key": int(day.replace("-", "")),
                "user_key": user * 10,
                "product_key": 1000,
                "category_key": 500,
                "user_id": user,
                "product_id": 100,
                "category_id": 5,
                "quantity": 1,
                "unit_price": revenue,
                "revenue": revenue,
                "purchased_at": f"{day}T12:00:00",
                "source_file": "hand",
                "ingest_run_id": "edge",
                "purchase_date": day,
            }
            for index, (order, user, day, revenue) in enumerate(ORDERS)
        ],
    )
    sessions = [(order, user, day, revenue, True, 1) for order, user, day, revenue in ORDERS]
    sessions.append(("s6", 5, "2019-11-12", "0.00", False, 0))  # a cart, no purchase
    write_curated(
        lake,
        "fact_sessions",
        [
            {
                "session_id": session,
                "date_key": int(day.replace("-", "")),
                "user_key": user * 10,
                "user_id": user,
                "is_converted": converted,
                "has_cart": True,
                "events": 3,
                "views": 2,
                "carts": 1,
                "cart_removals": 0,
                "purchases": purchases,
                "revenue": revenue,
                "duration_seconds": 60,
                "started_at": f"{day}T11:59:00",
                "ended_at": f"{day}T12:00:00",
                "session_date": day,
            }
            for session, user, day, revenue, converted, purchases in sessions
        ],
    )
    write_curated(lake, "dim_user", [{"user_key": 10, "user_id": 1, "is_buyer": True}])
    write_curated(
        lake,
        "dim_product",
        [
            {
                "product_key": 1000,
                "product_id": 100,
                "category_key": 500,
                "category_id": 5,
                "brand": "acme",
                "has_brand": True,
                "category_code": "kids.toys",
                "latest_price": "10.00",
            }
        ],
    )
    write_curated(
        lake,
        "dim_category",
        [
            {
                "category_key": 500,
                "category_id": 5,
                "category_code": "kids.toys",
                "category_level1": "kids",
                "category_level2": "toys",
                "has_category_code": True,
            }
        ],
    )
    write_curated(
        lake,
        "fact_daily_summary",
        [
            {
                "date_key": int(day.strftime("%Y%m%d")),
                "events": 0,
                "views": 0,
                "carts": 0,
                "cart_removals": 0,
                "purchase_events": 0,
                "sessions": 0,
                "converted_sessions": 0,
                "orders": 0,
                "buyers": 0,
                "items": 0,
                "revenue": "0.00",
                "summary_date": day,
            }
            for day in _days()
        ],
    )
    months = [
        ("2019-10", 10, 31, 3, "25.00"),
        ("2019-11", 11, 30, 0, "0.00"),
        ("2019-12", 12, 31, 2, "55.00"),
    ]
    write_curated(
        lake,
        "fact_monthly_summary",
        [
            {
                "month_key": 201900 + month,
                "year_month": label,
                "year": 2019,
                "month": month,
                "month_name": date(2019, month, 1).strftime("%B"),
                "days_in_data": days,
                "orders": orders,
                "buyers": orders,
                "items": orders,
                "revenue": revenue,
                "month_start_date": date(2019, month, 1),
            }
            for label, month, days, orders, revenue in months
        ],
    )
    for table in CUSTOMER_TABLES:  # no customer models on this lake: empty tables
        write_curated(lake, table, [])
    register_local(lake)


@pytest.fixture(scope="module", params=["duckdb", "spark"])
def edge_engine(request, tmp_path_factory):
    lake = tmp_path_factory.mktemp("edge-lake")
    build_edge_lake(lake)
    if request.param == "duckdb":
        engine = LocalEngine(lake)
    else:
        engine = SparkSqlRunner(request.getfixturevalue("spark"), lake)
        engine.create_views()
    yield engine
    engine.close()


def test_ties_share_a_quartile_and_one_order_users_are_whole(edge_engine):
    rows = {row["user_id"]: row for row in edge_engine.query("select * from user_ltv").records()}
    assert {user: row["ltv_tier"] for user, row in rows.items()} == {
        1: "Low",
        2: "Low",
        3: "High",
        4: "VIP",
    }
    single = rows[4]
    assert (single["orders"], single["items"], float(single["average_order_value"])) == (1, 1, 40.0)
    assert single["first_purchase_date"] == single["last_purchase_date"] == date(2019, 12, 10)
    assert single["tenure_days"] == 0
    assert rows[3]["tenure_days"] == (date(2019, 12, 3) - date(2019, 10, 7)).days
    tiers = edge_engine.query(
        "select ltv_tier, customers from ltv_tier_distribution order by ltv_quartile"
    ).rows
    assert [tuple(row) for row in tiers] == [("Low", 2), ("High", 1), ("VIP", 1)]


def test_empty_month_has_zero_revenue_and_breaks_growth(edge_engine):
    rows = edge_engine.query(
        "select year_month, revenue, revenue_growth from monthly_revenue order by month_key"
    ).rows
    assert [(label, float(revenue)) for label, revenue, _ in rows] == [
        ("2019-10", 25.0),
        ("2019-11", 0.0),
        ("2019-12", 55.0),
    ]
    assert [growth for _, _, growth in rows] == [None, -1.0, None]


def test_cart_without_purchase_is_abandoned(edge_engine):
    (row,) = edge_engine.query(
        "select * from session_funnel where period_grain = 'month' and period_label = '2019-11'"
    ).records()
    assert (row["sessions"], row["cart_sessions"], row["purchase_sessions"]) == (1, 1, 0)
    assert row["cart_abandonment_rate"] == 1.0 and row["cart_to_purchase_rate"] == 0.0
    quiet = edge_engine.query(
        "select sessions, view_to_cart_rate from session_funnel where period_label = '2019-11-13'"
    ).rows
    assert [tuple(r) for r in quiet] == [(0, None)]


def test_kpi_summary_counts_repeat_customers(edge_engine):
    (row,) = edge_engine.query("select * from kpi_summary").records()
    assert (row["total_customers"], row["repeat_customers"], row["total_orders"]) == (4, 1, 5)
    assert float(row["lifetime_revenue"]) == 80.0 and float(row["average_customer_ltv"]) == 20.0
    assert row["repeat_rate"] == 0.25
