"""Model transforms on tiny inline events: every expectation below is worked out by hand;
incremental folds and merges are compared with a full rebuild as frames (chispa)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from chispa import DataFramesNotEqualError, assert_df_equality

from ecom.sources.clickstream.lines import STAGED_SCHEMA
from ecom.transforms.calendar import build_dim_time
from ecom.transforms.clickstream.products import (
    build_dim_category,
    build_dim_product,
    category_state,
    merge_category_state,
    merge_product_state,
    product_state,
    product_versions,
)
from ecom.transforms.clickstream.purchases import build_fact_purchases
from ecom.transforms.clickstream.sessions import build_fact_sessions
from ecom.transforms.clickstream.summaries import (
    build_fact_daily_summary,
    build_fact_monthly_summary,
)
from ecom.transforms.clickstream.users import build_dim_user, fold_dim_user, update_dim_user

CAT_A = 2053013555631882655
CAT_B = 2053013553559896355


def event(at, event_type, product, category, code, brand, price, user, session):
    when = datetime.fromisoformat(at)
    price = None if price is None else Decimal(price)
    return (
        when,
        event_type,
        product,
        category,
        code,
        brand,
        price,
        user,
        session,
        "raw/day.csv",
        "run-1",
        datetime(2026, 1, 1),
        when.date(),
    )


# s1: user 1 views, carts and buys two items across midnight (one order, two days).
# s2: user 1 later, cart and no purchase. s3: user 2 views only; null brand/code.
# s4: user 3 buys once in November; product 10's latest event has no brand.
EVENTS = [
    event(
        "2019-10-01 23:59:00",
        "view",
        10,
        CAT_A,
        "electronics.smartphone",
        "apple",
        "100.00",
        1,
        "s1",
    ),
    event(
        "2019-10-01 23:59:30",
        "cart",
        10,
        CAT_A,
        "electronics.smartphone",
        "apple",
        "100.00",
        1,
        "s1",
    ),
    event(
        "2019-10-01 23:59:50",
        "purchase",
        10,
        CAT_A,
        "electronics.smartphone",
        "apple",
        "100.00",
        1,
        "s1",
    ),
    event("2019-10-02 00:00:10", "purchase", 20, CAT_B, "kids.toys", "lego", "0.10", 1, "s1"),
    event("2019-10-05 10:00:00", "cart", 20, CAT_B, "kids.toys", "lego", "0.20", 1, "s2"),
    event(
        "2019-10-05 10:01:00", "remove_from_cart", 20, CAT_B, "kids.toys", "lego", "0.20", 1, "s2"
    ),
    event("2019-10-06 08:00:00", "view", 30, CAT_B, None, None, "5.55", 2, "s3"),
    event(
        "2019-11-02 12:00:00",
        "purchase",
        10,
        CAT_A,
        "electronics.smartphone",
        "apple",
        "99.99",
        3,
        "s4",
    ),
    event("2019-11-03 12:00:00", "view", 10, CAT_A, None, None, "98.00", 2, "s3b"),
]


@pytest.fixture(scope="module")
def events_df(spark):
    return spark.createDataFrame(EVENTS, STAGED_SCHEMA)


# First and last event date of the events_df fixture.
FIXTURE_DATES = (date(2019, 10, 1), date(2019, 11, 3))


def by(rows, key):
    return {row[key]: row.asDict() for row in rows}


def test_fact_purchases_one_row_per_purchase_with_money_and_keys(events_df) -> None:
    rows = build_fact_purchases(events_df).orderBy("purchased_at").collect()
    assert [(r["order_id"], r["product_id"], r["revenue"], r["purchase_date"]) for r in rows] == [
        ("s1", 10, Decimal("100.00"), date(2019, 10, 1)),
        ("s1", 20, Decimal("0.10"), date(2019, 10, 2)),
        ("s4", 10, Decimal("99.99"), date(2019, 11, 2)),
    ]
    assert [r["date_key"] for r in rows] == [20191001, 20191002, 20191102]
    assert {r["quantity"] for r in rows} == {1}
    assert len({r["purchase_key"] for r in rows}) == 3
    assert rows[0]["product_key"] == rows[2]["product_key"]  # same product, same key
    assert rows[0]["user_key"] != rows[2]["user_key"]
    schema = dict(build_fact_purchases(events_df).dtypes)
    assert schema["unit_price"] == schema["revenue"] == "decimal(18,2)"


def test_fact_sessions_counts_revenue_and_conversion(events_df) -> None:
    sessions = by(build_fact_sessions(events_df).collect(), "session_id")
    assert set(sessions) == {"s1", "s2", "s3", "s4", "s3b"}
    s1 = sessions["s1"]
    assert (s1["events"], s1["views"], s1["carts"], s1["purchases"]) == (4, 1, 1, 2)
    assert s1["revenue"] == Decimal("100.10") and s1["is_converted"] is True
    assert s1["session_date"] == date(2019, 10, 1)  # a session counts on the day it starts
    assert s1["duration_seconds"] == 70
    s2 = sessions["s2"]  # a cart and no purchase
    assert (s2["is_converted"], s2["has_cart"], s2["cart_removals"]) == (False, True, 1)
    assert s2["revenue"] == Decimal("0.00")
    assert sessions["s3"]["duration_seconds"] == 0


def test_dim_user_first_last_seen_sessions_orders(events_df) -> None:
    users = by(build_dim_user(build_fact_sessions(events_df)).collect(), "user_id")
    assert users[1]["sessions"] == 2 and users[1]["orders"] == 1
    assert users[1]["revenue"] == Decimal("100.10") and users[1]["items_purchased"] == 2
    assert users[1]["first_seen_at"] == datetime(2019, 10, 1, 23, 59)
    assert users[1]["last_seen_at"] == datetime(2019, 10, 5, 10, 1)
    assert users[2]["orders"] == 0 and users[2]["is_buyer"] is False
    assert users[2]["first_order_at"] is None
    assert users[3]["first_order_at"] == datetime(2019, 11, 2, 12)


def test_dim_product_latest_known_brand_category_and_price(events_df) -> None:
    products = by(
        build_dim_product(product_state(product_versions(events_df))).collect(), "product_id"
    )
    assert products[10]["latest_price"] == Decimal("98.00")
    assert products[10]["brand"] == "apple"  # the latest event has no brand: keep the last known
    assert products[10]["category_code"] == "electronics.smartphone"
    assert products[30]["brand"] == "unknown" and products[30]["has_brand"] is False
    assert products[30]["category_code"] is None
    assert products[20]["latest_price"] == Decimal("0.20")


def test_product_and_category_states_merge_exactly(events_df) -> None:
    """States of two overlapping halves of the events, merged, equal the state of all: what
    lets an incremental run fold rebuilt dates into the previous state."""
    first = events_df.where("event_at < '2019-10-05'")
    second = events_df.where("event_at >= '2019-10-02'")  # overlaps the first half

    def states(frame):
        versions = product_versions(frame)
        return product_state(versions), category_state(versions)

    whole_products, whole_categories = states(events_df)
    (p1, c1), (p2, c2) = states(first), states(second)
    merged_products = merge_product_state(p1.unionByName(p2))
    merged_categories = merge_category_state(c1.unionByName(c2))
    assert_df_equality(merged_products, whole_products, ignore_row_order=True)
    assert_df_equality(merged_categories, whole_categories, ignore_row_order=True)
    assert first.count() and second.count() and first.count() + second.count() > events_df.count()


def test_update_dim_user_equals_a_full_rebuild(events_df) -> None:
    """An incremental run re-aggregates only the users with a session on a rebuilt date;
    the result must equal aggregating every session again. Here the sessions starting
    October 5 to 31 are "rebuilt": users 1 and 2 each have one session kept and one rebuilt
    (their previous rows, built without the rebuilt sessions, are stale), user 3 has none
    (kept as is)."""
    sessions_df = build_fact_sessions(events_df)
    rebuilt = "session_date between '2019-10-05' and '2019-10-31'"
    stale_df = build_dim_user(sessions_df.where("not (" + rebuilt + ")"))
    users_df = sessions_df.where(rebuilt).select("user_id").distinct()
    assert sorted(row["user_id"] for row in users_df.collect()) == [1, 2]
    updated_df = update_dim_user(stale_df, sessions_df, users_df)
    expected_df = build_dim_user(sessions_df)
    assert_df_equality(updated_df, expected_df, ignore_row_order=True)
    with pytest.raises(DataFramesNotEqualError):  # the update had something to do
        assert_df_equality(stale_df, expected_df, ignore_row_order=True)


def _fold_case(spark, extra):
    """Previous lake = EVENTS off two dates; the run adds those dates back plus `extra`.
    Returns (dim_user folded, irregular user ids, new sessions, the expected dim_user)."""
    changed = ("2019-10-02", "2019-11-03")
    all_df = spark.createDataFrame(EVENTS + extra, STAGED_SCHEMA)
    previous_df = all_df.where(~all_df.event_date.isin(*changed))
    ids_df = all_df.where(all_df.event_date.isin(*changed)).select("session_id").distinct()
    before_df, after_df = build_fact_sessions(previous_df), build_fact_sessions(all_df)
    removed_df = before_df.join(ids_df, "session_id", "left_semi")
    added_df = after_df.join(ids_df, "session_id", "left_semi")
    folded_df, irregular_df = fold_dim_user(build_dim_user(before_df), removed_df, added_df)
    irregular = sorted(row["user_id"] for row in irregular_df.collect())
    return folded_df, irregular, after_df, build_dim_user(after_df)


def test_fold_dim_user_equals_a_full_rebuild(spark) -> None:
    """Sessions only gain events: s3 (user 2) gets a purchase 4 weeks later (converted now,
    same start), s1 and s3b get their events of the added dates back, user 4 is new. Each
    user's row follows from the previous one; nothing needs aggregating again."""
    extra = [
        event("2019-11-03 13:00:00", "purchase", 30, CAT_B, None, None, "7.00", 2, "s3"),
        event("2019-11-03 14:00:00", "view", 20, CAT_B, "kids.toys", "lego", "0.20", 4, "s5"),
    ]
    folded_df, irregular, _, expected_df = _fold_case(spark, extra)
    assert irregular == []
    # The fold's outer joins make columns nullable that an aggregation keeps non-null; the
    # Parquet files dim_user is written to do not record the difference.
    assert_df_equality(folded_df, expected_df, ignore_row_order=True, ignore_nullable=True)


def test_fold_dim_user_leaves_out_users_it_cannot_fold(spark) -> None:
    """A late event earlier than its session's start moves the start (s4, user 3); an
    earlier event of another user takes the session over (s3: user 2 to user 5). Those
    users are returned apart, absent from the folded rows, and aggregating them again from
    every session gives the full rebuild."""
    extra = [
        event("2019-10-02 09:00:00", "view", 10, CAT_A, None, None, "99.00", 3, "s4"),
        event("2019-10-02 08:00:00", "view", 30, CAT_B, None, None, "5.55", 5, "s3"),
    ]
    folded_df, irregular, sessions_df, expected_df = _fold_case(spark, extra)
    assert irregular == [2, 3, 5]
    assert {row["user_id"] for row in folded_df.collect()} == {1}
    users_df = spark.createDataFrame([(user,) for user in irregular], "user_id bigint")
    updated_df = update_dim_user(folded_df, sessions_df, users_df)
    assert_df_equality(updated_df, expected_df, ignore_row_order=True, ignore_nullable=True)


def test_dim_category_levels_and_unknown(spark) -> None:
    rows = [
        event("2019-10-01 00:00:00", "view", 1, 1, "a.b.c", "x", "1.00", 1, "s"),
        event("2019-10-01 00:00:01", "view", 1, 2, "kids.toys", "x", "1.00", 1, "s"),
        event("2019-10-01 00:00:02", "view", 1, 3, None, "x", "1.00", 1, "s"),
        event("2019-10-01 00:00:03", "view", 1, 2, None, "x", "1.00", 1, "s"),
    ]
    categories = by(
        build_dim_category(
            category_state(product_versions(spark.createDataFrame(rows, STAGED_SCHEMA)))
        ).collect(),
        "category_id",
    )
    levels = {
        key: (
            value["category_code"],
            value["category_level1"],
            value["category_level2"],
            value["category_level3"],
            value["has_category_code"],
        )
        for key, value in categories.items()
    }
    assert levels == {
        1: ("a.b.c", "a", "b", "c", True),
        2: ("kids.toys", "kids", "toys", None, True),
        3: ("unknown", "unknown", None, None, False),
    }


def test_dim_time_has_every_date_and_iso_calendar(spark) -> None:
    rows = (
        build_dim_time(spark, date(2019, 12, 28), date(2020, 1, 6))
        .orderBy("calendar_date")
        .collect()
    )
    assert [r["calendar_date"] for r in rows] == [date(2019, 12, 28 + i) for i in range(4)] + [
        date(2020, 1, i) for i in range(1, 7)
    ]
    dec30 = rows[2]  # Monday of ISO week 1 of 2020
    assert (dec30["date_key"], dec30["iso_year"], dec30["iso_week"], dec30["iso_weekday"]) == (
        20191230,
        2020,
        1,
        1,
    )
    assert (dec30["year"], dec30["quarter"], dec30["month_name"], dec30["is_weekend"]) == (
        2019,
        4,
        "December",
        False,
    )
    dec29 = rows[1]  # Sunday of ISO week 52 of 2019
    assert (dec29["iso_year"], dec29["iso_week"], dec29["iso_weekday"], dec29["is_weekend"]) == (
        2019,
        52,
        7,
        True,
    )
    assert rows[-1]["weekday_name"] == "Monday" and rows[-1]["year_month"] == "2020-01"


def test_dim_time_of_no_dates_is_empty(spark) -> None:
    assert build_dim_time(spark, None, None).count() == 0


def test_daily_summary_fills_quiet_days_and_splits_orders_at_midnight(spark, events_df) -> None:
    time_df = build_dim_time(spark, *FIXTURE_DATES)
    sessions_df = build_fact_sessions(events_df)
    purchases_df = build_fact_purchases(events_df)
    daily = by(
        build_fact_daily_summary(time_df, events_df, sessions_df, purchases_df).collect(),
        "summary_date",
    )
    assert len(daily) == 34  # 2019-10-01 .. 2019-11-03, no gaps
    oct1, oct2, oct5 = daily[date(2019, 10, 1)], daily[date(2019, 10, 2)], daily[date(2019, 10, 5)]
    assert (oct1["events"], oct1["views"], oct1["carts"], oct1["sessions"]) == (3, 1, 1, 1)
    assert (oct1["orders"], oct1["buyers"], oct1["revenue"]) == (1, 1, Decimal("100.00"))
    assert oct1["average_order_value"] == Decimal("100.00")
    assert (oct2["orders"], oct2["revenue"], oct2["sessions"]) == (1, Decimal("0.10"), 0)
    assert (oct5["cart_removals"], oct5["orders"], oct5["average_order_value"]) == (1, 0, None)
    quiet = daily[date(2019, 10, 20)]
    assert (quiet["events"], quiet["revenue"], quiet["sessions"]) == (0, Decimal("0.00"), 0)


def test_monthly_summary_revenue_orders_buyers_items(spark, events_df) -> None:
    time_df = build_dim_time(spark, *FIXTURE_DATES)
    monthly = by(
        build_fact_monthly_summary(time_df, build_fact_purchases(events_df)).collect(), "year_month"
    )
    october, november = monthly["2019-10"], monthly["2019-11"]
    assert (october["orders"], october["buyers"], october["items"]) == (1, 1, 2)
    assert october["revenue"] == Decimal("100.10")
    assert october["average_order_value"] == Decimal("100.10")
    assert october["days_in_data"] == 31 and november["days_in_data"] == 3
    assert (november["month_key"], november["revenue"], november["orders"]) == (
        201911,
        Decimal("99.99"),
        1,
    )


def test_monthly_summary_empty_month_is_zero(spark) -> None:
    rows = [
        event("2019-10-31 10:00:00", "purchase", 1, 1, None, None, "5.00", 1, "a"),
        event("2019-12-01 10:00:00", "view", 1, 1, None, None, "5.00", 1, "b"),
    ]
    events = spark.createDataFrame(rows, STAGED_SCHEMA)
    time_df = build_dim_time(spark, date(2019, 10, 31), date(2019, 12, 1))
    monthly = by(
        build_fact_monthly_summary(time_df, build_fact_purchases(events)).collect(), "year_month"
    )
    assert monthly["2019-11"]["revenue"] == Decimal("0.00")
    assert monthly["2019-11"]["orders"] == 0
    assert monthly["2019-11"]["average_order_value"] is None
