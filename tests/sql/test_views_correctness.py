"""user_ltv, kpi_summary, monthly_revenue, top_brands, rfm_segments and session_funnel equal
plain-Python computations over the raw CSV (tests/reference.py parsing; no code under test)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ecom.query.local import LocalEngine
from tests.reference import read_expected
from tests.sql.helpers import money

TIERS = ["Low", "Medium", "High", "VIP"]


@pytest.fixture(scope="module")
def engine(sql_lake):
    with LocalEngine(sql_lake.lake) as local:
        yield local


@pytest.fixture(scope="module")
def expected(sql_lake):
    return read_expected(sql_lake.raw_files())


def position_scores(values: dict, buckets: int, reverse: bool = False) -> dict:
    """Score 1..buckets by the rank of the first of each value's peers (ties share a score)."""
    ordered = sorted(values.values(), reverse=reverse)
    first_index = {}
    for index, value in enumerate(ordered):
        first_index.setdefault(value, index)
    count = len(ordered)
    scores = {}
    for key, value in values.items():
        position = first_index[value]
        scores[key] = next(
            (b for b in range(1, buckets) if position * buckets < count * b), buckets
        )
    return scores


def customers(expected) -> dict[int, dict]:
    """Per purchasing user: orders, items, revenue, first/last purchase date."""
    users: dict[int, dict] = {}
    for event in expected.purchases():
        user = users.setdefault(
            event[7], {"orders": set(), "items": 0, "revenue": Decimal("0"), "dates": []}
        )
        user["orders"].add(event[8])
        user["items"] += 1
        user["revenue"] += event[6]
        user["dates"].append(event[0].date())
    return users


def test_user_ltv(engine, expected):
    users = customers(expected)
    tiers = position_scores({u: users[u]["revenue"] for u in users}, 4)
    rows = {row["user_id"]: row for row in engine.query("select * from user_ltv").records()}
    assert set(rows) == set(users)
    for user_id, user in users.items():
        row = rows[user_id]
        assert row["orders"] == len(user["orders"])
        assert row["items"] == user["items"]
        assert row["revenue"] == user["revenue"]
        assert abs(row["average_order_value"] - user["revenue"] / len(user["orders"])) <= Decimal(
            "0.005"
        )
        assert row["first_purchase_date"] == min(user["dates"])
        assert row["last_purchase_date"] == max(user["dates"])
        assert row["tenure_days"] == (max(user["dates"]) - min(user["dates"])).days
        assert row["ltv_tier"] == TIERS[tiers[user_id] - 1]


def test_kpi_summary(engine, expected):
    users = customers(expected)
    (row,) = engine.query("select * from kpi_summary").records()
    revenue = expected.revenue()
    repeat = sum(1 for user in users.values() if len(user["orders"]) >= 2)
    assert row["lifetime_revenue"] == revenue
    assert row["total_customers"] == len(users)
    assert row["repeat_customers"] == repeat
    assert row["repeat_rate"] == pytest.approx(repeat / len(users))
    assert row["average_customer_ltv"] == money(revenue / len(users))
    assert row["total_orders"] == len(expected.orders())
    assert 0 < repeat < len(users)


def test_monthly_revenue(engine, expected):
    first, last = expected.dates()
    months = sorted(
        {(first + timedelta(days=n)).strftime("%Y-%m") for n in range((last - first).days + 1)}
    )
    revenue = expected.revenue_by_month()
    orders = defaultdict(set)
    for event in expected.purchases():
        orders[event[0].strftime("%Y-%m")].add(event[8])
    rows = engine.query("select * from monthly_revenue order by month_key").records()
    assert [row["year_month"] for row in rows] == months
    previous = None
    for row in rows:
        month_revenue = revenue.get(row["year_month"], Decimal("0.00"))
        assert row["revenue"] == month_revenue
        assert row["orders"] == len(orders[row["year_month"]])
        if previous:
            assert row["revenue_growth"] == pytest.approx(
                float((month_revenue - previous) / previous)
            )
        else:
            assert row["revenue_growth"] is None
        previous = month_revenue


def test_top_brands(engine, expected):
    latest: dict[int, tuple] = {}
    for event in expected.events:
        if event[5] is not None:
            latest[event[2]] = max(latest.get(event[2], (event[0], "")), (event[0], event[5]))
    brands: dict[str, dict] = {}
    total = expected.revenue()
    for event in expected.purchases():
        if event[2] not in latest:
            continue
        brand = brands.setdefault(
            latest[event[2]][1], {"revenue": Decimal("0"), "orders": set(), "items": 0}
        )
        brand["revenue"] += event[6]
        brand["orders"].add(event[8])
        brand["items"] += 1
    rows = {row["brand"]: row for row in engine.query("select * from top_brands").records()}
    assert set(rows) == set(brands)
    for name, brand in brands.items():
        row = rows[name]
        assert row["revenue"] == brand["revenue"]
        assert row["orders"] == len(brand["orders"])
        assert row["items"] == brand["items"]
        assert row["revenue_rank"] == 1 + sum(
            1 for other in brands.values() if other["revenue"] > brand["revenue"]
        )
        assert row["revenue_share"] == pytest.approx(float(brand["revenue"] / total))


SEGMENTS = {
    "Champions": lambda r, f: r == 5 and f >= 4,
    "Loyal": lambda r, f: r in (3, 4) and f >= 4,
    "Potential Loyalists": lambda r, f: r >= 4 and f in (2, 3),
    "New": lambda r, f: r == 5 and f == 1,
    "Promising": lambda r, f: r == 4 and f == 1,
    "Need Attention": lambda r, f: r == 3 and f == 3,
    "About to Sleep": lambda r, f: r == 3 and f <= 2,
    "Can't Lose": lambda r, f: r <= 2 and f == 5,
    "At Risk": lambda r, f: r <= 2 and f in (3, 4),
    "Hibernating": lambda r, f: r <= 2 and f <= 2,
}


def test_rfm_segments(engine, expected):
    users = customers(expected)
    reference = max(max(user["dates"]) for user in users.values())
    recency = {u: (reference - max(user["dates"])).days for u, user in users.items()}
    r_scores = position_scores(recency, 5, reverse=True)
    f_scores = position_scores({u: len(user["orders"]) for u, user in users.items()}, 5)
    m_scores = position_scores({u: user["revenue"] for u, user in users.items()}, 5)
    rows = {row["user_id"]: row for row in engine.query("select * from rfm_segments").records()}
    assert set(rows) == set(users)
    for user_id in users:
        row = rows[user_id]
        r, f, m = r_scores[user_id], f_scores[user_id], m_scores[user_id]
        assert (row["recency_days"], row["r_score"], row["f_score"], row["m_score"]) == (
            recency[user_id],
            r,
            f,
            m,
        )
        assert row["rfm_cell"] == f"{r}{f}{m}"
        assert [name for name, rule in SEGMENTS.items() if rule(r, f)] == [row["segment"]]
    assert len({row["segment"] for row in rows.values()}) >= 4


def test_session_funnel(engine, expected):
    sessions: dict[str, dict] = {}
    for event in expected.events:
        session = sessions.setdefault(event[8], {"start": event[0], "types": set()})
        session["start"] = min(session["start"], event[0])
        session["types"].add(event[1])
    first, last = expected.dates()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for session in sessions.values():
        day = session["start"].date()
        for key in (("day", day.isoformat()), ("month", day.strftime("%Y-%m"))):
            bucket = counts[key]
            bucket["sessions"] += 1
            bucket["view"] += "view" in session["types"]
            bucket["cart"] += "cart" in session["types"]
            bucket["purchase"] += "purchase" in session["types"]
            bucket["abandoned"] += "cart" in session["types"] and "purchase" not in session["types"]
    rows = {
        (row["period_grain"], row["period_label"]): row
        for row in engine.query("select * from session_funnel").records()
    }
    wanted = {("day", day.isoformat()) for day in days} | {
        ("month", day.strftime("%Y-%m")) for day in days
    }
    assert set(rows) == wanted
    for key in wanted:
        row, bucket = rows[key], counts[key]
        assert (row["sessions"], row["view_sessions"], row["cart_sessions"]) == (
            bucket["sessions"],
            bucket["view"],
            bucket["cart"],
        )
        assert row["purchase_sessions"] == bucket["purchase"]
        assert row["abandoned_cart_sessions"] == bucket["abandoned"]
        if bucket["cart"]:
            assert row["cart_abandonment_rate"] == pytest.approx(
                bucket["abandoned"] / bucket["cart"]
            )
        if bucket["view"]:
            assert row["view_to_cart_rate"] == pytest.approx(bucket["cart"] / bucket["view"])
    assert isinstance(rows[("month", days[0].strftime("%Y-%m"))]["period_start"], date)
