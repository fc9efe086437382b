"""The data-quality gate of the model job: the rules evaluated on the tables as written,
and the publication that follows (or, when an error-level rule fails, does not)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from pyspark.sql import Row, SparkSession

from ecom.jobs.curated import CuratedBuild, ModelArgs, ModelResult, isin_dates
from ecom.quality.checks import ROWS_METRIC
from ecom.quality.evaluate import evaluate
from ecom.quality.results import RESULT_SCHEMA, DataQualityError, failures_among
from ecom.quality.rules import ROW_COUNT_CHANGE, Rule
from ecom.storage import tablestore
from ecom.storage.lake import DQ_RESULTS
from ecom.storage.tablestore import Snapshot

# Fact rows up to which the foreign-key checks broadcast the fact's keys instead of
# shuffling the dimension (a few MB of keys; purchases stay below it up to ~100M events).
BROADCAST_ROWS = 2_000_000


class Checks:
    """The data-quality rules of one run, evaluated on the tables as written.

    An incremental run (`rebuilt`: fact → the partitions it rewrote) checks those
    partitions only, their keys' uniqueness against the whole table: kept partitions passed
    when they were published, and the dimensions they reference only gain keys. Dimensions
    and summaries are checked whole (their column rules measured as they were written).
    Rules can be evaluated in several groups (as their tables are written); the results of
    one run share one reference date and one evaluated_at.
    """

    def __init__(
        self,
        build: CuratedBuild,
        published: Snapshot,
        rebuilt: dict[str, list[str]] | None,
    ) -> None:
        self.build = build
        self.args = build.args
        self.rebuilt = rebuilt
        self.previous_counts = {
            name: int(entry["rows"])
            for name, entry in published["tables"].items()
            if "rows" in entry
        }
        self.reference_date = self.args.reference_date or datetime.now(UTC).date()
        self.evaluated_at = datetime.now(UTC).replace(microsecond=0)
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def partitions(self) -> dict[str, str]:
        return self.build.star.partitions

    def table_rows(self, name: str) -> int:
        """Rows of a table in the new publication: as written, or for a fact an
        incremental run rewrote only some partitions of, counted (once)."""
        if self.rebuilt is not None and name in self.partitions:
            with self._lock:
                if name not in self._counts:
                    self._counts[name] = self.build.frames[name].count()
                return self._counts[name]
        if name in self.build.measured:
            return int(self.build.measured[name][ROWS_METRIC])
        return self.build.frames[name].count()

    def run(self, rules: list[Rule]) -> list[Row]:
        """Evaluate `rules` on the tables written so far (one small row per rule)."""
        build = self.build
        state = build.star.state_tables
        frames = {name: frame for name, frame in build.frames.items() if name not in state}
        subsets = {}
        if self.rebuilt is not None:  # incremental: a fact's kept partitions passed before
            for name, column in self.partitions.items():
                if name in frames and name in self.rebuilt:
                    subsets[name] = frames[name].where(isin_dates(column, self.rebuilt[name]))
        facts = [name for name in self.partitions if name in frames]
        # Rows as written (all of a table; of a fact, the partitions this run wrote).
        written = {name: int(build.measured[name][ROWS_METRIC]) for name in facts}
        counted = {rule.table for rule in rules if rule.kind == ROW_COUNT_CHANGE}
        return evaluate(
            frames,
            rules,
            run_id=self.args.run_id,
            reference_date=self.reference_date,
            previous_counts=self.previous_counts,
            evaluated_at=self.evaluated_at,
            table_counts={name: self.table_rows(name) for name in facts if name in counted},
            few_rows=[name for name in facts if written[name] <= BROADCAST_ROWS],
            subsets=subsets,
            measured=build.measured,
        ).collect()


def tables_read(rule: Rule) -> set[str]:
    """The tables evaluating `rule` reads."""
    return {rule.table, *([rule.params["ref_table"]] if rule.params.get("ref_table") else [])}


def publish_checked(
    spark: SparkSession,
    build: CuratedBuild,
    staged: Snapshot,
    published: Snapshot,
    result: ModelResult,
    checks: Checks,
    rows: list[Row],
) -> None:
    """Publish the new tables with the rules' results (`rows`), or only dq_results when an
    error-level rule failed.

    The results are appended to dq_results and published with the tables. When an
    error-level rule fails, the publication keeps every table as it was, adds this run's
    dq_results, and DataQualityError names the failures; the staged changes stay pending,
    so the next run tries them again.
    """
    args: ModelArgs = build.args
    star = build.star
    started = time.perf_counter()
    order = {(rule.table, rule.name): index for index, rule in enumerate(star.rules)}
    rows = sorted(rows, key=lambda row: order[(row["table_name"], row["rule_name"])])
    frames = [name for name in build.frames if name not in star.state_tables]
    result.dq_results = [
        {**row.asDict(), "evaluated_at": row["evaluated_at"].isoformat()} for row in rows
    ]
    for name in frames:
        result.tables[name] = checks.table_rows(name)
    results_df = tablestore.read_table(
        spark, args.curated_path, published, DQ_RESULTS, RESULT_SCHEMA
    ).unionByName(spark.createDataFrame(rows, RESULT_SCHEMA))
    failures = failures_among(rows)
    target = build if not failures else CuratedBuild(spark, args, published, star)
    target.write(DQ_RESULTS, results_df)
    build.seconds[DQ_RESULTS] = round(time.perf_counter() - started, 3)
    result.table_seconds = dict(build.seconds)
    if failures:
        document = {**published, "tables": target.tables, "failed_run": args.run_id}
        tablestore.publish(spark, args.curated_path, document, args.run_id)
        tablestore.vacuum(spark, args.curated_path)
        result.table_seconds = dict(build.seconds)
        result.seconds = round(time.perf_counter() - started, 3)
        error = DataQualityError(failures)
        error.result = result
        raise error
    for name, count in result.tables.items():
        build.tables[name] = {**build.tables[name], "rows": count}
    document = {
        **build.snapshot,
        "staged": {"epoch": staged.get("epoch"), "generation": staged.get("generation", 0)},
        "source": star.source,
        "model_version": star.model_version,
        "failed_run": None,
    }
    tablestore.publish(spark, args.curated_path, document, args.run_id)
    tablestore.vacuum(spark, args.curated_path)
    result.published = True
