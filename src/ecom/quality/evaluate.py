"""Evaluate data-quality rules with Spark: curated tables → one `dq_results` row per rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import reduce
from typing import Any

import pyspark.sql.functions as F
from pyspark.sql import DataFrame, SparkSession

from ecom.errors import InvalidArgumentError
from ecom.quality.checks import (
    EXAMPLE_METRIC,
    FAILED_METRIC,
    KEY_PREFIX,
    KEYS_METRIC,
    ROWS_METRIC,
    column_metrics,
    duplicated_rows,
    fact_prefix,
    metric_kinds,
    metric_name,
    orphan_rows,
    orphan_rows_of_few,
    rows_sharing_keys,
    shared_key_metrics,
    values_row,
)
from ecom.quality.results import OUTCOME_FIELDS, explode_results, failure_words
from ecom.quality.rules import FOREIGN_KEY, FRESHNESS, ROW_COUNT_CHANGE, UNIQUE, Rule
from ecom.quality.sqltext import sql_literal, sql_name, sql_text


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

    Each table is scanned by one aggregation for its column rules (not_null, accepted_values,
    value_range, freshness, row counts); each `unique` and `foreign_key` rule adds one grouped
    aggregation (a foreign key groups the fact's and the dimension's keys together, so no join
    or broadcast), except that a dimension's key uniqueness and every foreign key into that
    key share one (the dimension is shuffled once). Each part yields one-row metrics, exploded
    into one result row per rule; the parts are unioned. Nothing but the final results (one
    small row per rule) is ever collected.

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
    return results_df.withColumn("evaluated_at", stamp.cast("timestamp"))


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
        # A datetime counts as its day (freshness is in whole days).
        is_moment = isinstance(reference_date, datetime)
        self.reference_date = reference_date.date() if is_moment else reference_date
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

    # The results are SQL text over the one-row metrics frames (ecom.quality.sqltext).

    def outcome(
        self, rule: Rule, is_passed: str, failed_rows: str, checked_rows: str, details: str
    ) -> str:
        """One result as a struct of the dq_results columns (without evaluated_at)."""
        values = [
            sql_text(self.run_id),
            sql_text(rule.table),
            sql_text(rule.name),
            sql_text(rule.kind),
            sql_text(rule.level),
            f"CAST({is_passed} AS BOOLEAN)",
            f"CAST({failed_rows} AS BIGINT)",
            f"CAST({checked_rows} AS BIGINT)",
            f"CAST({details} AS STRING)",
        ]
        fields = [
            f"{sql_text(name)}, {value}" for name, value in zip(OUTCOME_FIELDS, values, strict=True)
        ]
        return f"named_struct({', '.join(fields)})"

    def failed(self, rule: Rule, details: str, checked_rows: str = "NULL") -> str:
        """A rule that could not run (missing table or column): failed, no row counts."""
        return self.outcome(rule, "false", "NULL", checked_rows, sql_text(details))

    def evaluate_table(self, table: str, rules: list[Rule]) -> DataFrame:
        """One table's rules → one result row per rule.

        Column rules share one aggregation over the table; each unique and foreign_key rule
        is one more small aggregation. The parts are unioned (no joins between them).
        """
        whole_df = self.tables.get(table)
        if whole_df is None:
            row_df = self.session().range(1)
            return explode_results(row_df, [self.failed(rule, "table missing") for rule in rules])
        table_df = self.subsets.get(table, whole_df)
        shared: list[str] = []
        parts: list[DataFrame] = []
        columns = table_df.columns  # one schema fetch from the JVM, not one per rule
        for rule in rules:
            absent = [column for column in rule.columns if column not in columns]
            if absent:
                shared.append(
                    self.failed(rule, f"column missing: {', '.join(absent)}", sql_name(ROWS_METRIC))
                )
            elif rule.kind == UNIQUE:
                if table in self.subsets:
                    few = table in self.few_rows
                    counts_df = rows_sharing_keys(table_df, whole_df, rule.columns, few)
                else:
                    counts_df = duplicated_rows(table_df, rule.columns)
                parts.append(explode_results(counts_df, [self.unique(rule)]))
            elif rule.kind == FOREIGN_KEY:
                parts.append(self.foreign_key(rule, table_df))
            else:
                shared.append(self.shared_result(rule, metric_name(rule)))
        if shared:
            if table in self.measured:  # observed while written: no scan
                kinds = metric_kinds(rules, columns)
                row_df = values_row(self.session(), kinds, self.measured[table])
            else:
                metrics = column_metrics(rules, columns)
                row_df = table_df.agg(*[aggregate for _, aggregate, _ in metrics])
            parts.insert(0, explode_results(row_df, shared))
        return reduce(DataFrame.unionByName, parts)

    def shared_result(self, rule: Rule, metric: str) -> str:
        """The result struct of a column rule, from its metric (see column_metrics)."""
        if rule.kind == ROW_COUNT_CHANGE:
            return self.row_count_change(rule)
        if rule.kind == FRESHNESS:
            return self.freshness(rule, sql_name(metric))
        failed = sql_name(metric)
        details = f"format_string('%d row(s) %s', {failed}, {sql_text(failure_words(rule))})"
        return self.row_outcome(rule, failed, details)

    def row_outcome(
        self, rule: Rule, failed_rows: str, details: str, rows: str = ROWS_METRIC
    ) -> str:
        return self.outcome(rule, f"{failed_rows} = 0", failed_rows, sql_name(rows), details)

    def unique(self, rule: Rule, prefix: str = "") -> str:
        """A unique rule's result from its `<prefix>_rows`, `_failed` and `_keys` columns."""
        failed = sql_name(prefix + FAILED_METRIC)
        details = (
            "format_string('%d row(s) share %d duplicated key(s) (%s)', "
            f"{failed}, {sql_name(prefix + KEYS_METRIC)}, {sql_text(', '.join(rule.columns))})"
        )
        return self.row_outcome(rule, failed, details, prefix + ROWS_METRIC)

    def orphans(self, rule: Rule, prefix: str = "") -> str:
        """A foreign key's result from its `<prefix>_rows`, `_failed` and `_example` columns."""
        failed = sql_name(prefix + FAILED_METRIC)
        example = f"coalesce(concat(', e.g. ', {sql_name(prefix + EXAMPLE_METRIC)}), '')"
        details = (
            "format_string('%d row(s) with %s not found in %s.%s%s', "
            f"{failed}, {sql_text(rule.column)}, {sql_text(rule.params['ref_table'])}, "
            f"{sql_text(rule.params['ref_column'])}, {example})"
        )
        return self.row_outcome(rule, failed, details, prefix + ROWS_METRIC)

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
        """A dimension's key uniqueness and the foreign keys into it, in one aggregation
        (see shared_key_metrics); same results as `duplicated_rows` and `orphan_rows`."""
        facts = [
            (self.subsets.get(rule.table, self.tables[rule.table]), rule.column)
            for rule in foreign_keys
        ]
        metrics_df = shared_key_metrics(self.tables[unique_rule.table], unique_rule.column, facts)
        results = [self.unique(unique_rule, KEY_PREFIX)]
        results += [
            self.orphans(rule, fact_prefix(index)) for index, rule in enumerate(foreign_keys)
        ]
        return explode_results(metrics_df, results)

    def foreign_key(self, rule: Rule, table_df: DataFrame) -> DataFrame:
        ref_table, ref_column = rule.params["ref_table"], rule.params["ref_column"]
        ref_df = self.tables.get(ref_table)
        if ref_df is None or ref_column not in ref_df.columns:
            missing = (
                f"reference table missing: {ref_table}"
                if ref_df is None
                else f"reference column missing: {ref_table}.{ref_column}"
            )
            rows_df = table_df.agg(F.count(F.lit(1)).alias(ROWS_METRIC))
            return explode_results(rows_df, [self.failed(rule, missing, sql_name(ROWS_METRIC))])
        orphans = orphan_rows_of_few if rule.table in self.few_rows else orphan_rows
        metrics_df = orphans(table_df, rule.column, ref_df, ref_column)
        return explode_results(metrics_df, [self.orphans(rule)])

    def freshness(self, rule: Rule, latest: str) -> str:
        max_age = int(rule.params["max_age_days"])
        reference = sql_literal(self.reference_date)
        age = f"datediff({reference}, {latest})"
        details = (
            f"CASE WHEN {latest} IS NULL THEN {sql_text(f'no {rule.column} values')} "
            "ELSE format_string('latest %s is %d day(s) before %s (max %d)', "
            f"CAST({latest} AS STRING), {age}, CAST({reference} AS STRING), {max_age}) END"
        )
        is_passed = f"coalesce({age} <= {max_age}, false)"
        return self.outcome(rule, is_passed, "NULL", sql_name(ROWS_METRIC), details)

    def row_count_change(self, rule: Rule) -> str:
        counted = self.table_counts.get(rule.table)
        rows = sql_name(ROWS_METRIC) if counted is None else f"CAST({int(counted)} AS BIGINT)"
        previous = self.previous_counts.get(rule.table)
        if previous is None or previous == 0:
            why = "no previous count" if previous is None else "previous count is 0"
            return self.outcome(rule, "true", "NULL", rows, sql_text(f"skipped: {why}"))
        previous = int(previous)
        max_change = f"CAST({sql_text(repr(float(rule.params['max_change'])))} AS DOUBLE)"
        change = f"(({rows} - {previous}) / {previous})"
        details = (
            "format_string('%d rows vs %d previously: %+.1f%% (max %.1f%%)', "
            f"{rows}, {previous}, {change} * 100, {max_change} * 100)"
        )
        return self.outcome(rule, f"abs({change}) <= {max_change}", "NULL", rows, details)
