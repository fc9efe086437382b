"""The row_condition rule kind (an invariant each row must satisfy) on a tiny inline table:
evaluated by Spark and rendered as DQDL; counts worked out by hand."""

from __future__ import annotations

from datetime import date

from pyspark.sql.types import IntegerType, StructField, StructType

from ecom.quality.dqdl import render_rule
from ecom.quality.evaluate import evaluate
from ecom.quality.rules import customer_rules, row_condition

SCHEMA = StructType(
    [
        StructField("tenure_days", IntegerType()),
        StructField("recency_days", IntegerType()),
    ]
)
RULE = row_condition(
    "customer_features",
    "tenure_covers_recency",
    "tenure_days >= recency_days",
    ("tenure_days", "recency_days"),
)


def test_row_condition_counts_the_rows_breaking_it(spark) -> None:
    rows = [
        (10, 3),  # holds
        (5, 5),  # holds (edge: equal)
        (2, 7),  # breaks
        (None, 4),  # null: not judged, as nulls are not for the other row kinds
    ]
    table_df = spark.createDataFrame(rows, SCHEMA)
    [result] = evaluate(
        {"customer_features": table_df}, [RULE], run_id="r", reference_date=date(2011, 1, 1)
    ).collect()
    assert (result["is_passed"], result["failed_rows"], result["checked_rows"]) == (False, 1, 4)
    assert result["details"] == "1 row(s) breaking tenure_days >= recency_days"


def test_row_condition_renders_as_custom_sql() -> None:
    assert render_rule(RULE) == (
        'CustomSql "select count(*) from primary where not (tenure_days >= recency_days)" = 0'
    )


def test_customer_rules_cover_keys_values_and_an_invariant_per_table() -> None:
    rules = customer_rules(("Champions",))
    for table in ("customer_features", "dim_customer_segment", "model_runs"):
        kinds = {rule.kind for rule in rules if rule.table == table}
        assert {"not_null", "unique", "accepted_values", "row_condition"} <= kinds, table
