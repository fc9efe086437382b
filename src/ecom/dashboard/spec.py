"""The dashboard spec: sheets → visuals → the view, table or local source each reads.

`load_spec()` reads `dashboards/spec.json` and validates its structure. A lake holds one raw
source, so the spec has two layers, like sql/views: `datasets` are the views and tables every
source has (with the QuickSight type of each column the dashboard uses), `source_datasets`
`{source: {view: columns}}` what one source alone has or has with other columns (each
source's `kpi_summary`, `daily_kpis`, ...). A sheet names the `sources` it is shown for
(absent: every source). `for_source(spec, source)` resolves the spec for one source: its
datasets, the sheets shown for it, the filters that reach its datasets, and its currency
(`{currency}` in a title or an axis title becomes the source's code). Both renderers, the
QuickSight definition and the local dashboard, read a resolved spec only, so a sheet whose
data a source lacks is absent from both rather than shown empty.

A measure aggregates its column (`agg`: sum, count, avg, min, max; none: as it is), or
derives a ratio after the filters: `share` of the column's total over the rows kept,
`ratio` of its sum to the sum of `per` (average spend = revenue per customer), so that a view
of additive measures serves any filter.

Visual options beyond type, source, dimensions and measures: `where` (column = value),
`sort`, `limit`, `orientation`, `axes` ({"x": title of the x dimension's axis, "y": title of
the value axis, or of the y dimension's on a heatmap}: required on every chart with axes),
`tooltip` (more measures shown on hover), `model_stage` (the stage of the run report's
`models` whose skip reason an empty panel shows), `evaluation` (a score panel's model
metrics: shown beside it, and a row without them is not shown), `bins` (a histogram's
column and the edges of its bands) and `latest` ({"column": "run_id", "by":
"evaluated_at"}: only the rows of the `column` value with the greatest `by`, e.g. the
latest run). A `table` visual lists its measures as columns: with agg `none` only, the rows
as they are; its `none` columns first, then aggregated ones: one row per group of the `none`
columns. `check_against_schema()` checks the declarations against the columns a query engine
actually has (the tests run it on the local engine, for each source).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any

from ecom.dashboard.specdata import (
    AGGREGATIONS,
    AXIS_KINDS,
    COLUMN_TYPES,
    CURRENCY_PLACEHOLDER,
    DERIVED_AGGREGATIONS,
    FILTER_TYPES,
    FORMATS,
    IMPORT_MODES,
    SHEET_KINDS,
    SOURCES,
    Band,
    SpecError,
    band_column,
    bands,
    check_against_schema,
    datasets_of,
    is_local_source,
    measure_alias,
    shows_sheet,
    source_columns,
    visuals,
)
from ecom.storage.lake import catalog_tables

__all__ = [
    "AXIS_KINDS",
    "SOURCES",
    "Band",
    "SpecError",
    "band_column",
    "bands",
    "check_against_schema",
    "datasets_of",
    "for_source",
    "is_local_source",
    "load_spec",
    "measure_alias",
    "require_source",
    "shows_sheet",
    "source_columns",
    "validate_spec",
    "visuals",
]


def default_spec_path() -> Path:
    """dashboards/spec.json of the project folder."""
    from ecom.aws.config import repo_root

    return repo_root() / "dashboards" / "spec.json"


def load_spec(path: str | Path | None = None) -> dict[str, Any]:
    """Read and validate the spec (default: dashboards/spec.json); every source in it."""
    path = Path(path) if path else default_spec_path()
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"no dashboard spec at {path}") from None
    except json.JSONDecodeError as error:
        raise SpecError(f"{path}: not valid JSON: {error}") from None
    validate_spec(spec, view_names=view_names_by_source())
    return spec


def view_names_by_source() -> dict[str, set[str]]:
    """The views of sql/views each source has."""
    from ecom.catalog.ddl import view_files

    return {source: set(view_files(source=source)) for source in SOURCES}


def for_source(spec: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The spec of one source: its datasets, sheets and filters, `{currency}` filled in.

    What both renderers read. Resolving an already resolved spec for its own source returns
    it unchanged; for another source it is an error.
    """
    if "source" in spec:
        if spec["source"] != source:
            raise SpecError(f"dashboard spec: resolved for {spec['source']}, not {source}")
        return dict(spec)
    if source not in SOURCES:
        raise SpecError(f"dashboard spec: unknown source {source!r} (one of {', '.join(SOURCES)})")
    datasets = datasets_of(spec, source)
    currency = str(spec["currency"][source])
    filters = []
    for spec_filter in spec["filters"]:
        columns = {
            view: column
            for view, column in spec_filter["columns"].items()
            if column in datasets.get(view, {})
        }
        if columns:
            filters.append({**spec_filter, "columns": columns})
    sheets = [
        _with_currency(sheet, currency) for sheet in spec["sheets"] if shows_sheet(sheet, source)
    ]
    resolved = {
        key: value
        for key, value in spec.items()
        if key not in ("datasets", "source_datasets", "filters", "sheets", "currency")
    }
    return {
        **resolved,
        "source": source,
        "currency": currency,
        "datasets": datasets,
        "filters": filters,
        "sheets": sheets,
    }


def require_source(spec: Mapping[str, Any]) -> str:
    """The source of a resolved spec; SpecError for a spec not resolved by `for_source`."""
    if "source" not in spec:
        raise SpecError("dashboard spec: resolve it for the lake's source first (for_source)")
    return str(spec["source"])


def _with_currency(sheet: Mapping[str, Any], currency: str) -> dict[str, Any]:
    def fill(text: str) -> str:
        return text.replace(CURRENCY_PLACEHOLDER, currency)

    visuals_out = []
    for visual in sheet["visuals"]:
        filled = {**visual, "title": fill(visual["title"])}
        if "axes" in visual:
            filled["axes"] = {axis: fill(title) for axis, title in visual["axes"].items()}
        visuals_out.append(filled)
    return {**sheet, "visuals": visuals_out}


def _fail(where: str, message: str) -> None:
    raise SpecError(f"dashboard spec: {where}: {message}")


def _validate_fields(
    where: str, source: str, columns: Mapping[str, str], fields: list[Mapping[str, Any]]
) -> None:
    for field in fields:
        if field["column"] not in columns:
            _fail(where, f"column {field['column']!r} is not declared for {source}")
        if field.get("format", "number") not in FORMATS:
            _fail(where, f"format {field['format']!r} is not one of {', '.join(FORMATS)}")
        is_date_dimension = field.get("format") in ("date", "month") and "agg" not in field
        if is_date_dimension and columns[field["column"]] != "DATETIME":
            _fail(where, f"{field['column']!r} is not a DATETIME column: no {field['format']}")


def _validate_measures(where: str, measures: list[Mapping[str, Any]]) -> list[str]:
    for measure in measures:
        if measure.get("agg") not in AGGREGATIONS:
            _fail(where, f"aggregation must be one of {', '.join(AGGREGATIONS)}")
    return [measure_alias(measure) for measure in measures]


def _validate_visual(spec: Mapping[str, Any], where: str, visual: Mapping[str, Any]) -> None:
    kind = visual.get("type")
    if kind not in SHEET_KINDS:
        _fail(where, f"type must be one of {', '.join(SHEET_KINDS)}")
    source = visual.get("source")
    if source not in spec["datasets"] and not is_local_source(spec, source):
        _fail(where, f"source {source!r} is neither a declared dataset nor a local source")
    columns = source_columns(spec, source)
    measures = visual.get("measures") or []
    if not measures:
        _fail(where, "needs at least one measure")
    tooltip = visual.get("tooltip", [])
    evaluation = visual.get("evaluation", [])
    where_fields = [{"column": c} for c in visual.get("where", {})]
    where_fields += [{"column": m.get("per")} for m in measures if m.get("agg") == "ratio"]
    _validate_fields(
        where,
        source,
        columns,
        [*visual.get("dimensions", []), *measures, *tooltip, *evaluation, *where_fields],
    )
    names = _validate_measures(where, [*measures, *tooltip, *evaluation])
    _validate_derived(where, columns, measures, [*tooltip, *evaluation])
    _validate_model_options(where, columns, visual)
    if len(set(names)) != len(names):
        _fail(where, "measure names repeat")
    if kind == "kpi" and (visual.get("dimensions") or len(measures) != 1):
        _fail(where, "a kpi has exactly one measure and no dimensions")
    if kind == "donut" and len(measures) != 1:
        _fail(where, "a donut has exactly one measure")
    grouped = [m["agg"] == "none" for m in measures]
    if kind == "table" and (visual.get("dimensions") or grouped != sorted(grouped, reverse=True)):
        _fail(where, "a table lists its measures, no dimensions: agg none first, then aggregated")
    if kind == "histogram":
        _validate_bins(where, source, columns, visual)
    if kind in AXIS_KINDS:
        axes = visual.get("axes")
        if not isinstance(axes, Mapping) or not all(
            isinstance(axes.get(axis), str) and axes[axis].strip() for axis in ("x", "y")
        ):
            _fail(where, "a chart titles both its axes: axes {'x': ..., 'y': ...}")
    if "latest" in visual:
        _validate_latest(where, source, columns, visual["latest"])
    sort = visual.get("sort")
    known = {*names, *(d["column"] for d in visual.get("dimensions", []))}
    if sort and sort.get("column") not in known:
        _fail(where, f"sort column {sort.get('column')!r} is not a field of the visual")
    if "limit" in visual and not (isinstance(visual["limit"], int) and visual["limit"] > 0):
        _fail(where, "limit must be a positive integer")


def _validate_derived(where: str, columns: Mapping[str, str], measures: list, extra: list):
    """`share` and `ratio`: measures (not on hover) of numeric columns (`per` too)."""
    if any(m["agg"] in DERIVED_AGGREGATIONS for m in extra):
        _fail(where, "tooltip and evaluation measures are not share or ratio")
    for m in (m for m in measures if m["agg"] in DERIVED_AGGREGATIONS):
        numeric = [m["column"], *([m["per"]] if m["agg"] == "ratio" else [])]
        if any(columns[column] not in ("INTEGER", "DECIMAL") for column in numeric):
            _fail(where, f"{m['agg']} of {m['column']!r}: numeric columns only")


def _validate_model_options(
    where: str, columns: Mapping[str, str], visual: Mapping[str, Any]
) -> None:
    """`model_stage`: the run report's model stage that explains an empty panel;
    `evaluation`: numeric measures aggregated (not `none`) that must be present for a row to
    be shown (a score without its evaluation is not shown)."""
    stage = visual.get("model_stage")
    if stage is not None and not (isinstance(stage, str) and stage.strip()):
        _fail(where, "model_stage names a model stage of the run report, e.g. churn_clv")
    evaluation = visual.get("evaluation", [])
    if evaluation and (stage is None or visual["type"] in ("kpi", "table")):
        _fail(where, "evaluation needs a model_stage and a chart (not a kpi or a table)")
    for measure in evaluation:
        if measure["agg"] == "none" or columns[measure["column"]] not in ("INTEGER", "DECIMAL"):
            _fail(where, f"evaluation {measure['column']!r}: an aggregated numeric column")


def _validate_bins(
    where: str, source: str, columns: Mapping[str, str], visual: Mapping[str, Any]
) -> None:
    bins = visual.get("bins")
    if not isinstance(bins, Mapping) or set(bins) != {"column", "edges"}:
        _fail(where, "a histogram has bins {'column': ..., 'edges': [...]}")
    if columns.get(bins["column"]) not in ("INTEGER", "DECIMAL"):
        _fail(where, f"bins column {bins['column']!r} is not a numeric column of {source}")
    edges = bins["edges"]
    if (
        not isinstance(edges, list)
        or len(edges) < 2
        or not all(isinstance(edge, int | float) for edge in edges)
        or any(low >= high for low, high in pairwise(edges))
    ):
        _fail(where, "bins edges are at least two increasing numbers")
    if visual.get("dimensions") or len(visual["measures"]) != 1:
        _fail(where, "a histogram has one measure (what it counts) and no dimensions")
    if visual["measures"][0]["agg"] != "count":
        _fail(where, "a histogram counts: its measure's agg is count")


def _validate_latest(
    where: str, source: str, columns: Mapping[str, str], latest: Mapping[str, Any]
) -> None:
    if not isinstance(latest, Mapping) or set(latest) != {"column", "by"}:
        _fail(where, "latest is {'column': ..., 'by': ...}")
    for key in ("column", "by"):
        if latest[key] not in columns:
            _fail(where, f"latest {key} {latest[key]!r} is not declared for {source}")
    if columns[latest["by"]] != "DATETIME":
        _fail(where, f"latest by {latest['by']!r} must be a DATETIME column")


def _validate_datasets(spec: Mapping[str, Any], view_names: Mapping[str, set[str]]) -> None:
    if set(spec["source_datasets"]) != set(SOURCES):
        _fail("source_datasets", f"one entry per source: {', '.join(SOURCES)}")
    currency = spec["currency"]
    if not isinstance(currency, Mapping) or set(currency) != set(SOURCES):
        _fail("currency", f"one ISO code per source: {', '.join(SOURCES)}")
    for source in SOURCES:
        if not re.fullmatch(r"[A-Z]{3}", str(currency[source])):
            _fail(f"currency of {source}", "an ISO 4217 code such as USD")
        tables = catalog_tables(source)
        for view, columns in datasets_of(spec, source).items():
            if view not in view_names.get(source, set()) and view not in tables:
                _fail(f"dataset {view}", f"no such view nor table for {source}")
            for column, kind in columns.items():
                if kind not in COLUMN_TYPES:
                    types = ", ".join(COLUMN_TYPES)
                    _fail(f"dataset {view}.{column}", f"type must be one of {types}")
    for name in spec.get("local_sources", {}):
        shared = any(name in names for names in view_names.values())
        if (
            shared
            or any(name in datasets_of(spec, s) for s in SOURCES)
            or not name.startswith("dq_")
        ):
            _fail(
                f"local source {name}", "local sources are named dq_* and are not views or tables"
            )


def _validate_filters(spec: Mapping[str, Any]) -> None:
    for spec_filter in spec["filters"]:
        where = f"filter {spec_filter.get('id')}"
        if spec_filter.get("type") not in FILTER_TYPES:
            _fail(where, f"type must be one of {', '.join(FILTER_TYPES)}")
        for view, column in spec_filter["columns"].items():
            kinds = {
                datasets_of(spec, source)[view][column]
                for source in SOURCES
                if column in datasets_of(spec, source).get(view, {})
            }
            if not kinds:
                _fail(where, f"{view}.{column} is not a declared dataset column of any source")
            for kind in kinds:
                if (spec_filter["type"] == "date_range") != (kind == "DATETIME"):
                    _fail(
                        where,
                        f"{view}.{column} ({kind}) does not fit a {spec_filter['type']} filter",
                    )


def validate_spec(spec: Mapping[str, Any], *, view_names: Mapping[str, set[str]]) -> None:
    """Structure, identifiers and references, for every source; raises SpecError on the first
    problem. `view_names` maps each source to the views it has (`view_names_by_source()`)."""
    for key in (
        "dashboard_id",
        "name",
        "currency",
        "datasets",
        "source_datasets",
        "filters",
        "sheets",
    ):
        if key not in spec:
            _fail("top level", f"missing {key!r}")
    if spec.get("import_mode", "DIRECT_QUERY") not in IMPORT_MODES:
        _fail("import_mode", f"must be one of {', '.join(IMPORT_MODES)}")
    _validate_datasets(spec, view_names)
    _validate_filters(spec)
    ids = [visual.get("id") for _, visual in visuals(spec)]
    if len(set(ids)) != len(ids):
        _fail("sheets", "visual ids repeat")
    sheet_ids = [sheet.get("id") for sheet in spec["sheets"]]
    if len(set(sheet_ids)) != len(sheet_ids):
        _fail("sheets", "sheet ids repeat")
    for sheet in spec["sheets"]:
        shown_for = sheet.get("sources", SOURCES)
        if not shown_for or not set(shown_for) <= set(SOURCES):
            _fail(f"sheet {sheet['id']}", f"sources are some of {', '.join(SOURCES)}")
    for source in SOURCES:
        resolved = {**spec, "datasets": datasets_of(spec, source)}
        shown = [sheet for sheet in spec["sheets"] if shows_sheet(sheet, source)]
        if not shown:
            _fail("sheets", f"no sheet is shown for {source}")
        for sheet in shown:
            for visual in sheet["visuals"]:
                where = f"sheet {sheet['id']} ({source}), visual {visual.get('id')}"
                _validate_visual(resolved, where, visual)
