"""The dashboard spec's vocabulary: its constants, its error, and the small lookups both
renderers and the validation share (a visual's columns, measure aliases, histogram bands).

`ecom.dashboard.spec` loads, validates and resolves the spec and re-exports these names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from ecom.errors import InvalidArgumentError
from ecom.storage.lake import CURATED_TABLES_BY_SOURCE

SOURCES: tuple[str, ...] = tuple(CURATED_TABLES_BY_SOURCE)
SHEET_KINDS = ("kpi", "line", "bar", "donut", "heatmap", "histogram", "funnel", "table")
# Visuals drawn on two axes: each needs both titled (spec `axes`).
AXIS_KINDS = ("line", "bar", "heatmap", "histogram", "funnel")
AGGREGATIONS = ("sum", "count", "avg", "min", "max", "none", "share", "ratio")
# Ratios of sums, computed after the filters from rows whose measures add up (shares and
# averages are not additive): `share` = the group's sum of the column / the sum over every
# row the filters keep; `ratio` = the group's sum of the column / its sum of `per`.
DERIVED_AGGREGATIONS = ("share", "ratio")
FORMATS = ("currency", "integer", "percent", "number", "date", "month")
COLUMN_TYPES = ("STRING", "INTEGER", "DECIMAL", "DATETIME", "BOOLEAN")
FILTER_TYPES = ("date_range", "values")
IMPORT_MODES = ("DIRECT_QUERY", "SPICE")
CURRENCY_PLACEHOLDER = "{currency}"

# The DuckDB type families each declared QuickSight column type accepts.
COMPATIBLE_TYPES = {
    "STRING": ("VARCHAR",),
    "INTEGER": ("BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "TINYINT", "UBIGINT"),
    "DECIMAL": ("DECIMAL", "DOUBLE", "FLOAT", "BIGINT", "INTEGER", "HUGEINT"),
    "DATETIME": ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE"),
    "BOOLEAN": ("BOOLEAN",),
}


class SpecError(InvalidArgumentError):
    """The dashboard spec is invalid; the message says where and why."""


@dataclass(frozen=True)
class Band:
    """One band of a histogram: `lower <= value < upper` (no upper: the last, open band;
    values below the first edge count in the first band)."""

    index: int
    lower: float
    upper: float | None
    label: str


def datasets_of(spec: Mapping[str, Any], source: str) -> dict[str, dict[str, str]]:
    """The datasets of one source: the shared ones, then the source's own (which replace a
    shared one of the same name)."""
    return {**spec["datasets"], **spec.get("source_datasets", {}).get(source, {})}


def shows_sheet(sheet: Mapping[str, Any], source: str) -> bool:
    """True when the sheet is shown for a lake of `source` (no `sources`: every source)."""
    return source in sheet.get("sources", SOURCES)


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


def band_column(visual: Mapping[str, Any]) -> str:
    """The result column holding a histogram's band labels (`<column>_band`)."""
    return f"{visual['bins']['column']}_band"


def bands(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> list[Band]:
    """A histogram's bands from its edges: [e0, e1), [e1, e2), ..., [en, ∞).

    Labels of an INTEGER column name the whole values a band holds ("7-13"); of another
    column its bounds ("10-25", lower bound included); the last band is "<en>+".
    """
    edges = [float(edge) for edge in visual["bins"]["edges"]]
    whole = source_columns(spec, visual["source"])[visual["bins"]["column"]] == "INTEGER"
    result = []
    for index, (lower, upper) in enumerate(pairwise(edges)):
        top = _compact(upper - 1) if whole else _compact(upper)
        result.append(Band(index, lower, upper, f"{_compact(lower)}-{top}"))
    result.append(Band(len(edges) - 1, edges[-1], None, f"{_compact(edges[-1])}+"))
    return result


def _compact(number: float) -> str:
    """10000 → "10k", 2500 → "2.5k", 250 → "250"."""
    if abs(number) >= 1000:
        return f"{number / 1000:g}k"
    return f"{number:g}"


def check_against_schema(
    spec: Mapping[str, Any], schema: Mapping[str, Mapping[str, str]]
) -> list[str]:
    """Problems between a resolved spec's dataset columns and an engine's schema (empty: none).

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
            elif not engine_type.startswith(COMPATIBLE_TYPES[kind]):
                problems.append(f"{view}.{column}: declared {kind}, engine has {engine_type}")
    return problems
