"""dq_results: the result schema, the error a failed gate raises, and how failures read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyspark.sql.functions as F
from pyspark.sql import DataFrame, Row
from pyspark.sql.types import (
    BooleanType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from ecom.errors import EcomError
from ecom.quality.rules import ACCEPTED_VALUES, ERROR, NOT_NULL, ROW_CONDITION, VALUE_RANGE, Rule

RESULT_SCHEMA = StructType(
    [
        StructField("run_id", StringType()),
        StructField("table_name", StringType()),
        StructField("rule_name", StringType()),
        StructField("rule_kind", StringType()),
        StructField("level", StringType()),
        StructField("is_passed", BooleanType()),
        StructField("failed_rows", LongType()),
        StructField("checked_rows", LongType()),
        StructField("details", StringType()),
        StructField("evaluated_at", TimestampType()),
    ]
)
OUTCOME_FIELDS = RESULT_SCHEMA.fieldNames()[:-1]  # evaluated_at is added once, at the end


class DataQualityError(EcomError):
    """Error-level data-quality rules failed; the run's output must not be published."""

    def __init__(self, failures: list[Row]) -> None:
        self.failures = failures
        self.result: Any = None  # the model job's result, with every rule's outcome
        self.report: Any = None  # the run report, when a pipeline run saved one
        super().__init__(
            "data-quality gate failed, curated tables not published: "
            + "; ".join(describe_failure(row) for row in failures)
        )


def describe_failure(row: Row) -> str:
    """`table.rule failed on 3 of 120 rows`, or `table.rule failed: <details>` without counts."""
    if row["failed_rows"] is not None and row["checked_rows"] is not None:
        counts = f"failed on {row['failed_rows']} of {row['checked_rows']} rows"
        return f"{row['table_name']}.{row['rule_name']} {counts}"
    return f"{row['table_name']}.{row['rule_name']} failed: {row['details']}"


def failures_among(results: Iterable[Row]) -> list[Row]:
    """Results already collected → the failed error-level ones, by table and rule."""
    failed = (row for row in results if not row["is_passed"] and row["level"] == ERROR)
    return sorted(failed, key=lambda row: (row["table_name"], row["rule_name"]))


def failing_errors(results_df: DataFrame) -> list[Row]:
    """dq_results → the failed error-level results (a handful of rows), by table and rule."""
    return failures_among(results_df.where(~F.col("is_passed")).collect())


def raise_on_failing_errors(results_df: DataFrame) -> None:
    """Raise DataQualityError naming every failed error-level rule; warnings only record."""
    failures = failing_errors(results_df)
    if failures:
        raise DataQualityError(failures)


def _range_words(rule: Rule) -> str:
    bounds = []
    if "min" in rule.params:
        bounds.append(f">= {rule.params['min']}")
    if "max" in rule.params:
        bounds.append(f"<= {rule.params['max']}")
    return f"with {rule.column} not {' and '.join(bounds)}"


_FAILURE_WORDS = {
    NOT_NULL: lambda rule: f"with {' or '.join(rule.columns)} null",
    ACCEPTED_VALUES: lambda rule: f"with {rule.column} not in the accepted values",
    VALUE_RANGE: _range_words,
    ROW_CONDITION: lambda rule: f"breaking {rule.params['condition']}",
}


def failure_words(rule: Rule) -> str:
    """What a failing row of a not_null / accepted_values / value_range rule has, in words."""
    return _FAILURE_WORDS[rule.kind](rule)


def explode_results(row_df: DataFrame, results: list[str]) -> DataFrame:
    """A one-row frame + result structs (SQL expressions over its columns, see
    ecom.quality.evaluate) → one row per result, the dq_results columns, in one call
    (ecom.quality.sqltext)."""
    return row_df.selectExpr(f"inline(array({', '.join(results)}))")
