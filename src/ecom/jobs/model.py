"""Glue job 2, model: staged events → the curated star schema (Parquet), incrementally.

A run rebuilds only what the staged changes since the last publication touch (see
`plan_model`), checks the result with the data-quality rules, and publishes it in one step
(`ecom.storage.tablestore`). Nothing readers see changes before that step; a failed error-level rule
publishes only the run's `dq_results`, so the failure can be queried, and leaves every other
table as it was.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyspark.sql.functions as F
from pyspark import StorageLevel
from pyspark.sql import DataFrame, Observation, Row, SparkSession
from pyspark.sql.types import DateType, LongType, StructField, StructType

from ecom.errors import InvalidArgumentError
from ecom.quality.evaluate import (
    RESULT_SCHEMA,
    ROWS_METRIC,
    DataQualityError,
    column_metrics,
    evaluate,
    failures_among,
)
from ecom.quality.rules import ROW_COUNT_CHANGE, RULES, Rule, rules_for
from ecom.runtime.metrics import observed
from ecom.sources.clickstream.lines import STAGED_SCHEMA
from ecom.storage import tablestore
from ecom.storage.tablestore import Snapshot
from ecom.transforms.columns import surrogate_key
from ecom.transforms.model import (
    build_dim_category,
    build_dim_product,
    build_dim_time,
    build_dim_user,
    build_fact_daily_summary,
    build_fact_monthly_summary,
    build_fact_purchases,
    build_fact_sessions,
    category_state,
    fold_dim_user,
    merge_category_state,
    merge_product_state,
    product_state,
    product_versions,
    update_dim_user,
)

# Partition column of each partitioned curated table (the others are written whole).
PARTITIONS: dict[str, str] = {
    "fact_purchases": "purchase_date",
    "fact_sessions": "session_date",
}
# The layout of the curated tables this code writes, recorded in every publication: a lake
# built with another (older) layout is rebuilt whole, not patched (2: fact_sessions gained
# session_key).
MODEL_VERSION = 2
# Model state kept in the curated zone beside the tables, not registered in any catalog:
# each product's and category's latest attributes, merged run by run (see product_state).
STATE_TABLES: tuple[str, ...] = ("product_state", "category_state")
DQ_RESULTS = "dq_results"
# Fact rows up to which the foreign-key checks broadcast the fact's keys instead of
# shuffling the dimension (a few MB of keys; purchases stay below it up to ~100M events).
BROADCAST_ROWS = 2_000_000
STAGED_TABLE = "events"
# Driver threads of the model job's writes and checks (see run_model): enough that a task
# waiting for the table it reads never keeps a ready one from starting.
WRITERS = 6
# Unpartitioned tables with about one row per user or product: written by as many tasks as
# their last shuffle has (the others are small and written as one file).
LARGE_TABLES: tuple[str, ...] = ("dim_user", "dim_product", "product_state")


@dataclass(frozen=True)
class ModelArgs:
    """Arguments of the model job; on Glue they arrive as `--staged_path` etc."""

    staged_path: str
    curated_path: str
    run_id: str
    full_refresh: bool = False
    # Backfill: rebuild these event dates (ISO, inclusive) whatever changed.
    date_from: str | None = None
    date_to: str | None = None
    # The date freshness rules measure against; today (UTC) by default.
    reference_date: date | None = None


@dataclass
class ModelResult:
    """What one model run did: its plan, rows per table, data-quality results, timings."""

    run_id: str
    mode: str = "up_to_date"  # full | incremental | up_to_date
    reason: str = ""
    dates_rebuilt: list[str] = field(default_factory=list)
    staged_rows: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    table_seconds: dict[str, float] = field(default_factory=dict)
    dq_results: list[dict[str, Any]] = field(default_factory=list)
    published: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class ModelPlan:
    """Which event dates to rebuild, and whether from scratch."""

    full: bool
    dates: list[str]
    reason: str


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _check_range(args: ModelArgs) -> tuple[date, date] | None:
    if args.date_from is None and args.date_to is None:
        return None
    try:
        start = _day(args.date_from) if args.date_from else date.min
        end = _day(args.date_to) if args.date_to else date.max
    except ValueError as error:
        raise InvalidArgumentError(f"--from/--to: {error} (expected YYYY-MM-DD)") from None
    if start > end:
        raise InvalidArgumentError(f"--from {args.date_from} is after --to {args.date_to}")
    return start, end


def plan_model(staged: Snapshot, curated: Snapshot, args: ModelArgs) -> ModelPlan:
    """Decide what to rebuild from the two publications (nothing is read but their documents).

    The curated publication records the staged generation it was built from; the staged
    one lists the event dates each later ingest changed. Anything that breaks that chain
    (no curated publication yet, a staged full refresh, changes older than the list keeps)
    means a full rebuild, as does `--full-refresh`.
    """
    staged_dates = tablestore.partition_values(staged, STAGED_TABLE)
    window = _check_range(args)
    built_from = curated.get("staged") or {}
    if args.full_refresh:
        return ModelPlan(True, staged_dates, "--full-refresh")
    if not curated["tables"]:
        return ModelPlan(True, staged_dates, "first publication")
    if curated.get("model_version") != MODEL_VERSION:
        version = curated.get("model_version", 1)
        return ModelPlan(True, staged_dates, f"the curated tables have layout {version}")
    if any(name not in curated["tables"] for name in STATE_TABLES):
        return ModelPlan(True, staged_dates, "the model state is missing")
    if built_from.get("epoch") != staged.get("epoch"):
        return ModelPlan(True, staged_dates, "the staged events were rebuilt")
    generation = int(built_from.get("generation", 0))
    changes = [c for c in staged.get("changes", []) if int(c["generation"]) > generation]
    expected = int(staged.get("generation", 0)) - generation
    if len(changes) != expected:
        return ModelPlan(True, staged_dates, "staged changes since the last publication unknown")
    dates = {day for change in changes for day in change["dates"]}
    reason = f"{len(changes)} staged change(s)"
    if window is not None:
        dates |= {day for day in staged_dates if window[0] <= _day(day) <= window[1]}
        reason += f", backfill {args.date_from or '…'} to {args.date_to or '…'}"
    return ModelPlan(False, sorted(dates & set(staged_dates)), reason)


class CuratedBuild:
    """One run's new versions of the curated tables, and the publication they will form."""

    def __init__(self, spark: SparkSession, args: ModelArgs, previous: Snapshot) -> None:
        self.spark = spark
        self.zone = args.curated_path
        self.run_id = args.run_id
        self.previous = previous
        self.tables: dict[str, dict[str, Any]] = {
            name: dict(entry) for name, entry in previous["tables"].items()
        }
        self.seconds: dict[str, float] = {}
        self.frames: dict[str, DataFrame] = {}
        # Table → the values of its column rules' metrics, observed while it was written.
        self.measured: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()  # tables are written from several threads

    @property
    def snapshot(self) -> Snapshot:
        """The publication as it stands (previous entries where nothing was rewritten)."""
        with self._lock:
            return {**self.previous, "tables": dict(self.tables)}

    def read(self, name: str, schema: StructType) -> DataFrame:
        """A table of the publication being built."""
        return tablestore.read_table(self.spark, self.zone, self.snapshot, name, schema)

    def previous_table(self, name: str, schema: StructType, values: list[str] | None = None):
        return tablestore.read_table(self.spark, self.zone, self.previous, name, schema, values)

    def write(self, name: str, table_df: DataFrame, replaced: list[str] | None = None) -> DataFrame:
        """Write this run's version of `name`; return the table as the new publication has it.

        A partitioned table keeps its other partitions; `replaced` are the partitions this
        version supersedes (all of them in a full rebuild).
        """
        started = time.perf_counter()
        partition = PARTITIONS.get(name)
        rules = rules_for(name, RULES)
        observation = Observation(f"dq_{name}")
        if rules:  # the column rules are measured on the way out: no scan of their own
            metrics = column_metrics(rules, table_df.columns)
            table_df = table_df.observe(observation, *[metric for _, metric, _ in metrics])
        arranged_df = table_df.repartition(partition) if partition else table_df
        entry = tablestore.write_version(
            self.spark,
            self.zone,
            name,
            self.run_id,
            arranged_df,
            partition,
            one_file=name not in LARGE_TABLES,
        )
        if partition and replaced is not None:
            stray = sorted(set(entry["partitions"]) - set(replaced))
            if stray:  # it would replace a partition whole with a few of its rows
                raise RuntimeError(f"{name}: rows for {stray}, outside the partitions rebuilt")
        measured = observed(observation) if rules else None
        with self._lock:
            if partition:
                previous = None if replaced is None else self.tables.get(name)
                entry = tablestore.merge_entry(previous, entry, replaced or [])
            self.tables[name] = entry
            if measured is not None:
                self.measured[name] = measured
            self.seconds[name] = round(time.perf_counter() - started, 3)
        frame = self.read(name, table_df.schema)
        with self._lock:
            self.frames[name] = frame
        return frame


def _isin_dates(column: str, days: list[str]) -> F.Column:
    return F.col(column).isin([_day(day) for day in days])


def _session_dates(
    build: CuratedBuild, keys_df: DataFrame, changed: list[str], staged_dates: list[str]
) -> tuple[list[str], list[str]]:
    """(session dates to rebuild, event dates to read) for an incremental run.

    A session belongs to the date it starts. The changed events (their sessions' keys:
    `keys_df`) may extend a session that started earlier, so its start date is rebuilt too;
    rebuilding a start date needs every event of its sessions, which the previous
    fact_sessions bounds by their end dates. A key shared by another session (a hash
    collision) would only rebuild one date more.
    """
    sessions_df = build.previous_table("fact_sessions", _FACT_SESSIONS_SCHEMA)
    touched = {
        str(row["session_date"])
        for row in sessions_df.join(keys_df, "session_key", "left_semi")
        .select("session_date")
        .distinct()
        .collect()
    }
    rebuilt = sorted(touched | set(changed))
    ends = (
        sessions_df.where(_isin_dates("session_date", rebuilt))
        .groupBy("session_date")
        .agg(F.max(F.to_date("ended_at")).alias("last_date"))
    )
    read = set(changed)
    for row in ends.collect():
        day = row["session_date"]
        while day <= row["last_date"]:
            read.add(day.isoformat())
            day += timedelta(days=1)
    read |= set(rebuilt)
    return rebuilt, sorted(read & set(staged_dates))


def _recomputed_sessions(
    build: CuratedBuild, events_df: DataFrame, ids_df: DataFrame, rebuilt: list[str]
) -> DataFrame:
    """fact_sessions rows of the rebuilt dates: the sessions with a changed event (`ids_df`)
    aggregated again from all their events, the date's other sessions kept as they were.

    Every event of such a session is among the dates read (see _session_dates), and it
    starts on a rebuilt date: a session seen before starts where it did (a rebuilt date) or
    earlier, on the date of a changed event; a new one starts on a changed date. The other
    sessions of those dates had no event added, so their rows stand.
    """
    recomputed_df = build_fact_sessions(events_df.join(ids_df, "session_id", "left_semi"))
    kept_df = build.previous_table("fact_sessions", recomputed_df.schema, rebuilt).join(
        ids_df, "session_id", "left_anti"
    )
    return kept_df.unionByName(recomputed_df).select(*recomputed_df.columns)


_FACT_SESSIONS_SCHEMA = StructType(
    [
        StructField("session_key", LongType()),
        StructField("ended_at", STAGED_SCHEMA["event_at"].dataType),
        StructField("session_date", DateType()),
    ]
)


def run_model(spark: SparkSession, args: ModelArgs) -> ModelResult:
    """Rebuild what changed, check it, publish it; DataQualityError when an error rule fails."""
    started = time.perf_counter()
    result = ModelResult(run_id=args.run_id)
    staged_zone, _ = tablestore.split_table_path(args.staged_path)
    staged = tablestore.load(spark, staged_zone)
    published = tablestore.load(spark, args.curated_path)
    plan = plan_model(staged, published, args)
    result.mode = "full" if plan.full else ("incremental" if plan.dates else "up_to_date")
    result.reason = plan.reason
    if not plan.full and not plan.dates:
        result.seconds = round(time.perf_counter() - started, 3)
        return result
    build = CuratedBuild(spark, args, {**published, "tables": {}} if plan.full else published)
    staged_dates = tablestore.partition_values(staged, STAGED_TABLE)

    def staged_events(values: list[str] | None) -> DataFrame:
        return tablestore.read_table(
            spark, staged_zone, staged, STAGED_TABLE, STAGED_SCHEMA, values
        )

    # Event dates with changed events (their purchases and product versions are redone),
    # and session start dates rebuilt (those plus the starts of sessions the changes extend).
    changed = staged_dates if plan.full else plan.dates
    changed_df = staged_events(None if plan.full else changed)
    first, last = (_day(staged_dates[0]), _day(staged_dates[-1])) if staged_dates else (None, None)

    # Independent tables are written concurrently: Spark runs one table's tasks while the
    # driver plans another's (or finds the sessions to rebuild) or a stage waits for its
    # last task, so the cores stay busy. A task only waits for tasks submitted before it, so
    # the pool cannot deadlock.
    cached: list[DataFrame] = []
    with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="model") as pool:
        purchases = pool.submit(  # a purchase depends on its event alone
            build.write, "fact_purchases", build_fact_purchases(changed_df), changed
        )
        products = pool.submit(write_products, build, changed_df, plan.full)
        calendar = pool.submit(build.write, "dim_time", build_dim_time(spark, first, last))
        if plan.full:
            rebuilt, events_df = staged_dates, changed_df
            new_sessions_df = build_fact_sessions(events_df)
        else:
            ids_df = changed_df.select("session_id").distinct()
            ids_df = ids_df.persist(StorageLevel.MEMORY_AND_DISK)  # read by every join below
            cached.append(ids_df)
            few_sessions = ids_df.count() <= BROADCAST_ROWS  # usually: a day's sessions
            if few_sessions:  # joined with broadcast ids: events and tables are not shuffled
                ids_df = F.broadcast(ids_df)
            # The same sessions by session_key (their ids' hash): the whole-table probes
            # and dim_user's fold compare 8-byte keys, not 36-byte ids.
            keys_df = ids_df.select(surrogate_key("session_id").alias("session_key"))
            keys_df = F.broadcast(keys_df) if few_sessions else keys_df
            rebuilt, read_dates = _session_dates(build, keys_df, changed, staged_dates)
            events_df = staged_events(read_dates)
            new_sessions_df = _recomputed_sessions(build, events_df, ids_df, rebuilt)
        result.dates_rebuilt = rebuilt
        in_rebuilt = None if plan.full else rebuilt
        replaced = staged_dates if plan.full else rebuilt

        def only_rebuilt(table_df: DataFrame, column: str) -> DataFrame:
            if in_rebuilt is None:
                return table_df
            return table_df.where(_isin_dates(column, rebuilt))

        staged_rows = pool.submit(events_df.count)
        sessions = pool.submit(build.write, "fact_sessions", new_sessions_df, replaced)

        def users() -> None:
            if plan.full:
                build.write("dim_user", build_dim_user(sessions.result()))
            else:
                dim_user(build, sessions.result(), keys_df, rebuilt, few_sessions)

        def daily() -> None:
            new_sessions_df = only_rebuilt(sessions.result(), "session_date")  # not re-aggregated
            summary_df = daily_summary(
                build, calendar.result(), events_df, new_sessions_df, purchases.result(), in_rebuilt
            )
            build.write("fact_daily_summary", summary_df)

        def monthly() -> None:
            summary_df = build_fact_monthly_summary(calendar.result(), purchases.result())
            build.write("fact_monthly_summary", summary_df)

        later = [pool.submit(users), pool.submit(daily), pool.submit(monthly)]
        checks = Checks(
            build,
            args,
            published,
            None if plan.full else {"fact_purchases": changed, "fact_sessions": rebuilt},
        )
        # dim_user is written last (after the sessions): the rules that do not read it run
        # while it is built, the others as soon as it is written. Both wait only for tasks
        # submitted before them, so the pool cannot deadlock.
        early_rules = [rule for rule in RULES if not reads(rule, "dim_user")]
        late_rules = [rule for rule in RULES if reads(rule, "dim_user")]

        def early_checks() -> list[Row]:
            for task in [purchases, products, calendar, sessions, *later[1:]]:
                task.result()
            return checks.run(early_rules)

        def late_checks() -> list[Row]:
            later[0].result()
            return checks.run(late_rules)

        early, late = pool.submit(early_checks), pool.submit(late_checks)
        for task in [purchases, products, calendar, staged_rows, sessions, *later, early, late]:
            task.result()  # re-raises the first failure here
    result.staged_rows = staged_rows.result()
    for frame in cached:
        frame.unpersist()
    rows = early.result() + late.result()
    publish_checked(spark, args, build, staged, published, result, checks, rows)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def write_products(build: CuratedBuild, events_df: DataFrame, full: bool) -> None:
    """product_state and category_state (the rebuilt dates folded into the previous state
    unless `full`), then dim_product and dim_category from them."""
    versions_df = product_versions(events_df).persist(StorageLevel.MEMORY_AND_DISK)
    products_df, categories_df = product_state(versions_df), category_state(versions_df)
    if not full:  # fold the rebuilt dates into the previous state (exact: max / min)
        products_df = merge_product_state(
            build.previous_table("product_state", products_df.schema).unionByName(products_df)
        )
        categories_df = merge_category_state(
            build.previous_table("category_state", categories_df.schema).unionByName(categories_df)
        )
    products_df = build.write("product_state", products_df)
    categories_df = build.write("category_state", categories_df)
    versions_df.unpersist()
    build.write("dim_product", build_dim_product(products_df))
    build.write("dim_category", build_dim_category(categories_df))


def dim_user(
    build: CuratedBuild,
    sessions_df: DataFrame,
    keys_df: DataFrame,
    rebuilt: list[str],
    few_sessions: bool,
) -> None:
    """dim_user of an incremental run: the previous rows folded with the sessions aggregated
    again (their keys: `keys_df`), as they were and as they are (see fold_dim_user); the few
    users that cannot be folded are aggregated again from all their sessions
    (update_dim_user). A session sharing a changed one's key is taken too, as it was and as
    it is: unchanged, its terms cancel out."""
    removed_df = build.previous_table("fact_sessions", sessions_df.schema, rebuilt)
    removed_df = removed_df.join(keys_df, "session_key", "left_semi")
    added_df = sessions_df.where(_isin_dates("session_date", rebuilt))
    added_df = added_df.join(keys_df, "session_key", "left_semi")
    # Each is read three times by the fold (pairs, terms, users): kept, not re-read and
    # re-joined with the ids each time (a broadcast job per use).
    cached = [frame.persist(StorageLevel.MEMORY_AND_DISK) for frame in (removed_df, added_df)]
    previous_df = build.previous_table("dim_user", build_dim_user(sessions_df).schema)
    folded_df, irregular_df = fold_dim_user(previous_df, *cached, few_sessions, "session_key")
    irregular_df = irregular_df.persist(StorageLevel.MEMORY_AND_DISK)
    if irregular_df.take(1):  # usually none: then no session outside the rebuilt ones is read
        folded_df = update_dim_user(folded_df, sessions_df, irregular_df)
    build.write("dim_user", folded_df)
    for frame in [irregular_df, *cached]:
        frame.unpersist()


def daily_summary(
    build: CuratedBuild,
    time_df: DataFrame,
    events_df: DataFrame,
    new_sessions_df: DataFrame,
    purchases_df: DataFrame,
    rebuilt: list[str] | None,
) -> DataFrame:
    """fact_daily_summary: rebuilt dates and new calendar days computed, other days kept."""
    if rebuilt is None:
        return build_fact_daily_summary(time_df, events_df, new_sessions_df, purchases_df)
    schema = build_fact_daily_summary(time_df, events_df, new_sessions_df, purchases_df).schema
    kept_df = build.previous_table("fact_daily_summary", schema).where(
        ~_isin_dates("summary_date", rebuilt)
    )
    fresh_days_df = time_df.join(
        kept_df.select(F.col("summary_date").alias("calendar_date")), "calendar_date", "left_anti"
    )
    fresh_df = build_fact_daily_summary(
        fresh_days_df,
        events_df.where(_isin_dates("event_date", rebuilt)),
        new_sessions_df,
        purchases_df.where(_isin_dates("purchase_date", rebuilt)),
    )
    return kept_df.unionByName(fresh_df)


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
        args: ModelArgs,
        published: Snapshot,
        rebuilt: dict[str, list[str]] | None,
    ) -> None:
        self.build = build
        self.args = args
        self.rebuilt = rebuilt
        self.previous_counts = {
            name: int(entry["rows"])
            for name, entry in published["tables"].items()
            if "rows" in entry
        }
        self.reference_date = args.reference_date or datetime.now(UTC).date()
        self.evaluated_at = datetime.now(UTC).replace(microsecond=0)
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def table_rows(self, name: str) -> int:
        """Rows of a table in the new publication: as written, or for a fact an
        incremental run rewrote only some partitions of, counted (once)."""
        if self.rebuilt is not None and name in PARTITIONS:
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
        frames = {name: frame for name, frame in build.frames.items() if name not in STATE_TABLES}
        subsets = {}
        if self.rebuilt is not None:  # incremental: a fact's kept partitions passed before
            for name, column in PARTITIONS.items():
                if name in frames:
                    subsets[name] = frames[name].where(_isin_dates(column, self.rebuilt[name]))
        facts = [name for name in PARTITIONS if name in frames]
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


def reads(rule: Rule, table: str) -> bool:
    """True when evaluating `rule` reads `table`."""
    return table in (rule.table, rule.params.get("ref_table"))


def publish_checked(
    spark: SparkSession,
    args: ModelArgs,
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
    started = time.perf_counter()
    order = {(rule.table, rule.name): index for index, rule in enumerate(RULES)}
    rows = sorted(rows, key=lambda row: order[(row["table_name"], row["rule_name"])])
    frames = {name: frame for name, frame in build.frames.items() if name not in STATE_TABLES}
    result.dq_results = [
        {**row.asDict(), "evaluated_at": row["evaluated_at"].isoformat()} for row in rows
    ]
    for name in frames:
        result.tables[name] = checks.table_rows(name)
    results_df = tablestore.read_table(
        spark, args.curated_path, published, DQ_RESULTS, RESULT_SCHEMA
    ).unionByName(spark.createDataFrame(rows, RESULT_SCHEMA))
    failures = failures_among(rows)
    target = build if not failures else CuratedBuild(spark, args, published)
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
        "model_version": MODEL_VERSION,
        "failed_run": None,
    }
    tablestore.publish(spark, args.curated_path, document, args.run_id)
    tablestore.vacuum(spark, args.curated_path)
    result.published = True
