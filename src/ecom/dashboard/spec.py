"""The dashboard spec: sheets → visuals → the view, table or local source each reads.

`load_spec()` reads `dashboards/spec.json` and validates its structure: every visual reads a
dataset (declared under `datasets` with the QuickSight type of each column it uses: a view
of sql/views, or a catalog table such as `dq_results`) or a local data-quality source
(`local_sources`: run reports and quarantine, which have no Athena table), and names only
declared columns.

Visual options beyond type, source, dimensions and measures: `where` (column = value),
`sort`, `limit`, `orientation`, and `latest` ({"column": "run_id", "by": "evaluated_at"}:
only the rows of the `column` value with the greatest `by`, e.g. the latest run). A `table`
visual lists its measures as columns (agg `none`: the rows as they are).
`check_against_schema()` checks those declarations against the columns a query engine
actually has (the tests run it on the local engine).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ecom.errors import InvalidArgumentError
from ecom.storage.lake import CATALOG_TABLES

SHEET_KINDS = ("kpi", "line", "bar", "donut", "heatmap", "histogram", "funnel", "table")
AGGREGATIONS = ("sum", "count", "avg", "min", "max", "none")
FORMATS = ("currency", "integer", "percent", "number", "date", "month")
COLUMN_TYPES = ("STRING", "INTEGER", "DECIMAL", "DATETIME", "BOOLEAN")
FILTER_TYPES = ("date_range", "values")
IMPORT_MODES = ("DIRECT_QUERY", "SPICE")

# The DuckDB type families each declared QuickSight column type accepts.
_COMPATIBLE = {
    "STRING": ("VARCHAR",),
    "INTEGER": ("BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "TINYINT", "UBIGINT"),
    "DECIMAL": ("DECIMAL", "DOUBLE", "FLOAT", "BIGINT", "INTEGER", "HUGEINT"),
    "DATETIME": ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE"),
    "BOOLEAN": ("BOOLEAN",),
}


class SpecError(InvalidArgumentError):
    """The dashboard spec is invalid; the message says where and why."""


def default_spec_path() -> Path:
    """dashboards/spec.json of the project folder."""
    from ecom.aws.config import repo_root

    return repo_root() / "dashboards" / "spec.json"


def load_spec(path: str | Path | None = None) -> dict[str, Any]:
    """Read and validate the spec (default: dashboards/spec.json)."""
    path = Path(path) if path else default_spec_path()
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"no dashboard spec at {path}") from None
    except json.JSONDecodeError as error:
        raise SpecError(f"{path}: not valid JSON: {error}") from None
    validate_spec(spec, view_names=_view_names())
    return spec


def _view_names() -> set[str]:
    from ecom.catalog.ddl import view_files

    return set(view_files())


def source_columns(spec: Mapping[str, Any], source: str) -> Mapping[str, str]:
    """Declared columns (name → QuickSight type) of a dataset or a local source."""
    if source in spec["datasets"]:
        return spec["datasets"][source]
    return spec["local_sources"][source]["columns"]


def is_local_source(spec: Mapping[str, Any], source: str) -> bool:
    """True for data-quality sources that exist only locally (run reports, quarantine)."""
    return source in spec.get("local_sources", {})


def visuals(spec: Mapping[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (sheet, visual) pair in order."""
    return [(sheet, visual) for sheet in spec["sheets"] for visual in sheet["visuals"]]


def measure_alias(measure: Mapping[str, Any]) -> str:
    """The result column of a measure: `as`, else the column name."""
    return str(measure.get("as") or measure["column"])


def _fail(where: str, message: str) -> None:
    raise SpecError(f"dashboard spec: {where}: {message}")


def _validate_visual(spec: Mapping[str, Any], sheet_id: str, visual: Mapping[str, Any]) -> None:
    where = f"sheet {sheet_id}, visual {visual.get('id')}"
    if visual.get("type") not in SHEET_KINDS:
        _fail(where, f"type must be one of {', '.join(SHEET_KINDS)}")
    source = visual.get("source")
    if source not in spec["datasets"] and not is_local_source(spec, source):
        _fail(where, f"source {source!r} is neither a declared dataset nor a local source")
    columns = source_columns(spec, source)
    measures = visual.get("measures") or []
    if not measures:
        _fail(where, "needs at least one measure")
    names = []
    for field in [
        *visual.get("dimensions", []),
        *measures,
        *[{"column": c} for c in visual.get("where", {})],
    ]:
        if field["column"] not in columns:
            _fail(where, f"column {field['column']!r} is not declared for {source}")
        if field.get("format", "number") not in FORMATS:
            _fail(where, f"format {field['format']!r} is not one of {', '.join(FORMATS)}")
    for measure in measures:
        if measure.get("agg") not in AGGREGATIONS:
            _fail(where, f"aggregation must be one of {', '.join(AGGREGATIONS)}")
        names.append(measure_alias(measure))
    if len(set(names)) != len(names):
        _fail(where, "measure names repeat")
    if visual["type"] == "kpi" and (visual.get("dimensions") or len(measures) != 1):
        _fail(where, "a kpi has exactly one measure and no dimensions")
    if visual["type"] == "table" and (
        visual.get("dimensions") or any(m["agg"] != "none" for m in measures)
    ):
        _fail(where, "a table lists its measures with agg none and has no dimensions")
    if "latest" in visual:
        latest = visual["latest"]
        if not isinstance(latest, Mapping) or set(latest) != {"column", "by"}:
            _fail(where, "latest is {'column': ..., 'by': ...}")
        for key in ("column", "by"):
            if latest[key] not in columns:
                _fail(where, f"latest {key} {latest[key]!r} is not declared for {source}")
        if columns[latest["by"]] != "DATETIME":
            _fail(where, f"latest by {latest['by']!r} must be a DATETIME column")
    sort = visual.get("sort")
    known = {*names, *(d["column"] for d in visual.get("dimensions", []))}
    if sort and sort.get("column") not in known:
        _fail(where, f"sort column {sort.get('column')!r} is not a field of the visual")
    if "limit" in visual and not (isinstance(visual["limit"], int) and visual["limit"] > 0):
        _fail(where, "limit must be a positive integer")


def validate_spec(spec: Mapping[str, Any], *, view_names: set[str]) -> None:
    """Structure, identifiers and references; raises SpecError on the first problem."""
    for key in ("dashboard_id", "name", "datasets", "filters", "sheets"):
        if key not in spec:
            _fail("top level", f"missing {key!r}")
    if spec.get("import_mode", "DIRECT_QUERY") not in IMPORT_MODES:
        _fail("import_mode", f"must be one of {', '.join(IMPORT_MODES)}")
    for view, columns in spec["datasets"].items():
        if view not in view_names and view not in CATALOG_TABLES:
            _fail(f"dataset {view}", "no such view in sql/views nor table in the catalog")
        for column, kind in columns.items():
            if kind not in COLUMN_TYPES:
                _fail(f"dataset {view}.{column}", f"type must be one of {', '.join(COLUMN_TYPES)}")
    for name in spec.get("local_sources", {}):
        if name in view_names or name in CATALOG_TABLES or not name.startswith("dq_"):
            _fail(
                f"local source {name}", "local sources are named dq_* and are not views or tables"
            )
    for spec_filter in spec["filters"]:
        where = f"filter {spec_filter.get('id')}"
        if spec_filter.get("type") not in FILTER_TYPES:
            _fail(where, f"type must be one of {', '.join(FILTER_TYPES)}")
        for view, column in spec_filter["columns"].items():
            if view not in spec["datasets"] or column not in spec["datasets"][view]:
                _fail(where, f"{view}.{column} is not a declared dataset column")
            kind = spec["datasets"][view][column]
            if (spec_filter["type"] == "date_range") != (kind == "DATETIME"):
                _fail(
                    where, f"{view}.{column} ({kind}) does not fit a {spec_filter['type']} filter"
                )
    ids = [visual.get("id") for _, visual in visuals(spec)]
    if len(set(ids)) != len(ids):
        _fail("sheets", "visual ids repeat")
    for sheet in spec["sheets"]:
        for visual in sheet["visuals"]:
            _validate_visual(spec, sheet["id"], visual)


def check_against_schema(
    spec: Mapping[str, Any], schema: Mapping[str, Mapping[str, str]]
) -> list[str]:
    """Problems between the declared dataset columns and an engine's schema (empty: none).

    `schema` maps view or table → column → engine type name (as `LocalEngine.schema()`).
    """
    problems = []
    for view, columns in spec["datasets"].items():
        actual = {name.lower(): kind.upper() for name, kind in schema.get(view, {}).items()}
        if not actual:
            problems.append(f"{view}: not a view or table of the engine")
            continue
        for column, kind in columns.items():
            engine_type = actual.get(column)
            if engine_type is None:
                problems.append(f"{view}.{column}: no such column")
            elif not engine_type.startswith(_COMPATIBLE[kind]):
                problems.append(f"{view}.{column}: declared {kind}, engine has {engine_type}")
    return problems
