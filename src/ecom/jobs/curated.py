"""The curated zone's build: what the model job rebuilds (its plan) and how a run writes
new table versions that form the next publication.

Shared by every source's star schema (`ecom.jobs.star_*`): a star declares its tables,
partitions and rules (`Star`), and writes its tables through `CuratedBuild.write`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame, Observation, SparkSession
from pyspark.sql.types import StructType

from ecom.errors import InvalidArgumentError
from ecom.models.segmentation import K_VALUES
from ecom.quality.checks import column_metrics
from ecom.quality.rules import Rule, rules_for
from ecom.runtime.metrics import observed_values
from ecom.storage import tablestore
from ecom.storage.staged import STAGED_TABLE
from ecom.storage.tablestore import Snapshot
from ecom.transforms.customers.labels import FOLDS


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
    # dim_time's fiscal year starts on the first day of this month (1 = January).
    fiscal_year_start_month: int = 1
    # Customer models: segmentation needs this many customers (fewer make k-means segments
    # of a handful of customers each: noise, not segments).
    segment_min_customers: int = 100
    # Churn and CLV: the horizon in days, and the churn probabilities from which a customer's
    # risk is medium and high.
    horizon_days: int = 90
    risk_medium: float = 0.4
    risk_high: float = 0.7
    # The seed of every model (k-means, folds, learners): same data, same results.
    model_seed: int = 42
    # Churn and CLV: the folds of the out-of-fold evaluation (5: FOLDS), and the k values the
    # segmentation sweeps (2..8: K_VALUES). Jobs keep the defaults; the tests pass fewer
    # where they check what a run does with them, not the models' quality at full strength.
    churn_folds: int = FOLDS
    segment_k_values: tuple[int, ...] = K_VALUES

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start_month <= 12:
            raise InvalidArgumentError(
                f"--fiscal-year-start-month {self.fiscal_year_start_month}: expected 1..12"
            )
        if self.horizon_days < 1:
            raise InvalidArgumentError(f"--horizon-days {self.horizon_days}: expected >= 1")
        if self.churn_folds < 2:
            raise InvalidArgumentError(f"churn folds {self.churn_folds}: expected >= 2")
        if not self.segment_k_values or min(self.segment_k_values) < 2:
            raise InvalidArgumentError(
                f"segment k values {self.segment_k_values}: expected one or more, each >= 2"
            )
        if not 0 < self.risk_medium < self.risk_high < 1:
            raise InvalidArgumentError(
                f"risk thresholds {self.risk_medium} / {self.risk_high}: "
                "expected 0 < medium < high < 1"
            )


@dataclass
class ModelResult:
    """What one model run did: its plan, rows per table, data-quality results, timings."""

    run_id: str
    source: str = ""
    mode: str = "up_to_date"  # full | incremental | up_to_date
    reason: str = ""
    dates_rebuilt: list[str] = field(default_factory=list)
    staged_rows: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    table_seconds: dict[str, float] = field(default_factory=dict)
    dq_results: list[dict[str, Any]] = field(default_factory=list)
    # Customer models: stage → its report (status done / skipped, reason, figures).
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
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


@dataclass(frozen=True)
class Star:
    """One source's star schema as the model job builds it.

    `build(build, plan, staged)` writes every table of the run (through `build.write`) and
    returns (staged rows read, session/event dates rebuilt); it also evaluates the rules.
    """

    source: str
    tables: tuple[str, ...]
    partitions: dict[str, str]
    rules: list[Rule]
    # The layout version of the tables: a lake published with another is rebuilt whole.
    model_version: int
    # Model state kept beside the tables, not registered in any catalog.
    state_tables: tuple[str, ...] = ()
    # Unpartitioned tables with about one row per entity: written by many tasks.
    large_tables: tuple[str, ...] = ()
    build: Callable[..., Any] | None = None


def day(text: str) -> date:
    return date.fromisoformat(text)


def isin_dates(column: str, days: list[str]) -> Column:
    """`column` (a date) is one of `days` (ISO strings)."""
    return F.col(column).isin([day(value) for value in days])


def _check_range(args: ModelArgs) -> tuple[date, date] | None:
    if args.date_from is None and args.date_to is None:
        return None
    try:
        start = day(args.date_from) if args.date_from else date.min
        end = day(args.date_to) if args.date_to else date.max
    except ValueError as error:
        raise InvalidArgumentError(f"--from/--to: {error} (expected YYYY-MM-DD)") from None
    if start > end:
        raise InvalidArgumentError(f"--from {args.date_from} is after --to {args.date_to}")
    return start, end


def plan_model(staged: Snapshot, curated: Snapshot, args: ModelArgs, star: Star) -> ModelPlan:
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
    if curated.get("model_version") != star.model_version:
        version = curated.get("model_version", 1)
        return ModelPlan(True, staged_dates, f"the curated tables have layout {version}")
    if (curated.get("source") or "clickstream") != star.source:
        return ModelPlan(True, staged_dates, f"the curated tables hold {curated.get('source')}")
    if any(name not in curated["tables"] for name in star.state_tables):
        return ModelPlan(True, staged_dates, "the model state is missing")
    if built_from.get("epoch") != staged.get("epoch"):
        return ModelPlan(True, staged_dates, "the staged events were rebuilt")
    generation = int(built_from.get("generation", 0))
    changes = [c for c in staged.get("changes", []) if int(c["generation"]) > generation]
    expected = int(staged.get("generation", 0)) - generation
    if len(changes) != expected:
        return ModelPlan(True, staged_dates, "staged changes since the last publication unknown")
    dates = {value for change in changes for value in change["dates"]}
    reason = f"{len(changes)} staged change(s)"
    if window is not None:
        dates |= {value for value in staged_dates if window[0] <= day(value) <= window[1]}
        reason += f", backfill {args.date_from or '…'} to {args.date_to or '…'}"
    return ModelPlan(False, sorted(dates & set(staged_dates)), reason)


class CuratedBuild:
    """One run's new versions of the curated tables, and the publication they will form."""

    def __init__(
        self, spark: SparkSession, args: ModelArgs, previous: Snapshot, star: Star
    ) -> None:
        self.spark = spark
        self.args = args
        self.zone = args.curated_path
        self.run_id = args.run_id
        self.previous = previous
        self.star = star
        self.tables: dict[str, dict[str, Any]] = {
            name: dict(entry) for name, entry in previous["tables"].items()
        }
        self.seconds: dict[str, float] = {}
        self.frames: dict[str, DataFrame] = {}
        # Customer models: stage → its report entry (see ModelResult.models).
        self.models: dict[str, dict[str, Any]] = {}
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
        partition = self.star.partitions.get(name)
        rules = rules_for(name, self.star.rules)
        observation = Observation(f"dq_{name}")
        if rules:  # the column rules are measured on the way out: no scan of their own
            metrics = column_metrics(rules, table_df.columns)
            kinds = {name: kind for name, _, kind in metrics}
            table_df = table_df.observe(observation, *[metric for _, metric, _ in metrics])
        arranged_df = table_df.repartition(partition) if partition else table_df
        entry = tablestore.write_version(
            self.spark,
            self.zone,
            name,
            self.run_id,
            arranged_df,
            partition,
            one_file=name not in self.star.large_tables,
        )
        if partition and replaced is not None:
            stray = sorted(set(entry["partitions"]) - set(replaced))
            if stray:  # it would replace a partition whole with a few of its rows
                raise RuntimeError(f"{name}: rows for {stray}, outside the partitions rebuilt")
        measured = observed_values(observation, kinds) if rules else None
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
