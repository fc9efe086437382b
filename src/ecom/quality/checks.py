"""Data-quality checks as Spark functions: failing rows, column metrics, duplicates, orphans."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame, SparkSession

from ecom.errors import InvalidArgumentError
from ecom.quality.rules import (
    ACCEPTED_VALUES,
    FOREIGN_KEY,
    FRESHNESS,
    NOT_NULL,
    ROW_CONDITION,
    ROW_COUNT_CHANGE,
    UNIQUE,
    VALUE_RANGE,
    Rule,
)
from ecom.quality.sqltext import sql_literal, sql_name

# Columns of the one-row frames the checks return (in shared_key_metrics, after a prefix).
# The row count is also among column_metrics' values (the model job reads it from its
# observation).
ROWS_METRIC = "_rows"
FAILED_METRIC = "_failed"
KEYS_METRIC = "_keys"
EXAMPLE_METRIC = "_example"
# Prefix of the dimension key's metrics in shared_key_metrics (see fact_prefix for the facts').
KEY_PREFIX = "_u"


def metric_name(rule: Rule) -> str:
    """A column rule's metric name: its rule's (unique within a table), so the values
    observed for all of a table's rules serve an evaluation of some of them."""
    return "_m_" + re.sub(r"\W", "_", rule.name)


def column_metrics(rules: list[Rule], columns: Iterable[str]) -> list[tuple[str, Column, str]]:
    """(name, aggregate, type) of every value a table's column rules need, in one pass: the
    row count, and per not_null / accepted_values / value_range rule its failing rows, per
    freshness rule the latest date. `rules` are one table's, in declaration order. The
    model job observes these while it writes the table (see `evaluate`'s `measured`)."""
    return [
        (name, F.expr(f"{aggregate} AS {sql_name(name)}"), kind)
        for name, aggregate, kind in _metric_texts(rules, columns)
    ]


def metric_kinds(rules: list[Rule], columns: Iterable[str]) -> dict[str, str]:
    """Name → type of column_metrics' values (no Spark call)."""
    return {name: kind for name, _, kind in _metric_texts(rules, columns)}


def _metric_texts(rules: list[Rule], columns: Iterable[str]) -> list[tuple[str, str, str]]:
    present = set(columns)
    metrics = [(ROWS_METRIC, "count(1)", "bigint")]
    for rule in rules:
        if rule.kind in (UNIQUE, FOREIGN_KEY, ROW_COUNT_CHANGE):
            continue
        if not set(rule.columns) <= present:
            continue
        if rule.kind == FRESHNESS:
            metrics.append((metric_name(rule), f"max(to_date({sql_name(rule.column)}))", "date"))
        else:
            failing = f"count(CASE WHEN {failing_condition(rule)} THEN 1 END)"
            metrics.append((metric_name(rule), failing, "bigint"))
    return metrics


def values_row(
    spark: SparkSession, kinds: Mapping[str, str], values: Mapping[str, Any]
) -> DataFrame:
    """A one-row frame of measured metric values (name → type: `kinds`; no scan, no Python
    worker)."""
    return spark.range(1).selectExpr(
        *[
            f"CAST({sql_literal(values[name])} AS {kind}) AS {sql_name(name)}"
            for name, kind in kinds.items()
        ]
    )


def failing_condition(rule: Rule) -> str:
    """Row-level condition (SQL) under which a not_null / accepted_values / value_range /
    row_condition row fails."""
    if rule.kind == ROW_CONDITION:
        return f"coalesce(NOT ({rule.params['condition']}), false)"
    if rule.kind == NOT_NULL:
        return " OR ".join(f"{sql_name(name)} IS NULL" for name in rule.columns)
    column = sql_name(rule.column)
    if rule.kind == ACCEPTED_VALUES:
        values = [sql_literal(value) for value in rule.params["values"]]
        if not values:
            return f"{column} IS NOT NULL"
        return f"{column} IS NOT NULL AND NOT ({column} IN ({', '.join(values)}))"
    if rule.kind == VALUE_RANGE:
        outside = ["false"]
        if "min" in rule.params:
            outside.append(f"{column} < {sql_literal(rule.params['min'])}")
        if "max" in rule.params:
            outside.append(f"{column} > {sql_literal(rule.params['max'])}")
        return f"{column} IS NOT NULL AND ({' OR '.join(outside)})"
    raise InvalidArgumentError(
        f"dq rule {rule.table}.{rule.name}: no row condition for {rule.kind}"
    )


def _exprs(*texts: str) -> list[Column]:
    """SQL expressions (with their aliases) as Columns: one call into the JVM each."""
    return [F.expr(text) for text in texts]


def _key_counts(duplicated: str, count: str, prefix: str = "", rows: bool = True) -> list[str]:
    """Rows (unless not `rows`), rows whose key is `duplicated`, and such keys, over grouped
    keys whose row count is the column `count`; named `prefix` + the metric names."""
    names = {metric: sql_name(prefix + metric) for metric in (ROWS_METRIC, FAILED_METRIC)}
    return [
        *([f"coalesce(sum({count}), 0) AS {names[ROWS_METRIC]}"] if rows else []),
        f"coalesce(sum(CASE WHEN {duplicated} THEN {count} END), 0) AS {names[FAILED_METRIC]}",
        f"count(CASE WHEN {duplicated} THEN 1 END) AS {sql_name(prefix + KEYS_METRIC)}",
    ]


def _orphan_counts(orphan: str) -> list[str]:
    """Fact rows, rows whose key is an `orphan`, and the smallest such key, over grouped keys
    with their fact rows in `_n`."""
    return [
        f"coalesce(sum(_n), 0) AS {sql_name(ROWS_METRIC)}",
        f"coalesce(sum(CASE WHEN {orphan} THEN _n END), 0) AS {sql_name(FAILED_METRIC)}",
        f"CAST(min(CASE WHEN {orphan} THEN _key END) AS STRING) AS {sql_name(EXAMPLE_METRIC)}",
    ]


def duplicated_rows(table_df: DataFrame, columns: tuple[str, ...]) -> DataFrame:
    """Table → one row: its rows, rows whose (non-null) key occurs more than once, such keys."""
    groups_df = table_df.groupBy(*columns).agg(F.expr("count(1) AS _n"))
    has_null = " OR ".join(f"{sql_name(column)} IS NULL" for column in columns)
    return groups_df.agg(*_exprs(*_key_counts(f"NOT ({has_null}) AND _n > 1", "_n")))


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
        .agg(F.expr("count(1) AS _n"))
    )
    counts_df = groups_df.agg(*_exprs(*_key_counts("_n > 1", "_n", rows=False)))
    return checked_df.agg(F.expr(f"count(1) AS {sql_name(ROWS_METRIC)}")).crossJoin(counts_df)


def orphan_rows(table_df: DataFrame, column: str, ref_df: DataFrame, ref_column: str) -> DataFrame:
    """Fact + dimension → one row: fact rows, rows whose non-null key the dimension lacks, and
    the smallest such key. Keys of both sides are grouped together (no join, no broadcast)."""
    fact_keys_df = table_df.selectExpr(f"{sql_name(column)} AS _key", "1 AS _fact", "0 AS _ref")
    ref_keys_df = ref_df.selectExpr(f"{sql_name(ref_column)} AS _key", "0 AS _fact", "1 AS _ref")
    keys_df = (
        fact_keys_df.unionByName(ref_keys_df)
        .groupBy("_key")
        .agg(*_exprs("sum(_fact) AS _n", "max(_ref) AS _found"))
    )
    return keys_df.agg(*_exprs(*_orphan_counts("_key IS NOT NULL AND _found = 0")))


def orphan_rows_of_few(
    table_df: DataFrame, column: str, ref_df: DataFrame, ref_column: str
) -> DataFrame:
    """`orphan_rows` when the fact rows are few (an incremental run's rebuilt partitions):
    their keys are broadcast and probed while the dimension is scanned, so the dimension is
    never shuffled. Same one-row result."""
    keys_df = (
        table_df.selectExpr(f"{sql_name(column)} AS _key")
        .groupBy("_key")
        .agg(F.expr("count(1) AS _n"))
    )
    found_df = (
        ref_df.selectExpr(f"{sql_name(ref_column)} AS _key")
        .join(F.broadcast(keys_df.select("_key")), "_key")
        .distinct()
        .selectExpr("_key", "1 AS _found")
    )
    marked_df = keys_df.join(F.broadcast(found_df), "_key", "left")
    return marked_df.agg(*_exprs(*_orphan_counts("_key IS NOT NULL AND _found IS NULL")))


def fact_prefix(index: int) -> str:
    """Prefix of the `index`-th fact's metrics in shared_key_metrics."""
    return f"_f{index}"


def shared_key_metrics(
    ref_df: DataFrame, ref_column: str, facts: list[tuple[DataFrame, str]]
) -> DataFrame:
    """Dimension + its key + (fact, foreign key column) pairs → one row: `duplicated_rows` of
    the dimension's key (prefixed KEY_PREFIX) and `orphan_rows` of each fact (prefixed
    fact_prefix(i)), in one aggregation: the dimension's keys and the facts' keys, tagged,
    grouped by key. The dimension is shuffled once, not once per check."""
    tags = [fact_prefix(index) for index in range(len(facts))]

    def tagged(table_df: DataFrame, column: str, tag: str | None) -> DataFrame:
        return table_df.selectExpr(
            f"{sql_name(column)} AS _key",
            f"CAST({1 if tag is None else 0} AS BIGINT) AS _ref",
            *[f"CAST({1 if name == tag else 0} AS BIGINT) AS {name}" for name in tags],
        )

    keys_df = tagged(ref_df, ref_column, None)
    for (fact_df, column), tag in zip(facts, tags, strict=True):
        keys_df = keys_df.unionByName(tagged(fact_df, column, tag))
    grouped_df = keys_df.groupBy("_key").agg(
        *_exprs("sum(_ref) AS _ref", *[f"sum({name}) AS {name}" for name in tags])
    )
    duplicated, missing = "_key IS NOT NULL AND _ref > 1", "_key IS NOT NULL AND _ref = 0"
    metrics = _key_counts(duplicated, "_ref", KEY_PREFIX)
    for tag in tags:
        metrics += [
            f"coalesce(sum({tag}), 0) AS {tag + ROWS_METRIC}",
            f"coalesce(sum(CASE WHEN {missing} THEN {tag} END), 0) AS {tag + FAILED_METRIC}",
            f"CAST(min(CASE WHEN {missing} AND {tag} > 0 THEN _key END) AS STRING)"
            f" AS {tag + EXAMPLE_METRIC}",
        ]
    return grouped_df.agg(*_exprs(*metrics))
