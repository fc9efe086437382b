"""Customer transforms on tiny inline frames (chispa): features, RFM scores, segment names,
the segment history (SCD Type 2) and the fiscal calendar. Every expectation is worked out
by hand in the comments next to it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from chispa import assert_df_equality
from pyspark.sql.types import (
    DateType,
    DecimalType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from ecom.transforms.calendar import build_dim_time
from ecom.transforms.customers.features import build_customer_features
from ecom.transforms.customers.history import HISTORY_SCHEMA, merge_segment_history
from ecom.transforms.customers.names import Centroid, name_clusters, segment_names
from ecom.transforms.customers.rfm import with_rfm_score

SALES_SCHEMA = StructType(
    [
        StructField("user_key", LongType()),
        StructField("user_id", LongType()),
        StructField("order_id", StringType()),
        StructField("quantity", IntegerType()),
        StructField("revenue", DecimalType(18, 3)),
        StructField("purchase_date", DateType()),
    ]
)
CANCELLATIONS_SCHEMA = StructType(
    [
        StructField("user_id", LongType()),
        StructField("order_id", StringType()),
        StructField("cancellation_date", DateType()),
    ]
)
AS_OF = date(2011, 3, 31)


def sale(user, order, quantity, revenue, day):
    key = None if user is None else user * 10
    return (key, user, order, quantity, Decimal(revenue), date.fromisoformat(day))


SALES = [
    # customer 1: orders A (two lines) and B, 10 days apart; B is 21 days before AS_OF.
    sale(1, "A", 2, "10.005", "2011-02-28"),
    sale(1, "A", 1, "5.000", "2011-02-28"),
    sale(1, "B", 3, "4.000", "2011-03-10"),
    # customer 2: one order on AS_OF itself (recency 0, tenure 0).
    sale(2, "C", 1, "7.333", "2011-03-31"),
    # customer 3: one order after AS_OF: not a customer yet.
    sale(3, "D", 1, "1.000", "2011-04-01"),
    # a guest (no customer id): no customer.
    sale(None, "E", 5, "50.000", "2011-03-01"),
]
CANCELLATIONS = [
    (1, "C1", date(2011, 3, 1)),  # customer 1 cancels one invoice in range (two lines)
    (1, "C1", date(2011, 3, 1)),
    (2, "C2", date(2011, 4, 2)),  # after AS_OF: not counted
    (None, "C3", date(2011, 3, 1)),  # a guest's
]
FEATURE_SCHEMA = StructType(
    [
        StructField("user_key", LongType()),
        StructField("user_id", LongType()),
        StructField("country", StringType()),
        StructField("recency_days", IntegerType()),
        StructField("frequency", LongType(), False),
        StructField("monetary", DecimalType(18, 2)),
        StructField("avg_order_value", DecimalType(18, 2)),
        StructField("items", LongType()),
        StructField("tenure_days", IntegerType()),
        StructField("days_between_orders", DoubleType()),
        StructField("cancellation_share", DoubleType()),
        StructField("first_order_date", DateType()),
        StructField("last_order_date", DateType()),
    ]
)


def test_features_per_customer_as_of_a_day(spark) -> None:
    sales_df = spark.createDataFrame(SALES, SALES_SCHEMA)
    cancellations_df = spark.createDataFrame(CANCELLATIONS, CANCELLATIONS_SCHEMA)
    features_df = build_customer_features(sales_df, cancellations_df, AS_OF)
    expected = [
        # 1: revenue 10.005 + 5 + 4 = 19.005 → 19.01 (half up); AOV 19.005 / 2 = 9.5025 →
        # 9.50; items 6; recency 31 - 10 = 21; tenure 31 days (Feb 28 → Mar 31); one gap of
        # 10 days; 1 cancelled invoice of 3 invoices.
        # No country: these sale lines have none (as clickstream's).
        (10, 1, None, 21, 2, Decimal("19.01"), Decimal("9.50"), 6, 31, 10.0, 1 / 3,
         date(2011, 2, 28), date(2011, 3, 10)),
        # 2: one order on the day itself; its cancellation is after AS_OF.
        (20, 2, None, 0, 1, Decimal("7.33"), Decimal("7.33"), 1, 0, None, 0.0,
         date(2011, 3, 31), date(2011, 3, 31)),
    ]  # fmt: skip
    assert_df_equality(
        features_df,
        spark.createDataFrame(expected, FEATURE_SCHEMA),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_features_without_cancellations_have_no_share(spark) -> None:
    sales_df = spark.createDataFrame(SALES, SALES_SCHEMA)
    rows = build_customer_features(sales_df, None, AS_OF).collect()
    assert sorted(row["user_id"] for row in rows) == [1, 2]
    assert all(row["cancellation_share"] is None for row in rows)


RETAIL_SALES_SCHEMA = StructType(
    [
        *SALES_SCHEMA.fields,
        StructField("country", StringType()),
        StructField("purchased_at", TimestampType()),
    ]
)


def retail_sale(user, order, country, at):
    """A one-unit sale line of Online Retail: its invoice's country and time."""
    when = datetime.fromisoformat(at)
    return (*sale(user, order, 1, "1.000", when.date().isoformat()), country, when)


def test_country_is_that_of_the_latest_sale_invoice(spark) -> None:
    lines = [
        # 1: UK on Mar 1 (two lines), France on Mar 20: the latest invoice's, France.
        retail_sale(1, "A", "United Kingdom", "2011-03-01 10:00:00"),
        retail_sale(1, "A", "United Kingdom", "2011-03-01 10:00:00"),
        retail_sale(1, "B", "France", "2011-03-20 09:00:00"),
        # 2: two invoices at the same latest time: the alphabetically first, EIRE.
        retail_sale(2, "C", "Spain", "2011-03-01 08:00:00"),
        retail_sale(2, "D", "Germany", "2011-03-15 12:00:00"),
        retail_sale(2, "E", "EIRE", "2011-03-15 12:00:00"),
        # 3: the latest invoice names no country: the latest that does, Norway.
        retail_sale(3, "F", "Norway", "2011-03-02 10:00:00"),
        retail_sale(3, "G", None, "2011-03-30 10:00:00"),
        # 4: no line names a country: null.
        retail_sale(4, "H", None, "2011-03-03 10:00:00"),
        # 5: Japan is after AS_OF (not yet seen): Italy.
        retail_sale(5, "I", "Italy", "2011-03-05 10:00:00"),
        retail_sale(5, "J", "Japan", "2011-04-01 10:00:00"),
        # a guest: no customer.
        retail_sale(None, "K", "Brazil", "2011-03-31 10:00:00"),
    ]
    sales_df = spark.createDataFrame(lines, RETAIL_SALES_SCHEMA)
    features_df = build_customer_features(sales_df, None, AS_OF)
    expected = [(1, "France"), (2, "EIRE"), (3, "Norway"), (4, None), (5, "Italy")]
    schema = StructType([StructField("user_id", LongType()), StructField("country", StringType())])
    assert_df_equality(
        features_df.select("user_id", "country"),
        spark.createDataFrame(expected, schema),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_rfm_score_from_quintile_bounds(spark) -> None:
    schema = StructType(
        [
            StructField("user_id", LongType()),
            StructField("recency_days", IntegerType()),
            StructField("frequency", LongType()),
            StructField("monetary", DecimalType(18, 2)),
        ]
    )
    rows = [
        (1, 0, 9, Decimal("900.00")),  # most recent, most orders, most revenue → 555
        (2, 200, 1, Decimal("5.00")),  # least of all → 111
        (3, 30, 2, Decimal("50.00")),  # r: above 10, 20 → 5-2=3; f: above 1, 1 → 3; m: 3 → 333
        (4, None, 3, Decimal("60.00")),  # no recency → null score
    ]
    bounds = {
        "recency_days": [10.0, 20.0, 50.0, 100.0],
        "frequency": [1.0, 1.0, 3.0, 5.0],
        "monetary": [10.0, 40.0, 50.0, 100.0],
    }
    scored = with_rfm_score(spark.createDataFrame(rows, schema), bounds).collect()
    assert {row["user_id"]: row["rfm_score"] for row in scored} == {
        1: 555,
        2: 111,
        3: 333,
        4: None,
    }


def test_cluster_names_follow_recency_and_revenue_and_are_stable() -> None:
    # Customer-weighted means: recency (10·10 + 20·200 + 10·15 + 60·300) / 100 = 222.5;
    # revenue (10·900 + 20·800 + 10·50 + 60·20) / 100 = 267.
    centroids = [
        Centroid(0, 10, 10.0, 8.0, 900.0),  # recent, valuable → Champions
        Centroid(1, 20, 200.0, 5.0, 800.0),  # recent (200 <= 222.5), valuable → Loyal
        Centroid(2, 10, 15.0, 1.0, 50.0),  # recent, small → Promising
        Centroid(3, 60, 300.0, 1.0, 20.0),  # gone, small → Lapsed
    ]
    names = {0: "Champions", 1: "Loyal", 2: "Promising", 3: "Lapsed"}
    assert name_clusters(centroids) == names
    assert name_clusters(list(reversed(centroids))) == names  # order of arrival is no input


def test_more_clusters_than_names_are_numbered_and_accepted() -> None:
    centroids = [Centroid(index, 10, 400.0 + index, 1.0, 1.0) for index in range(4)]
    centroids.append(Centroid(9, 1000, 1.0, 1.0, 100.0))
    # Means: recency (10·(400+401+402+403) + 1000·1) / 1040 ≈ 16.4, revenue (40 + 100000) /
    # 1040 ≈ 96.2: cluster 9 is recent and valuable; clusters 0-3 are gone and small, ranked
    # longest gone first: 3, 2, 1, 0.
    names = name_clusters(centroids)
    assert [names[index] for index in (3, 2, 1, 0)] == [
        "Lapsed",
        "Hibernating",
        "Hibernating 2",
        "Hibernating 3",
    ]
    assert names[9] == "Champions"
    assert set(names.values()) <= set(segment_names())


ASSIGNED_SCHEMA = StructType(
    [
        StructField("user_key", LongType()),
        StructField("user_id", LongType()),
        StructField("segment", StringType()),
        StructField("rfm_score", IntegerType()),
    ]
)


def spell(user, version, segment, score, valid_from, valid_to, run):
    from pyspark.sql import functions as F  # noqa: F401  (keeps the row helper plain)

    key_source = (user, version)
    return (
        key_source,
        user * 10,
        user,
        version,
        segment,
        score,
        valid_from,
        valid_to,
        valid_to is None,
        run,
    )


def history_df(spark, spells):
    """Spells → a history frame; customer_segment_key is xxhash64(user_id, version)."""
    import pyspark.sql.functions as F

    rows = [(None, *row[1:]) for row in spells]
    frame = spark.createDataFrame(rows, HISTORY_SCHEMA)
    return frame.withColumn(
        "customer_segment_key", F.xxhash64(F.col("user_id"), F.col("segment_version"))
    ).select(*HISTORY_SCHEMA.fieldNames())


D1, D2 = date(2011, 9, 30), date(2011, 10, 31)
PREVIOUS = [
    spell(1, 1, "Promising", 311, date(2011, 6, 30), D1, "r0"),  # closed before: kept
    spell(1, 2, "Champions", 555, D1, None, "r1"),  # unchanged below
    spell(2, 1, "Loyal", 444, D1, None, "r1"),  # moves to At risk below
    spell(4, 1, "Lapsed", 111, D1, None, "r1"),  # no longer assigned: closed
]


def test_scd2_merge_new_changed_unchanged_and_gone(spark) -> None:
    assigned_df = spark.createDataFrame(
        [
            (10, 1, "Champions", 554),  # unchanged segment (score moved): no new row
            (20, 2, "At risk", 222),  # changed: spell 1 closed on D2, spell 2 opened
            (30, 3, "New", 115),  # new customer: spell 1
        ],
        ASSIGNED_SCHEMA,
    )
    merged_df = merge_segment_history(history_df(spark, PREVIOUS), assigned_df, "r2", D2)
    expected = history_df(
        spark,
        [
            PREVIOUS[0],
            PREVIOUS[1],
            spell(2, 1, "Loyal", 444, D1, D2, "r1"),
            spell(2, 2, "At risk", 222, D2, None, "r2"),
            spell(3, 1, "New", 115, D2, None, "r2"),
            spell(4, 1, "Lapsed", 111, D1, D2, "r1"),
        ],
    )
    assert_df_equality(merged_df, expected, ignore_row_order=True, ignore_nullable=True)


def test_scd2_rerun_of_the_same_assignments_changes_nothing(spark) -> None:
    assigned_df = spark.createDataFrame(
        [(10, 1, "Champions", 555), (20, 2, "Loyal", 444)], ASSIGNED_SCHEMA
    )
    previous_df = history_df(spark, PREVIOUS[:3])
    once_df = merge_segment_history(previous_df, assigned_df, "r2", D2)
    twice_df = merge_segment_history(once_df, assigned_df, "r3", D2)
    assert_df_equality(once_df, previous_df, ignore_row_order=True, ignore_nullable=True)
    assert_df_equality(twice_df, previous_df, ignore_row_order=True, ignore_nullable=True)


def test_scd2_first_run_opens_version_1_for_everyone(spark) -> None:
    empty_df = spark.createDataFrame([], HISTORY_SCHEMA)
    assigned_df = spark.createDataFrame([(10, 1, "Lapsed", None)], ASSIGNED_SCHEMA)
    merged_df = merge_segment_history(empty_df, assigned_df, "r1", D1)
    expected = history_df(spark, [spell(1, 1, "Lapsed", None, D1, None, "r1")])
    assert_df_equality(merged_df, expected, ignore_row_order=True, ignore_nullable=True)


def test_fiscal_calendar_april_start_across_the_year_boundary(spark) -> None:
    time_df = build_dim_time(spark, date(2011, 3, 30), date(2011, 4, 8), fiscal_start_month=4)
    got = {
        row["calendar_date"]: tuple(row[1:])
        for row in time_df.select(
            "calendar_date", "fiscal_year", "fiscal_quarter", "fiscal_month", "fiscal_week"
        ).collect()
    }
    # FY2011 runs 2010-04-01 .. 2011-03-31: March is its 12th month, Q4; 2011-03-30 is 363
    # days after 2010-04-01 → week 52, 2011-03-31 (364 days) week 53 (one day long).
    assert got[date(2011, 3, 30)] == (2011, 4, 12, 52)
    assert got[date(2011, 3, 31)] == (2011, 4, 12, 53)
    # 2011-04-01 opens FY2012: month 1, Q1, week 1; day 7 still week 1, day 8 week 2.
    assert got[date(2011, 4, 1)] == (2012, 1, 1, 1)
    assert got[date(2011, 4, 7)] == (2012, 1, 1, 1)
    assert got[date(2011, 4, 8)] == (2012, 1, 1, 2)
    # The ISO week and weekday are still there: 2011-04-08 is a Friday of ISO week 14.
    friday = time_df.where("calendar_date = '2011-04-08'").first()
    assert (friday["iso_week"], friday["iso_weekday"]) == (14, 5)


def test_fiscal_calendar_january_start_is_the_calendar_year(spark) -> None:
    time_df = build_dim_time(spark, date(2010, 12, 31), date(2011, 1, 1))
    got = {
        row["calendar_date"]: tuple(row[1:])
        for row in time_df.select(
            "calendar_date", "fiscal_year", "fiscal_quarter", "fiscal_month", "fiscal_week"
        ).collect()
    }
    # 2010-12-31 is day 365 of 2010 → week 1 + 364 // 7 = 53; 2011-01-01 week 1.
    assert got == {date(2010, 12, 31): (2010, 4, 12, 53), date(2011, 1, 1): (2011, 1, 1, 1)}
