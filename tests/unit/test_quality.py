"""Data-quality rules on tiny inline tables: every expected count below is worked out by hand.

One evaluate() call covers every rule kind on a good and a bad copy of the same table, so the
whole module runs a couple of Spark jobs.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyspark.sql.functions as F
import pytest
from chispa import assert_df_equality
from pyspark.sql import Observation
from pyspark.sql.types import (
    DateType,
    DecimalType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from ecom.errors import EcomError, InvalidArgumentError
from ecom.jobs.churn import EVALUATION_SCHEMA
from ecom.jobs.segments import MODEL_RUNS_SCHEMA, feature_columns
from ecom.quality.checks import (
    column_metrics,
    orphan_rows,
    orphan_rows_of_few,
    rows_sharing_keys,
)
from ecom.quality.dqdl import render_rule, render_rulesets
from ecom.quality.evaluate import evaluate
from ecom.quality.results import (
    RESULT_SCHEMA,
    DataQualityError,
    failing_errors,
    raise_on_failing_errors,
)
from ecom.quality.rules import (
    CLICKSTREAM_RULES,
    FRESHNESS,
    ROW_COUNT_CHANGE,
    RULES_BY_SOURCE,
    WARN,
    Rule,
    accepted_values,
    foreign_key,
    freshness,
    not_null,
    row_count_change,
    rules_for,
    unique,
    value_range,
)
from ecom.quality.sqltext import sql_literal, sql_text
from ecom.runtime.metrics import observed_values
from ecom.sources.clickstream.lines import STAGED_SCHEMA
from ecom.storage.lake import CURATED_TABLES_BY_SOURCE
from ecom.transforms.calendar import build_dim_time
from ecom.transforms.clickstream.products import (
    build_dim_category,
    build_dim_product,
    category_state,
    product_state,
    product_versions,
)
from ecom.transforms.clickstream.purchases import build_fact_purchases
from ecom.transforms.clickstream.sessions import build_fact_sessions
from ecom.transforms.clickstream.summaries import (
    build_fact_daily_summary,
    build_fact_monthly_summary,
)
from ecom.transforms.clickstream.users import build_dim_user
from ecom.transforms.customers.features import build_customer_features
from ecom.transforms.customers.history import HISTORY_SCHEMA, merge_segment_history
from ecom.transforms.customers.rfm import with_rfm_score

FACT_SCHEMA = StructType(
    [
        StructField("purchase_key", LongType()),
        StructField("user_key", LongType()),
        StructField("status", StringType()),
        StructField("quantity", IntegerType()),
        StructField("revenue", DecimalType(18, 2)),
        StructField("purchase_date", DateType()),
    ]
)
DIM_SCHEMA = StructType([StructField("user_key", LongType())])


def d(text: str) -> Decimal:
    return Decimal(text)


# Good: revenue 0.00 and quantity 3 sit on their bounds; nulls only where no not_null rule
# applies (status, revenue); latest date 2019-11-01 is exactly 2 days before the reference.
GOOD_ROWS = [
    (1, 100, "paid", 1, d("10.00"), date(2019, 10, 30)),
    (2, 100, "refunded", 3, d("0.00"), date(2019, 10, 31)),
    (3, 200, None, 2, None, date(2019, 11, 1)),
]
# Bad, row by row:
# 1 fine; 2 repeats key 1, user 999 unknown, revenue < 0, quantity 0, status 'lost';
# 3 null key, user 888 unknown, revenue -0.01, quantity 4; 4 null user (FK ignores it),
# 'PAID' (case matters), null date; 5 fine but (100, 'paid') repeats row 1.
BAD_ROWS = [
    (1, 100, "paid", 1, d("10.00"), date(2019, 10, 30)),
    (1, 999, "lost", 0, d("-1.00"), date(2019, 10, 31)),
    (None, 888, "paid", 4, d("-0.01"), date(2019, 10, 29)),
    (4, None, "PAID", 1, d("3.00"), None),
    (5, 100, "paid", 1, d("1.00"), date(2019, 10, 31)),
]
REFERENCE_DATE = date(2019, 11, 3)
EVALUATED_AT = datetime(2019, 11, 3, 6, 0)


def kind_rules(table: str) -> list[Rule]:
    """One rule of each kind (unique twice: one and two columns) on `table`."""
    return [
        not_null(table, "purchase_key"),
        unique(table, "purchase_key"),
        unique(table, "user_key", "status"),
        foreign_key(table, "user_key", "dim_user"),
        accepted_values(table, "status", ["paid", "refunded"]),
        value_range(table, "revenue", name="revenue_not_negative", min_value=0),
        value_range(table, "quantity", name="quantity_1_to_3", min_value=1, max_value=3),
        freshness(table, "purchase_date", max_age_days=2),
        row_count_change(table, max_change=0.5),
    ]


EDGE_RULES = [
    not_null("fact_gone", "purchase_key"),
    foreign_key("good_fact", "user_key", "dim_gone", "user_key", level=WARN),
    not_null("good_fact", "no_such_column"),
    row_count_change("dim_user", max_change=0.5),
]


@pytest.fixture(scope="module")
def results_df(spark):
    tables = {
        "good_fact": spark.createDataFrame(GOOD_ROWS, FACT_SCHEMA),
        "bad_fact": spark.createDataFrame(BAD_ROWS, FACT_SCHEMA),
        "dim_user": spark.createDataFrame([(100,), (200,), (300,)], DIM_SCHEMA),
    }
    rules = kind_rules("good_fact") + kind_rules("bad_fact") + EDGE_RULES
    # good: 3 rows vs 2 before = +50% (on the threshold, passes); bad: 5 vs 11 = -54.5%.
    previous = {"good_fact": 2, "bad_fact": 11}
    results_df = evaluate(
        tables,
        rules,
        run_id="run-1",
        reference_date=REFERENCE_DATE,
        previous_counts=previous,
        evaluated_at=EVALUATED_AT,
    ).cache()
    yield results_df
    results_df.unpersist()


@pytest.fixture(scope="module")
def results(results_df):
    return {(row.table_name, row.rule_name): row for row in results_df.collect()}


def test_results_have_the_dq_results_schema_and_one_row_per_rule(results_df, results) -> None:
    assert [(f.name, f.dataType) for f in results_df.schema] == [
        (f.name, f.dataType) for f in RESULT_SCHEMA
    ]
    assert len(results) == 2 * 9 + 4
    row = results[("good_fact", "purchase_key_unique")]
    assert (row.run_id, row.rule_kind, row.level) == ("run-1", "unique", "error")
    assert row.evaluated_at == EVALUATED_AT


def test_every_kind_passes_on_good_data(results) -> None:
    names = [rule.name for rule in kind_rules("good_fact")]
    good = {name: results[("good_fact", name)] for name in names}
    failed = [name for name, row in good.items() if not row.is_passed]
    assert failed == []
    row_level = [row for row in good.values() if row.rule_kind not in (FRESHNESS, ROW_COUNT_CHANGE)]
    assert {(row.failed_rows, row.checked_rows) for row in row_level} == {(0, 3)}


@pytest.mark.parametrize(
    ("rule_name", "failed_rows"),
    [
        ("purchase_key_not_null", 1),
        ("purchase_key_unique", 2),  # the two rows with key 1; the null key is not counted
        ("user_key_status_unique", 2),  # (100, 'paid') twice; (None, 'PAID') is skipped
        ("user_key_in_dim_user", 2),  # 999 and 888; the null user is not counted
        ("status_accepted_values", 2),  # 'lost' and 'PAID'
        ("revenue_not_negative", 2),  # -1.00 and -0.01
        ("quantity_1_to_3", 2),  # 0 and 4
    ],
)
def test_row_rules_fail_with_the_failing_row_count(results, rule_name, failed_rows) -> None:
    row = results[("bad_fact", rule_name)]
    assert (row.is_passed, row.failed_rows, row.checked_rows) == (False, failed_rows, 5)


def test_rule_details_say_what_failed(results) -> None:
    assert results[("bad_fact", "purchase_key_unique")].details == (
        "2 row(s) share 1 duplicated key(s) (purchase_key)"
    )
    assert results[("bad_fact", "user_key_in_dim_user")].details == (
        "2 row(s) with user_key not found in dim_user.user_key, e.g. 888"
    )
    assert results[("bad_fact", "quantity_1_to_3")].details == (
        "2 row(s) with quantity not >= 1 and <= 3"
    )


def test_freshness_against_the_reference_date(results) -> None:
    good = results[("good_fact", "purchase_date_fresh")]
    assert good.is_passed  # 2019-11-01 is 2 days before 2019-11-03: on the limit
    assert good.details == "latest 2019-11-01 is 2 day(s) before 2019-11-03 (max 2)"
    bad = results[("bad_fact", "purchase_date_fresh")]  # latest 2019-10-31, the null ignored
    assert (bad.is_passed, bad.failed_rows, bad.checked_rows) == (False, None, 5)
    assert bad.details == "latest 2019-10-31 is 3 day(s) before 2019-11-03 (max 2)"


def test_a_moment_as_reference_counts_as_its_day(spark) -> None:
    # 23:59 on the reference day: still 2 days after 2019-11-01, not 2 days and a bit.
    rows = evaluate(
        {"good_fact": spark.createDataFrame(GOOD_ROWS, FACT_SCHEMA)},
        [freshness("good_fact", "purchase_date", max_age_days=2)],
        run_id="run-1",
        reference_date=datetime(2019, 11, 3, 23, 59),
    ).collect()
    assert [(row.is_passed, row.details) for row in rows] == [
        (True, "latest 2019-11-01 is 2 day(s) before 2019-11-03 (max 2)")
    ]


def test_row_count_change_with_and_without_previous_count(results) -> None:
    good = results[("good_fact", "row_count_change")]
    assert good.is_passed
    assert good.details == "3 rows vs 2 previously: +50.0% (max 50.0%)"
    bad = results[("bad_fact", "row_count_change")]
    assert not bad.is_passed
    assert bad.details == "5 rows vs 11 previously: -54.5% (max 50.0%)"
    skipped = results[("dim_user", "row_count_change")]
    assert (skipped.is_passed, skipped.checked_rows) == (True, 3)
    assert skipped.details == "skipped: no previous count"


def test_missing_table_reference_or_column_fails_the_rule(results) -> None:
    gone = results[("fact_gone", "purchase_key_not_null")]
    assert (gone.is_passed, gone.failed_rows, gone.checked_rows) == (False, None, None)
    assert gone.details == "table missing"
    no_dim = results[("good_fact", "user_key_in_dim_gone")]
    assert (no_dim.is_passed, no_dim.details) == (False, "reference table missing: dim_gone")
    no_column = results[("good_fact", "no_such_column_not_null")]
    assert (no_column.is_passed, no_column.details) == (False, "column missing: no_such_column")


def test_failing_errors_keeps_failed_error_level_rules_only(results_df) -> None:
    failures = failing_errors(results_df)
    names = [(row.table_name, row.rule_name) for row in failures]
    # bad_fact: 7 row rules fail; freshness and row_count_change fail but are warnings.
    # The missing dimension is a warn rule too; the missing table and column are errors.
    assert names == [
        ("bad_fact", "purchase_key_not_null"),
        ("bad_fact", "purchase_key_unique"),
        ("bad_fact", "quantity_1_to_3"),
        ("bad_fact", "revenue_not_negative"),
        ("bad_fact", "status_accepted_values"),
        ("bad_fact", "user_key_in_dim_user"),
        ("bad_fact", "user_key_status_unique"),
        ("fact_gone", "purchase_key_not_null"),
        ("good_fact", "no_such_column_not_null"),
    ]


def test_data_quality_error_message_names_table_rule_and_rows(results_df) -> None:
    failures = failing_errors(results_df)
    error = DataQualityError(failures[3:4])
    assert isinstance(error, EcomError)
    assert (
        str(error)
        == "data-quality gate failed, curated tables not published: bad_fact.revenue_not_negative failed on 2 of 5 rows"
    )
    with pytest.raises(DataQualityError) as raised:
        raise_on_failing_errors(results_df)
    assert str(raised.value) == (
        "data-quality gate failed, curated tables not published: "
        "bad_fact.purchase_key_not_null failed on 1 of 5 rows; "
        "bad_fact.purchase_key_unique failed on 2 of 5 rows; "
        "bad_fact.quantity_1_to_3 failed on 2 of 5 rows; "
        "bad_fact.revenue_not_negative failed on 2 of 5 rows; "
        "bad_fact.status_accepted_values failed on 2 of 5 rows; "
        "bad_fact.user_key_in_dim_user failed on 2 of 5 rows; "
        "bad_fact.user_key_status_unique failed on 2 of 5 rows; "
        "fact_gone.purchase_key_not_null failed: table missing; "
        "good_fact.no_such_column_not_null failed: column missing: no_such_column"
    )


def test_rules_reject_unknown_kind_level_and_missing_params() -> None:
    with pytest.raises(InvalidArgumentError, match="unknown kind"):
        Rule("t", "r", "looks_fine", "error", ("c",))
    with pytest.raises(InvalidArgumentError, match="level"):
        Rule("t", "r", "not_null", "fatal", ("c",))
    with pytest.raises(InvalidArgumentError, match="ref_table"):
        Rule("t", "r", "foreign_key", "error", ("c",))
    with pytest.raises(InvalidArgumentError, match="min or max"):
        Rule("t", "r", "value_range", "error", ("c",))


# --- the rules against the real curated tables ------------------------------------------


@pytest.mark.parametrize("source", sorted(CURATED_TABLES_BY_SOURCE))
def test_rules_cover_every_curated_table_with_a_tested_key(source) -> None:
    rules = RULES_BY_SOURCE[source]
    assert {rule.table for rule in rules} == set(CURATED_TABLES_BY_SOURCE[source])
    for table in CURATED_TABLES_BY_SOURCE[source]:
        kinds = {rule.kind for rule in rules_for(table, rules)}
        assert {"not_null", "unique"} <= kinds, table
    names = [(rule.table, rule.name) for rule in rules]
    assert len(names) == len(set(names))


def test_rules_levels_match_the_issue() -> None:
    warn = {(rule.table, rule.name) for rule in CLICKSTREAM_RULES if rule.level == WARN}
    assert warn == {
        ("fact_daily_summary", "summary_date_fresh"),
        ("fact_purchases", "row_count_change"),
        ("fact_sessions", "row_count_change"),
    }
    change = [rule for rule in CLICKSTREAM_RULES if rule.kind == ROW_COUNT_CHANGE]
    assert {rule.params["max_change"] for rule in change} == {0.5}


def curated_tables(spark, rows):
    """Staged rows → every curated table, built lazily by the real transforms."""
    events_df = spark.createDataFrame(rows, STAGED_SCHEMA)
    purchases_df = build_fact_purchases(events_df)
    sessions_df = build_fact_sessions(events_df)
    versions_df = product_versions(events_df)
    days = [row[-1] for row in rows]  # event_date, the last staged column
    time_df = build_dim_time(spark, min(days, default=None), max(days, default=None))
    return {
        "fact_purchases": purchases_df,
        "fact_sessions": sessions_df,
        "dim_user": build_dim_user(sessions_df),
        "dim_product": build_dim_product(product_state(versions_df)),
        "dim_category": build_dim_category(category_state(versions_df)),
        "dim_time": time_df,
        "fact_daily_summary": build_fact_daily_summary(
            time_df, events_df, sessions_df, purchases_df
        ),
        "fact_monthly_summary": build_fact_monthly_summary(time_df, purchases_df),
        **customer_tables(spark, purchases_df, max(days, default=None)),
    }


def customer_tables(spark, purchases_df, as_of):
    """The customer models' tables from the purchases: every customer in one segment."""
    features_df = with_rfm_score(
        build_customer_features(purchases_df, None, as_of or date(2019, 10, 1)),
        {name: [0.0] * 4 for name in ("recency_days", "frequency", "monetary")},
    ).select("*", F.lit(0).alias("cluster"), F.lit("Champions").alias("segment"))
    history_df = merge_segment_history(
        spark.createDataFrame([], HISTORY_SCHEMA), features_df, "run-1", date(2019, 10, 2)
    )
    runs_df = spark.createDataFrame(
        [("run-1", "kmeans", 2, "silhouette", 0.5, 2, True)], MODEL_RUNS_SCHEMA
    )
    scores_df = features_df.select(
        "user_key",
        "user_id",
        F.lit("low").alias("risk_band"),
        F.lit(0.1).alias("churn_probability"),
        F.col("monetary").alias("predicted_revenue_next_h"),
        F.col("monetary").alias("revenue_last_h"),
        F.lit(90).alias("horizon_days"),
        F.lit(as_of).cast("date").alias("as_of_date"),
        F.current_timestamp().alias("scored_at"),
        F.lit("run-1").alias("run_id"),
    )
    evaluations_df = spark.createDataFrame(
        [
            ("run-1", "churn", "roc_auc", date(2019, 7, 4), 90, 4, 1, 0.25, 0.8, 0.5, None),
            ("run-1", "clv", "mae", date(2019, 7, 4), 90, 4, 1, 0.25, 3.0, 4.0, None),
        ],
        EVALUATION_SCHEMA,
    )
    return {
        "customer_features": feature_columns(features_df, as_of, "run-1"),
        "dim_customer_segment": history_df,
        "model_runs": runs_df,
        "customer_scores": scores_df,
        "model_evaluations": evaluations_df,
    }


def staged(at, event_type, product, category, price, user, session):
    when = datetime.fromisoformat(at)
    return (
        when, event_type, product, category, "electronics.phone", "acme", Decimal(price),
        user, session, "raw/day.csv", "run-1", datetime(2019, 10, 3), when.date(),
    )  # fmt: skip


def test_rules_columns_exist_in_the_real_curated_tables(spark) -> None:
    tables = curated_tables(spark, [])
    for rule in CLICKSTREAM_RULES:
        assert set(rule.columns) <= set(tables[rule.table].columns), (rule.table, rule.name)
        if "ref_table" in rule.params:
            assert rule.params["ref_column"] in tables[rule.params["ref_table"]].columns


def test_rules_pass_on_tables_built_from_clean_events(spark) -> None:
    rows = [
        staged("2019-10-01 10:00:00", "view", 10, 7, "5.00", 1, "s1"),
        staged("2019-10-01 10:01:00", "purchase", 10, 7, "5.00", 1, "s1"),
        staged("2019-10-02 09:00:00", "purchase", 11, 8, "0.00", 2, "s2"),
    ]
    results_df = evaluate(
        curated_tables(spark, rows),
        CLICKSTREAM_RULES,
        run_id="run-1",
        reference_date=date(2019, 10, 3),
        previous_counts={"fact_purchases": 2, "fact_sessions": 4},
    )
    rows_by_rule = {(row.table_name, row.rule_name): row for row in results_df.collect()}
    assert len(rows_by_rule) == len(CLICKSTREAM_RULES)
    assert [key for key, row in rows_by_rule.items() if not row.is_passed] == []
    # 2 sessions vs 4 before: -50%, exactly on the threshold.
    assert rows_by_rule[("fact_sessions", "row_count_change")].details == (
        "2 rows vs 4 previously: -50.0% (max 50.0%)"
    )


# --- DQDL ------------------------------------------------------------------------------------


def test_dqdl_renders_each_kind() -> None:
    assert render_rule(not_null("t", "purchase_key")) == 'IsComplete "purchase_key"'
    assert render_rule(unique("t", "user_key", "status")) == 'IsUnique "user_key" "status"'
    assert render_rule(foreign_key("t", "user_key", "dim_user")) == (
        'ReferentialIntegrity "user_key" "dim_user.user_key" = 1.0'
    )
    assert render_rule(accepted_values("t", "status", ["paid", "refunded"])) == (
        'ColumnValues "status" in ["paid", "refunded"]'
    )
    assert render_rule(value_range("t", "revenue", name="n", min_value=0)) == (
        'ColumnValues "revenue" >= 0'
    )
    assert render_rule(value_range("t", "q", name="n", min_value=1, max_value=3)) == (
        '(ColumnValues "q" >= 1) and (ColumnValues "q" <= 3)'
    )
    assert render_rule(freshness("t", "summary_date", 2)) is None
    assert render_rule(row_count_change("t", 0.5)) is None


def test_dqdl_rulesets_one_per_table() -> None:
    rulesets = render_rulesets(CLICKSTREAM_RULES)
    assert set(rulesets) == set(CURATED_TABLES_BY_SOURCE["clickstream"])
    for ruleset in rulesets.values():
        assert ruleset.startswith("Rules = [\n")
        assert ruleset.endswith("]\n")
    assert rulesets["dim_time"] == (
        "Rules = [\n"
        '    IsComplete "date_key",\n'
        '    IsUnique "date_key",\n'
        '    ColumnValues "iso_weekday" in [1, 2, 3, 4, 5, 6, 7]\n'
        "]\n"
    )
    purchases = rulesets["fact_purchases"]
    assert '    ReferentialIntegrity "date_key" "dim_time.date_key" = 1.0,\n' in purchases
    assert '    ColumnValues "quantity" >= 1\n    # not rendered: row_count_change' in purchases
    assert (
        "# not rendered: summary_date_fresh (freshness, warn): " in (rulesets["fact_daily_summary"])
    )


def test_orphan_rows_of_few_agrees_with_the_grouping_check(spark) -> None:
    facts = spark.createDataFrame([(1,), (1,), (2,), (7,), (None,), (9,)], "user_key bigint")
    dimension = spark.createDataFrame([(1,), (2,), (3,)], "user_key bigint")
    expected = (6, 2, "7")  # rows, rows whose key is missing (7 and 9), the smallest missing
    for check in (orphan_rows, orphan_rows_of_few):
        row = check(facts, "user_key", dimension, "user_key").collect()[0]
        assert tuple(row) == expected, check.__name__


def test_measured_metrics_give_the_same_results_as_a_scan(spark, results_df) -> None:
    """The model job observes the column rules' metrics while it writes a table; handing
    them to evaluate must give exactly the results of evaluate's own scan."""
    tables = {
        "good_fact": spark.createDataFrame(GOOD_ROWS, FACT_SCHEMA),
        "bad_fact": spark.createDataFrame(BAD_ROWS, FACT_SCHEMA),
        "dim_user": spark.createDataFrame([(100,), (200,), (300,)], DIM_SCHEMA),
    }
    rules = kind_rules("good_fact") + kind_rules("bad_fact") + EDGE_RULES
    measured = {}
    for name in ("good_fact", "bad_fact"):
        table_rules = [rule for rule in rules if rule.table == name]
        metrics = column_metrics(table_rules, tables[name].columns)
        measured[name] = tables[name].agg(*[metric for _, metric, _ in metrics]).first().asDict()
    measured_df = evaluate(
        tables,
        rules,
        run_id="run-1",
        reference_date=REFERENCE_DATE,
        previous_counts={"good_fact": 2, "bad_fact": 11},
        evaluated_at=EVALUATED_AT,
        measured=measured,
    )
    assert_df_equality(measured_df, results_df, ignore_row_order=True)


def test_rows_sharing_keys_finds_duplicates_that_touch_the_checked_rows(spark) -> None:
    """An incremental run checks the keys of the rows it rebuilt against the whole table:
    key 1 is rebuilt and also kept (2 rows), key 2 is rebuilt once, key 3 is duplicated
    among kept rows only (found when those were published, not counted here)."""
    table = spark.createDataFrame([(1,), (1,), (2,), (3,), (3,), (None,)], "k bigint")
    checked = spark.createDataFrame([(1,), (2,), (None,)], "k bigint")
    for broadcast in (True, False):
        row = rows_sharing_keys(checked, table, ("k",), broadcast).first()
        assert (row["_rows"], row["_failed"], row["_keys"]) == (3, 2, 1), broadcast


def test_dimension_key_and_foreign_keys_into_it_checked_together(spark) -> None:
    """A dimension's unique rule and the foreign keys into that key share one aggregation:
    the same outcomes as each rule evaluated alone, worked out by hand here."""
    tables = {
        "dim_user": spark.createDataFrame([(1,), (2,), (2,), (3,), (None,)], DIM_SCHEMA),
        "fact_a": spark.createDataFrame([(1,), (1,), (7,), (None,), (9,), (9,)], "user_key bigint"),
        "fact_b": spark.createDataFrame([(2,), (3,), (4,)], "user_key bigint"),
    }
    rules = [
        unique("dim_user", "user_key"),
        foreign_key("fact_a", "user_key", "dim_user"),
        foreign_key("fact_b", "user_key", "dim_user"),
    ]
    expected = {
        ("dim_user", "user_key_unique"): (
            False,
            2,
            5,
            "2 row(s) share 1 duplicated key(s) (user_key)",
        ),
        ("fact_a", "user_key_in_dim_user"): (
            False,
            3,
            6,
            "3 row(s) with user_key not found in dim_user.user_key, e.g. 7",
        ),
        ("fact_b", "user_key_in_dim_user"): (
            False,
            1,
            3,
            "1 row(s) with user_key not found in dim_user.user_key, e.g. 4",
        ),
    }

    def outcomes(rule_set: list[Rule]) -> dict:
        rows = evaluate(
            tables, rule_set, run_id="r", reference_date=REFERENCE_DATE, evaluated_at=EVALUATED_AT
        ).collect()
        return {
            (row.table_name, row.rule_name): (
                row.is_passed,
                row.failed_rows,
                row.checked_rows,
                row.details,
            )
            for row in rows
        }

    assert outcomes(rules) == expected  # together
    alone = {key: value for rule in rules for key, value in outcomes([rule]).items()}
    assert alone == expected


def test_rule_texts_reach_the_results_exactly_whatever_their_characters(spark) -> None:
    """Results are SQL text (explode_results): names and conditions with quotes,
    backslashes, percent signs or line breaks come back as written."""
    texts = ["it's", "a\\b", "50% of 'x'", "line\nbreak", "\\'", "naïve ✓", "`col`"]
    [row] = spark.range(1).selectExpr(*[sql_text(text) for text in texts]).collect()
    assert list(row) == texts


def test_parameter_literals_keep_the_type_and_value_spark_gives_them(spark) -> None:
    """Rule parameters in SQL text (sql_literal) are what F.lit makes of them."""
    values = [7, 3_000_000_000, 0.001, 1e-07, Decimal("12.50"), "a'b", True, date(2019, 10, 5)]
    texts = spark.range(1).selectExpr(*[sql_literal(v) for v in values])
    lits = spark.range(1).select(*[F.lit(v) for v in values])
    assert [f.dataType for f in texts.schema] == [f.dataType for f in lits.schema]
    assert list(texts.first()) == list(lits.first()) == values
    assert spark.range(1).selectExpr(sql_literal(None)).first()[0] is None


def test_observed_values_read_counts_and_dates_in_one_text(spark, monkeypatch) -> None:
    def per_key(*args, **kwargs):
        raise AssertionError("read key by key, not as one text")

    monkeypatch.setattr("ecom.runtime.metrics.observed", per_key)
    observation = Observation("m")
    frame = spark.createDataFrame([(date(2019, 10, 1),), (date(2019, 10, 3),), (None,)], "d date")
    frame.observe(
        observation,
        F.count(F.lit(1)).alias("_rows"),
        F.max("d").alias("_m_latest"),
        F.max(F.when(F.lit(False), F.col("d"))).alias("_m_none"),
    ).collect()
    kinds = {"_rows": "bigint", "_m_latest": "date", "_m_none": "date"}
    assert observed_values(observation, kinds) == {
        "_rows": 3,
        "_m_latest": date(2019, 10, 3),
        "_m_none": None,
    }


def test_observed_text_that_is_not_exactly_the_metrics_is_not_trusted() -> None:
    """observed_values reads its one text only when it holds exactly the metrics asked for
    (else it reads them key by key)."""
    from ecom.runtime.metrics import _parsed

    kinds = {"_rows": "bigint", "_m_latest": "date"}
    assert _parsed("{_rows=3, _m_latest=null}", kinds) == {"_rows": 3, "_m_latest": None}
    assert _parsed("{_rows=3}", kinds) is None  # a metric missing
    assert _parsed("{_rows=3, _m_latest=2019-10-03, _x=1}", kinds) is None  # one more
    assert _parsed("{_rows=3, _m_latest=Oct 3}", kinds) is None  # not an ISO date
    assert _parsed("_rows=3, _m_latest=2019-10-03", kinds) is None  # not a map's text
