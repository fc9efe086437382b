"""The local dashboard's data: spec visuals → parameterised DuckDB queries on the lake.

Every query is built from the validated spec, resolved for the lake's source (the source
its local catalog records): view and column names come only from the spec (checked against
the engine's schema, then quoted), while everything a user chooses (dates, categories,
brands) is bound as a DuckDB parameter, never pasted into the SQL. The views are the Athena
views of the lake's source, created by `LocalEngine`, which also maps the catalog tables (the
star schema and `dq_results`). The local-only data-quality sources are the run reports (JSON)
and the quarantined rows of the runs the staged publication holds (`quarantine_runs`), so a
killed run's leftovers never count; which tables exist comes from the curated publication
and the local catalog, never from listing folders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ecom.dashboard.spec import band_column, bands, for_source, measure_alias
from ecom.storage import published, runreports
from ecom.storage.lake import CATALOG_TABLES

RUN_REPORT_COLUMNS = (
    "run_id",
    "finished_at",
    "rows_read",
    "rows_staged",
    "rows_quarantined",
    "duplicates_dropped",
    "seconds",
)
_AGGREGATES = {"sum": "sum", "count": "count", "avg": "avg", "min": "min", "max": "max"}
# pandas dtypes of the declared QuickSight column types, for a catalog table not written yet.
_EMPTY_DTYPES = {
    "STRING": "object",
    "INTEGER": "int64",
    "DECIMAL": "float64",
    "DATETIME": "datetime64[us, UTC]",
    "BOOLEAN": "bool",
}


def quote(name: str) -> str:
    """A DuckDB identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Selection:
    """What the user picked in the filter bar; empty means everything."""

    date_from: date | None = None
    date_to: date | None = None
    values: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class BoundQuery:
    """SQL with `?` placeholders and the values bound to them."""

    sql: str
    params: list[Any]


def has_curated_tables(lake_root: str | Path) -> bool:
    """True when the curated publication names every table of the lake's source's star."""
    return published.has_curated_tables(lake_root)


def quarantine_files(lake_root: str | Path) -> list[Path]:
    """The Parquet files of the quarantined rows the staged publication holds: those of its
    `quarantine_runs` (a killed or superseded run's rows are not the lake's)."""
    files: list[Path] = []
    for folder in published.quarantine_folders(lake_root):
        parquet = Path(folder).glob("*.parquet")
        files += sorted(path for path in parquet if not path.name.startswith(("_", ".")))
    return files


def load_run_reports(lake_root: str | Path) -> pd.DataFrame:
    """One row per run (run_id, finished_at, row counts, seconds), oldest first."""
    rows = [runreports.run_summary(report) for report in runreports.load_runs(lake_root)]
    frame = pd.DataFrame(rows, columns=list(RUN_REPORT_COLUMNS))
    frame["finished_at"] = pd.to_datetime(frame["finished_at"], utc=True)
    return frame.sort_values("finished_at", kind="stable").reset_index(drop=True)


def model_stages(lake_root: str | Path) -> dict[str, dict[str, Any]]:
    """The customer-model stages of the latest run report (stage → {"status", "reason", ...});
    empty when no run reported them."""
    latest: dict[str, Any] = {}
    for report in runreports.load_runs(lake_root):
        if report.get("models") and str(report.get("finished_at", "")) >= str(
            latest.get("finished_at", "")
        ):
            latest = report
    return dict(latest.get("models", {}))


def _conditions(
    spec: Mapping[str, Any], visual: Mapping[str, Any], selection: Selection
) -> tuple[list[str], list[Any]]:
    """The visual's fixed `where` and `latest`, then the user's filters, with their values."""
    source = visual["source"]
    conditions: list[str] = []
    params: list[Any] = []
    for column, value in visual.get("where", {}).items():
        conditions.append(f"{quote(column)} = ?")
        params.append(value)
    for measure in visual.get("evaluation", []):  # no score without its evaluation
        conditions.append(f"{quote(measure['column'])} is not null")
    if latest := visual.get("latest"):
        column, by = quote(latest["column"]), quote(latest["by"])
        conditions.append(
            f"{column} = (select {column} from {quote(source)} group by {column} "
            f"order by max({by}) desc limit 1)"
        )
    for spec_filter in spec["filters"]:
        column = spec_filter["columns"].get(source)
        if column is None:
            continue
        if spec_filter["type"] == "date_range":
            if selection.date_from is not None:
                conditions.append(f"cast({quote(column)} as date) >= ?")
                params.append(selection.date_from)
            if selection.date_to is not None:
                conditions.append(f"cast({quote(column)} as date) <= ?")
                params.append(selection.date_to)
        elif chosen := list(selection.values.get(spec_filter["id"], [])):
            conditions.append(f"{quote(column)} in ({', '.join('?' for _ in chosen)})")
            params.extend(chosen)
    return conditions, params


def _measure_sql(measure: Mapping[str, Any]) -> str:
    """A measure's select item; `share` and `ratio` divide sums of the rows the filters kept
    (the total over every group: a window over the grouped sums)."""
    column, agg = quote(measure["column"]), measure["agg"]
    if agg == "none":
        expression = column
    elif agg == "share":
        expression = f"cast(sum({column}) as double) / nullif(sum(sum({column})) over (), 0)"
    elif agg == "ratio":
        expression = f"cast(sum({column}) as double) / nullif(sum({quote(measure['per'])}), 0)"
    else:
        expression = f"{_AGGREGATES[agg]}({column})"
    return f"{expression} as {quote(measure_alias(measure))}"


def group_columns(visual: Mapping[str, Any]) -> list[str]:
    """The columns a visual's aggregated measures are grouped by: its dimensions, or a
    table's `none` columns (none when no measure is aggregated)."""
    if all(m["agg"] == "none" for m in visual["measures"]):
        return []
    if visual["type"] == "table":
        return [m["column"] for m in visual["measures"] if m["agg"] == "none"]
    return [d["column"] for d in visual.get("dimensions", [])]


def build_query(
    spec: Mapping[str, Any], visual: Mapping[str, Any], selection: Selection
) -> BoundQuery:
    """One visual's query: dimensions, aggregated measures (and tooltip measures), the bound
    filters, sort, limit; a histogram's counts per band."""
    if visual["type"] == "histogram":
        return _histogram_query(spec, visual, selection)
    source = visual["source"]
    dimensions = [d["column"] for d in visual.get("dimensions", [])]
    selects = [quote(column) for column in dimensions]
    extra = [*visual.get("tooltip", []), *visual.get("evaluation", [])]
    selects += [_measure_sql(m) for m in [*visual["measures"], *extra]]
    conditions, params = _conditions(spec, visual, selection)
    sql = f"select {', '.join(selects)} from {quote(source)}"
    if conditions:
        sql += " where " + " and ".join(conditions)
    if groups := group_columns(visual):
        sql += " group by " + ", ".join(quote(column) for column in groups)
    order = []
    if sort := visual.get("sort"):
        order.append(f"{quote(sort['column'])} {'desc' if sort.get('descending') else 'asc'}")
    order += [quote(column) for column in order_dimensions(visual)]
    if visual["type"] == "table":  # then by its columns, left to right: a stable listing
        ordered = {visual.get("sort", {}).get("column")}
        order += [quote(m) for m in map(measure_alias, visual["measures"]) if m not in ordered]
    if order:
        sql += " order by " + ", ".join(order)
    if "limit" in visual:
        sql += f" limit {int(visual['limit'])}"
    return BoundQuery(sql, params)


def _histogram_query(
    spec: Mapping[str, Any], visual: Mapping[str, Any], selection: Selection
) -> BoundQuery:
    """Rows counted per band of the binned column, in band order (empty bands left out)."""
    column = quote(visual["bins"]["column"])
    every = bands(spec, visual)
    label_cases = " ".join(f"when {column} < ? then ?" for _ in every[:-1])
    order_cases = " ".join(f"when {column} < ? then ?" for _ in every[:-1])
    label_params: list[Any] = [v for b in every[:-1] for v in (b.upper, b.label)]
    order_params: list[Any] = [v for b in every[:-1] for v in (b.upper, b.index)]
    label = f"case {label_cases} else ? end"
    band_order = f"case {order_cases} else ? end"
    conditions, params = _conditions(spec, visual, selection)
    conditions.insert(0, f"{column} is not null")
    sql = (
        f"select {label} as {quote(band_column(visual))}, {_measure_sql(visual['measures'][0])} "
        f"from {quote(visual['source'])} where {' and '.join(conditions)} "
        f"group by 1 order by min({band_order})"
    )
    return BoundQuery(
        sql,
        [*label_params, every[-1].label, *params, *order_params, every[-1].index],
    )


def order_dimensions(visual: Mapping[str, Any]) -> list[str]:
    """Dimensions in display order. A `sort` dimension orders the colours when the visual has
    a colour dimension (x first: months, then weekdays Monday → Sunday), else the x values
    themselves (LTV tiers Low → VIP, not alphabetically)."""
    dims = visual.get("dimensions", [])
    has_color = any(d.get("role") == "color" for d in dims)
    rank = (
        {"x": 0, "y": 1, "sort": 2, "color": 3}
        if has_color
        else {"sort": 0, "x": 1, "y": 2, "color": 3}
    )
    return [d["column"] for d in sorted(dims, key=lambda d: rank.get(d.get("role", "x"), 4))]


class DashboardData:
    """The lake's views and data-quality sources on one LocalEngine, queried per visual.

    `spec` is the whole spec (or one already resolved for the lake's source); `self.spec` is
    the spec of the lake's source: its sheets alone, so a sheet the lake has no data for is
    not shown at all.
    """

    def __init__(
        self, lake_root: str | Path, spec: Mapping[str, Any], *, threads: int | None = None
    ):
        from ecom.query.local import LocalEngine

        self.lake_root = str(lake_root)
        self.engine = LocalEngine(self.lake_root, threads=threads)
        self.source = self.engine.source
        self.spec = for_source(spec, self.source)
        self.connection = self.engine.connection
        self.model_stages = model_stages(self.lake_root)
        self.connection.register("dq_run_reports", load_run_reports(self.lake_root))
        self._register_quarantine()
        self._register_missing_tables()

    def _register_quarantine(self) -> None:
        if files := quarantine_files(self.lake_root):  # what the publication holds
            relation = self.connection.read_parquet(
                [str(path) for path in files], hive_partitioning=True
            )
            relation.select("ingest_run_id, reason").create_view("dq_quarantine")
        else:
            empty = pd.DataFrame(
                {"ingest_run_id": pd.Series(dtype=str), "reason": pd.Series(dtype=str)}
            )
            self.connection.register("dq_quarantine", empty)

    def _register_missing_tables(self) -> None:
        """An empty frame for a dataset that is a catalog table the lake lacks (dq_results
        before the first model run that writes it), so its visuals show no rows."""
        present = set(self.engine.catalog["tables"])
        for name, columns in self.spec["datasets"].items():
            if name in CATALOG_TABLES and name not in present:
                series = {c: pd.Series(dtype=_EMPTY_DTYPES[kind]) for c, kind in columns.items()}
                self.connection.register(name, pd.DataFrame(series))

    def run(self, query: BoundQuery) -> pd.DataFrame:
        """Execute a bound query; the result as a DataFrame."""
        return self.connection.execute(query.sql, query.params).df()

    def visual(self, visual: Mapping[str, Any], selection: Selection | None = None) -> pd.DataFrame:
        """The data of one visual of the spec under the current filter selection."""
        return self.run(build_query(self.spec, visual, selection or Selection()))

    def filter_options(self, spec_filter: Mapping[str, Any]) -> list[str]:
        """Distinct values of a `values` filter's columns, sorted."""
        options: set[str] = set()
        for view, column in spec_filter["columns"].items():
            name = quote(column)
            sql = f"select distinct {name} from {quote(view)} where {name} is not null"
            options.update(str(row[0]) for row in self.connection.execute(sql).fetchall())
        return sorted(options)

    def date_bounds(self) -> tuple[date | None, date | None]:
        """The earliest and latest date the date-range filter's columns hold."""
        spec_filter = next((f for f in self.spec["filters"] if f["type"] == "date_range"), None)
        if spec_filter is None:
            return None, None
        lows, highs = [], []
        for view, column in spec_filter["columns"].items():
            day = f"cast({quote(column)} as date)"
            sql = f"select min({day}), max({day}) from {quote(view)}"
            low, high = self.connection.execute(sql).fetchone()
            if low is not None:
                lows.append(low)
                highs.append(high)
        return (min(lows), max(highs)) if lows else (None, None)

    def close(self) -> None:
        self.engine.close()
