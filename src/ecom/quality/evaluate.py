"""Evaluate data-quality rules with Spark: curated tables → one `dq_results` row per rule.

Each table is scanned by one aggregation for its column rules (not_null, accepted_values,
value_range, freshness, row counts); each `unique` and `foreign_key` rule adds one grouped
aggregation (a foreign key groups the fact's and the dimension's keys together, so no join
or broadcast), except that a dimension's key uniqueness and every foreign key into that key
share one (the dimension is shuffled once). Each part yields one-row metrics, exploded into
one result row per rule; the parts are unioned. Nothing but the final results (one small row
per rule) is ever collected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import reduce
from typing import Any

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame, Row, SparkSession
from pyspark.sql.types import (
    BooleanType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from ecom.errors import EcomError, InvalidArgumentError
from ecom.quality.rules import (
    ACCEPTED_VALUES,
    ERROR,
    FOREIGN_KEY,
    FRESHNESS,
    NOT_NULL,
    ROW_CONDITION,
    ROW_COUNT_CHANGE,
    UNIQUE,
    VALUE_RANGE,
    Rule,
)

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
_OUTCOME_FIELDS = RESULT_SCHEMA.fieldNames()[:-1]  # evaluated_at is added once, at the end
_ROWS = "_rows"
# The row count among column_metrics' values (the model job reads it from its observation).
ROWS_METRIC = _ROWS
_FAILED = "_failed"
_KEYS = "_keys"
_EXAMPLE = "_example"


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


def evaluate(
    spark_tables: Mapping[str, DataFrame],
    rules: Iterable[Rule],
    *,
    run_id: str,
    reference_date: date,
    previous_counts: Mapping[str, int] | None = None,
    evaluated_at: datetime | None = None,
    table_counts: Mapping[str, int] | None = None,
    few_rows: Iterable[str] = (),
    subsets: Mapping[str, DataFrame] | None = None,
    measured: Mapping[str, Mapping[str, Any]] | None = None,
) -> DataFrame:
    """Tables by name + rules → dq_results: one row per rule (lazy; nothing is collected).

    `subsets` (table → the rows a run changed) limits a table's row rules to those rows:
    an incremental run checks what it rebuilt, the rest passed when it was published. A
    unique rule then counts, in the whole table, the rows sharing a key with a changed row,
    and a foreign key still looks its keys up in the whole referenced table. `table_counts`
    gives whole-table row counts for row_count_change; `few_rows` names tables whose checked
    rows are few enough to broadcast their keys. `measured` (table → the values of its
    `column_metrics`, observed while the table was written) saves the scan the column
    rules would otherwise make.
    """
    rules = list(rules)
    if not rules:
        raise InvalidArgumentError("dq: no rules to evaluate")
    context = _Context(spark_tables, run_id, reference_date, dict(previous_counts or {}))
    context.table_counts = dict(table_counts or {})
    context.few_rows = set(few_rows)
    context.subsets = dict(subsets or {})
    context.measured = dict(measured or {})
    together = context.shared_key_checks(rules)
    merged = {id(rule) for unique_rule, keys in together for rule in (unique_rule, *keys)}
    by_table: dict[str, list[Rule]] = {}
    for rule in rules:
        if id(rule) not in merged:
            by_table.setdefault(rule.table, []).append(rule)
    parts = [context.evaluate_table(table, table_rules) for table, table_rules in by_table.items()]
    parts += [context.key_checks(unique_rule, keys) for unique_rule, keys in together]
    results_df = reduce(DataFrame.unionByName, parts)
    stamp = F.lit(evaluated_at) if evaluated_at is not None else F.current_timestamp()
    return results_df.withColumn("evaluated_at", stamp.cast(TimestampType()))


class _Context:
    """What every rule of one evaluate() call shares: the tables, run id and reference data."""

    def __init__(
        self,
        tables: Mapping[str, DataFrame],
        run_id: str,
        reference_date: date,
        previous_counts: dict[str, int],
    ) -> None:
        self.tables = tables
        self.run_id = run_id
        self.reference_date = reference_date
        self.previous_counts = previous_counts
        # Whole-table row counts, when the frames passed in are only the rows to check
        # (an incremental run checks the partitions it rebuilt): row_count_change uses them.
        self.table_counts: dict[str, int] = {}
        # Tables whose rows (as passed in) are few enough to broadcast their foreign keys.
        self.few_rows: set[str] = set()
        # Table → the rows to check, when not the whole table (see evaluate).
        self.subsets: dict[str, DataFrame] = {}
        # Table → its column_metrics values, measured while it was written.
        self.measured: dict[str, Mapping[str, Any]] = {}

    def session(self) -> SparkSession:
        """The session of the tables passed in (library code never creates one)."""
        for table_df in self.tables.values():
            return table_df.sparkSession
        session = SparkSession.getActiveSession()
        if session is None:
            raise InvalidArgumentError("dq: no tables and no active Spark session")
        return session

    def outcome(
        self,
        rule: Rule,
        is_passed: Column,
        failed_rows: Column,
        checked_rows: Column,
        details: Column,
    ) -> Column:
        """One result as a struct of the dq_results columns (without evaluated_at)."""
        values = [
            F.lit(self.run_id),
            F.lit(rule.table),
            F.lit(rule.name),
            F.lit(rule.kind),
            F.lit(rule.level),
            is_passed.cast(BooleanType()),
            failed_rows.cast(LongType()),
            checked_rows.cast(LongType()),
            details.cast(StringType()),
        ]
        return F.struct(
            *[value.alias(name) for value, name in zip(values, _OUTCOME_FIELDS, strict=True)]
        )

    def failed(self, rule: Rule, details: str, checked_rows: Column | None = None) -> Column:
        """A rule that could not run (missing table or column): failed, no row counts."""
        checked = checked_rows if checked_rows is not None else F.lit(None)
        return self.outcome(rule, F.lit(False), F.lit(None), checked, F.lit(details))

    def evaluate_table(self, table: str, rules: list[Rule]) -> DataFrame:
        """One table's rules → one result row per rule.

        Column rules share one aggregation over the table; each unique and foreign_key rule
        is one more small aggregation. The parts are unioned (no joins between them).
        """
        whole_df = self.tables.get(table)
        if whole_df is None:
            row_df = self.session().range(1)
            return _explode(row_df, [self.failed(rule, "table missing") for rule in rules])
        table_df = self.subsets.get(table, whole_df)
        shared: list[Column] = []
        parts: list[DataFrame] = []
        for rule in rules:
            absent = [column for column in rule.columns if column not in table_df.columns]
            if absent:
                shared.append(
                    self.failed(rule, f"column missing: {', '.join(absent)}", F.col(_ROWS))
                )
            elif rule.kind == UNIQUE:
                if table in self.subsets:
                    few = table in self.few_rows
                    counts_df = rows_sharing_keys(table_df, whole_df, rule.columns, few)
                else:
                    counts_df = duplicated_rows(table_df, rule.columns)
                parts.append(_explode(counts_df, [self.unique(rule)]))
            elif rule.kind == FOREIGN_KEY:
                parts.append(self.foreign_key(rule, table_df))
            else:
                shared.append(self.shared_result(rule, _metric(rule)))
        if shared:
            metrics = column_metrics(rules, table_df.columns)
            if table in self.measured:  # observed while written: no scan
                row_df = _values_row(self.session(), metrics, self.measured[table])
            else:
                row_df = table_df.agg(*[aggregate for _, aggregate, _ in metrics])
            parts.insert(0, _explode(row_df, shared))
        return reduce(DataFrame.unionByName, parts)

    def shared_result(self, rule: Rule, metric: str) -> Column:
        """The result struct of a column rule, from its metric (see column_metrics)."""
        if rule.kind == ROW_COUNT_CHANGE:
            return self.row_count_change(rule)
        if rule.kind == FRESHNESS:
            return self.freshness(rule, F.col(metric))
        words = _FAILURE_WORDS[rule.kind](rule)
        details = F.format_string("%d row(s) %s", F.col(metric), F.lit(words))
        return self.row_outcome(rule, F.col(metric), details)

    def row_outcome(
        self, rule: Rule, failed_rows: Column, details: Column, rows: str = _ROWS
    ) -> Column:
        return self.outcome(rule, failed_rows == 0, failed_rows, F.col(rows), details)

    def unique(self, rule: Rule, prefix: str = "") -> Column:
        """A unique rule's result from its `<prefix>_rows`, `_failed` and `_keys` columns."""
        failed = F.col(prefix + _FAILED)
        details = F.format_string(
            "%d row(s) share %d duplicated key(s) (%s)",
            failed,
            F.col(prefix + _KEYS),
            F.lit(", ".join(rule.columns)),
        )
        return self.row_outcome(rule, failed, details, prefix + _ROWS)

    def orphans(self, rule: Rule, prefix: str = "") -> Column:
        """A foreign key's result from its `<prefix>_rows`, `_failed` and `_example` columns."""
        failed = F.col(prefix + _FAILED)
        details = F.format_string(
            "%d row(s) with %s not found in %s.%s%s",
            failed,
            F.lit(rule.column),
            F.lit(rule.params["ref_table"]),
            F.lit(rule.params["ref_column"]),
            F.coalesce(F.concat(F.lit(", e.g. "), F.col(prefix + _EXAMPLE)), F.lit("")),
        )
        return self.row_outcome(rule, failed, details, prefix + _ROWS)

    def shared_key_checks(self, rules: list[Rule]) -> list[tuple[Rule, list[Rule]]]:
        """(a dimension's unique rule, the foreign keys into that key) among `rules`, where
        one aggregation can evaluate them together (see key_checks): the dimension is
        whole and every table and column is there."""
        uniques = {
            (rule.table, rule.column): rule
            for rule in rules
            if rule.kind == UNIQUE and len(rule.columns) == 1
        }
        groups: dict[tuple[str, str], tuple[Rule, list[Rule]]] = {}
        for rule in rules:
            if rule.kind != FOREIGN_KEY:
                continue
            ref = (rule.params["ref_table"], rule.params["ref_column"])
            unique_rule = uniques.get(ref)
            ref_df, fact_df = self.tables.get(ref[0]), self.tables.get(rule.table)
            if unique_rule is None or ref_df is None or fact_df is None or ref[0] in self.subsets:
                continue
            checked_df = self.subsets.get(rule.table, fact_df)
            if ref[1] in ref_df.columns and rule.column in checked_df.columns:
                groups.setdefault(ref, (unique_rule, []))[1].append(rule)
        return list(groups.values())

    def key_checks(self, unique_rule: Rule, foreign_keys: list[Rule]) -> DataFrame:
        """A dimension's key uniqueness and the foreign keys into it, in one aggregation:
        the dimension's keys and the facts' (checked) keys, tagged, grouped by key. The
        dimension is shuffled once, not once per rule; same results as `duplicated_rows`
        and `orphan_rows`."""
        tags = [f"_f{index}" for index in range(len(foreign_keys))]

        def tagged(table_df: DataFrame, column: str, tag: str | None) -> DataFrame:
            return table_df.select(
                F.col(column).alias("_key"),
                F.lit(1 if tag is None else 0).cast(LongType()).alias("_ref"),
                *[F.lit(1 if name == tag else 0).cast(LongType()).alias(name) for name in tags],
            )

        keys_df = tagged(self.tables[unique_rule.table], unique_rule.column, None)
        for rule, tag in zip(foreign_keys, tags, strict=True):
            checked_df = self.subsets.get(rule.table, self.tables[rule.table])
            keys_df = keys_df.unionByName(tagged(checked_df, rule.column, tag))
        grouped_df = keys_df.groupBy("_key").agg(
            F.sum("_ref").alias("_ref"), *[F.sum(name).alias(name) for name in tags]
        )
        present = F.col("_key").isNotNull()
        duplicated, missing = present & (F.col("_ref") > 1), present & (F.col("_ref") == 0)
        metrics = [
            F.coalesce(F.sum("_ref"), F.lit(0)).alias("_u" + _ROWS),
            F.coalesce(F.sum(F.when(duplicated, F.col("_ref"))), F.lit(0)).alias("_u" + _FAILED),
            F.count(F.when(duplicated, 1)).alias("_u" + _KEYS),
        ]
        for tag in tags:
            metrics += [
                F.coalesce(F.sum(tag), F.lit(0)).alias(tag + _ROWS),
                F.coalesce(F.sum(F.when(missing, F.col(tag))), F.lit(0)).alias(tag + _FAILED),
                F.min(F.when(missing & (F.col(tag) > 0), F.col("_key")))
                .cast(StringType())
                .alias(tag + _EXAMPLE),
            ]
        results = [self.unique(unique_rule, "_u")]
        results += [self.orphans(rule, tag) for rule, tag in zip(foreign_keys, tags, strict=True)]
        return _explode(grouped_df.agg(*metrics), results)

    def foreign_key(self, rule: Rule, table_df: DataFrame) -> DataFrame:
        ref_table, ref_column = rule.params["ref_table"], rule.params["ref_column"]
        ref_df = self.tables.get(ref_table)
        if ref_df is None or ref_column not in ref_df.columns:
            missing = (
                f"reference table missing: {ref_table}"
                if ref_df is None
                else f"reference column missing: {ref_table}.{ref_column}"
            )
            rows_df = table_df.agg(F.count(F.lit(1)).alias(_ROWS))
            return _explode(rows_df, [self.failed(rule, missing, F.col(_ROWS))])
        orphans = orphan_rows_of_few if rule.table in self.few_rows else orphan_rows
        metrics_df = orphans(table_df, rule.column, ref_df, ref_column)
        return _explode(metrics_df, [self.orphans(rule)])

    def freshness(self, rule: Rule, latest: Column) -> Column:
        max_age = int(rule.params["max_age_days"])
        reference = F.lit(self.reference_date).cast("date")
        age = F.datediff(reference, latest)
        details = F.when(latest.isNull(), F.lit(f"no {rule.column} values")).otherwise(
            F.format_string(
                "latest %s is %d day(s) before %s (max %d)",
                latest.cast("string"),
                age,
                reference.cast("string"),
                F.lit(max_age),
            )
        )
        is_passed = F.coalesce(age <= max_age, F.lit(False))
        return self.outcome(rule, is_passed, F.lit(None), F.col(_ROWS), details)

    def row_count_change(self, rule: Rule) -> Column:
        counted = self.table_counts.get(rule.table)
        rows = F.col(_ROWS) if counted is None else F.lit(counted).cast(LongType())
        previous = self.previous_counts.get(rule.table)
        if previous is None or previous == 0:
            why = "no previous count" if previous is None else "previous count is 0"
            return self.outcome(rule, F.lit(True), F.lit(None), rows, F.lit(f"skipped: {why}"))
        max_change = float(rule.params["max_change"])
        change = (rows - F.lit(previous)) / F.lit(previous)
        details = F.format_string(
            "%d rows vs %d previously: %+.1f%% (max %.1f%%)",
            rows,
            F.lit(previous),
            change * 100,
            F.lit(max_change * 100),
        )
        return self.outcome(rule, F.abs(change) <= max_change, F.lit(None), rows, details)


def _metric(rule: Rule) -> str:
    """A column rule's metric name: its rule's (unique within a table), so the values
    observed for all of a table's rules serve an evaluation of some of them."""
    return "_m_" + re.sub(r"\W", "_", rule.name)


def column_metrics(rules: list[Rule], columns: Iterable[str]) -> list[tuple[str, Column, str]]:
    """(name, aggregate, type) of every value a table's column rules need, in one pass: the
    row count, and per not_null / accepted_values / value_range rule its failing rows, per
    freshness rule the latest date. `rules` are one table's, in declaration order. The
    model job observes these while it writes the table (see `evaluate`'s `measured`)."""
    present = set(columns)
    metrics = [(_ROWS, F.count(F.lit(1)), "bigint")]
    for rule in rules:
        if rule.kind in (UNIQUE, FOREIGN_KEY, ROW_COUNT_CHANGE):
            continue
        if not set(rule.columns) <= present:
            continue
        if rule.kind == FRESHNESS:
            metrics.append((_metric(rule), F.max(F.to_date(F.col(rule.column))), "date"))
        else:
            metrics.append((_metric(rule), F.count(F.when(failing_condition(rule), 1)), "bigint"))
    return [(name, aggregate.alias(name), kind) for name, aggregate, kind in metrics]


def _values_row(
    spark: SparkSession, metrics: list[tuple[str, Column, str]], values: Mapping[str, Any]
) -> DataFrame:
    """A one-row frame of measured metric values (no scan, no Python worker)."""
    return spark.range(1).select(
        *[F.lit(values[name]).cast(kind).alias(name) for name, _, kind in metrics]
    )


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


def failing_condition(rule: Rule) -> Column:
    """Row-level condition under which a not_null / accepted_values / value_range /
    row_condition row fails."""
    column = F.col(rule.column)
    if rule.kind == ROW_CONDITION:
        return F.coalesce(~F.expr(rule.params["condition"]), F.lit(False))
    if rule.kind == NOT_NULL:
        return reduce(lambda a, b: a | b, [F.col(name).isNull() for name in rule.columns])
    if rule.kind == ACCEPTED_VALUES:
        return column.isNotNull() & ~column.isin(list(rule.params["values"]))
    if rule.kind == VALUE_RANGE:
        outside = F.lit(False)
        if "min" in rule.params:
            outside = outside | (column < F.lit(rule.params["min"]))
        if "max" in rule.params:
            outside = outside | (column > F.lit(rule.params["max"]))
        return column.isNotNull() & outside
    raise InvalidArgumentError(
        f"dq rule {rule.table}.{rule.name}: no row condition for {rule.kind}"
    )


def duplicated_rows(table_df: DataFrame, columns: tuple[str, ...]) -> DataFrame:
    """Table → one row: its rows, rows whose (non-null) key occurs more than once, such keys."""
    groups_df = table_df.groupBy(*columns).agg(F.count(F.lit(1)).alias("_n"))
    has_null = reduce(lambda a, b: a | b, [F.col(column).isNull() for column in columns])
    duplicated = ~has_null & (F.col("_n") > 1)
    return groups_df.agg(
        F.coalesce(F.sum("_n"), F.lit(0)).alias(_ROWS),
        F.coalesce(F.sum(F.when(duplicated, F.col("_n"))), F.lit(0)).alias(_FAILED),
        F.count(F.when(duplicated, 1)).alias(_KEYS),
    )


def rows_sharing_keys(
    checked_df: DataFrame, table_df: DataFrame, columns: tuple[str, ...], broadcast: bool
) -> DataFrame:
    """`duplicated_rows` for the rows a run changed: one row with the rows checked, the rows
    of the whole table whose (non-null) key is a checked row's key and occurs more than once,
    and such keys. Duplicates among unchanged rows only were found when they were published.
    `broadcast`: the checked rows are few, their keys are broadcast while the table is
    scanned (the table is never shuffled)."""
    keys_df = checked_df.select(*columns).distinct()
    keys_df = F.broadcast(keys_df) if broadcast else keys_df
    groups_df = (
        table_df.select(*columns)
        .join(keys_df, list(columns), "left_semi")  # null keys never match: ignored
        .groupBy(*columns)
        .agg(F.count(F.lit(1)).alias("_n"))
    )
    duplicated = F.col("_n") > 1
    counts_df = groups_df.agg(
        F.coalesce(F.sum(F.when(duplicated, F.col("_n"))), F.lit(0)).alias(_FAILED),
        F.count(F.when(duplicated, 1)).alias(_KEYS),
    )
    return checked_df.agg(F.count(F.lit(1)).alias(_ROWS)).crossJoin(counts_df)


def orphan_rows(table_df: DataFrame, column: str, ref_df: DataFrame, ref_column: str) -> DataFrame:
    """Fact + dimension → one row: fact rows, rows whose non-null key the dimension lacks, and
    the smallest such key. Keys of both sides are grouped together (no join, no broadcast)."""
    fact_keys_df = table_df.select(
        F.col(column).alias("_key"), F.lit(1).alias("_fact"), F.lit(0).alias("_ref")
    )
    ref_keys_df = ref_df.select(
        F.col(ref_column).alias("_key"), F.lit(0).alias("_fact"), F.lit(1).alias("_ref")
    )
    keys_df = (
        fact_keys_df.unionByName(ref_keys_df)
        .groupBy("_key")
        .agg(F.sum("_fact").alias("_n"), F.max("_ref").alias("_found"))
    )
    orphan = F.col("_key").isNotNull() & (F.col("_found") == 0)
    return keys_df.agg(
        F.coalesce(F.sum("_n"), F.lit(0)).alias(_ROWS),
        F.coalesce(F.sum(F.when(orphan, F.col("_n"))), F.lit(0)).alias(_FAILED),
        F.min(F.when(orphan, F.col("_key"))).cast(StringType()).alias(_EXAMPLE),
    )


def orphan_rows_of_few(
    table_df: DataFrame, column: str, ref_df: DataFrame, ref_column: str
) -> DataFrame:
    """`orphan_rows` when the fact rows are few (an incremental run's rebuilt partitions):
    their keys are broadcast and probed while the dimension is scanned, so the dimension is
    never shuffled. Same one-row result."""
    keys_df = table_df.groupBy(F.col(column).alias("_key")).agg(F.count(F.lit(1)).alias("_n"))
    found_df = (
        ref_df.select(F.col(ref_column).alias("_key"))
        .join(F.broadcast(keys_df.select("_key")), "_key")
        .distinct()
        .withColumn("_found", F.lit(1))
    )
    marked_df = keys_df.join(F.broadcast(found_df), "_key", "left")
    orphan = F.col("_key").isNotNull() & F.col("_found").isNull()
    return marked_df.agg(
        F.coalesce(F.sum("_n"), F.lit(0)).alias(_ROWS),
        F.coalesce(F.sum(F.when(orphan, F.col("_n"))), F.lit(0)).alias(_FAILED),
        F.min(F.when(orphan, F.col("_key"))).cast(StringType()).alias(_EXAMPLE),
    )


def _explode(row_df: DataFrame, results: list[Column]) -> DataFrame:
    """A one-row frame + result structs → one row per result, the dq_results columns."""
    exploded_df = row_df.select(F.explode(F.array(*results)).alias("_result"))
    return exploded_df.select(*[F.col(f"_result.{name}").alias(name) for name in _OUTCOME_FIELDS])
