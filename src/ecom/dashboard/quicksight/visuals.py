"""QuickSight visuals of a resolved spec: one spec visual → one QuickSight Visual.

Every chart titles both axes with the spec's `axes` (line: x and primary y; bar: category and
value; heat map: columns and rows). A `sort` dimension orders a visual's colours when it has
a colour dimension (weekdays Monday → Sunday), else its categories (the donut's tiers Low →
VIP); without one, categories run in ascending order (months in time order). A histogram is
a bar chart of its bands (see `fields.band_expressions`), in band order. A `table` visual
becomes a table grouped by its `none` columns (all of them: one row per distinct row), its
aggregated measures the values of each group.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecom.dashboard.quicksight.fields import (
    axis_title,
    band_dimension,
    band_order_field_name,
    column_sort,
    dimension_field,
    dimensions,
    field_id,
    field_sort,
    measure_field,
    measures,
    title,
    tooltip,
)
from ecom.dashboard.spec import measure_alias


def _role(visual: Mapping[str, Any], role: str) -> str | None:
    """The column of the visual's dimension with that role, if any."""
    return next(
        (d["column"] for d in visual.get("dimensions", []) if d.get("role", "x") == role), None
    )


def sort_configuration(visual: Mapping[str, Any]) -> dict[str, Any]:
    """Category order, colour order and the top-N limit of a bar or pie chart."""
    view = visual["source"]
    by, x, color = _role(visual, "sort"), _role(visual, "x"), _role(visual, "color")
    config: dict[str, Any] = {}
    if visual["type"] == "histogram":
        config["CategorySort"] = [column_sort(view, band_order_field_name(visual))]
    elif sort := visual.get("sort"):
        config["CategorySort"] = [
            field_sort(visual, sort["column"], descending=bool(sort.get("descending")))
        ]
    elif by and not color:
        config["CategorySort"] = [column_sort(view, by)]
    elif x:
        config["CategorySort"] = [field_sort(visual, x)]
    if by and color:
        config["ColorSort"] = [column_sort(view, by)]
    if "limit" in visual:
        config["CategoryItemsLimit"] = {
            "ItemsLimit": int(visual["limit"]),
            "OtherCategories": "EXCLUDE",
        }
    return config


def _with_tooltip(
    spec: Mapping[str, Any], visual: Mapping[str, Any], config: dict[str, Any]
) -> dict[str, Any]:
    if hover := tooltip(spec, visual):
        config["Tooltip"] = hover
    return config


def _line(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> dict[str, Any]:
    wells = {
        "LineChartAggregatedFieldWells": {
            "Category": dimensions(spec, visual, "x"),
            "Values": measures(spec, visual),
            "Colors": dimensions(spec, visual, "color"),
        }
    }
    return {
        "FieldWells": wells,
        "XAxisLabelOptions": axis_title(visual["axes"]["x"]),
        "PrimaryYAxisLabelOptions": axis_title(visual["axes"]["y"]),
    }


def _bar(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> dict[str, Any]:
    """Bar charts, funnels (one bar per stage measure) and histograms (one bar per band)."""
    histogram = visual["type"] == "histogram"
    wells = {
        "BarChartAggregatedFieldWells": {
            "Category": [band_dimension(visual)] if histogram else dimensions(spec, visual, "x"),
            "Values": measures(spec, visual),
            "Colors": [] if histogram else dimensions(spec, visual, "color"),
        }
    }
    config: dict[str, Any] = {
        "FieldWells": wells,
        "Orientation": "HORIZONTAL" if visual.get("orientation") == "horizontal" else "VERTICAL",
        "BarsArrangement": "CLUSTERED",
        "CategoryLabelOptions": axis_title(visual["axes"]["x"]),
        "ValueLabelOptions": axis_title(visual["axes"]["y"]),
    }
    if sort := sort_configuration(visual):
        config["SortConfiguration"] = sort
    return config


def _donut(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> dict[str, Any]:
    """Each slice's share of the measure, labelled in percent, slices in the sort order."""
    wells = {
        "PieChartAggregatedFieldWells": {
            "Category": dimensions(spec, visual, "x"),
            "Values": measures(spec, visual),
        }
    }
    config: dict[str, Any] = {
        "FieldWells": wells,
        "DonutOptions": {"ArcOptions": {"ArcThickness": "MEDIUM"}},
        "DataLabels": {
            "Visibility": "VISIBLE",
            "CategoryLabelVisibility": "VISIBLE",
            "MeasureLabelVisibility": "VISIBLE",
            "LabelContent": "PERCENT",
        },
    }
    if sort := sort_configuration(visual):
        config["SortConfiguration"] = sort
    return config


def _heatmap(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> dict[str, Any]:
    wells = {
        "HeatMapAggregatedFieldWells": {
            "Rows": dimensions(spec, visual, "y"),
            "Columns": dimensions(spec, visual, "x"),
            "Values": measures(spec, visual),
        }
    }
    return {
        "FieldWells": wells,
        "RowLabelOptions": axis_title(visual["axes"]["y"]),
        "ColumnLabelOptions": axis_title(visual["axes"]["x"]),
    }


def table_configuration(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> dict[str, Any]:
    """A table visual: its `none` columns group-by fields, its aggregated measures values
    (one row per group), labelled; sorted like the spec says."""
    grouped = [m for m in visual["measures"] if m["agg"] == "none"]
    aggregated = [m for m in visual["measures"] if m["agg"] != "none"]
    config: dict[str, Any] = {
        "FieldWells": {
            "TableAggregatedFieldWells": {
                "GroupBy": [dimension_field(spec, visual, m) for m in grouped],
                "Values": [measure_field(spec, visual, m) for m in aggregated],
            }
        }
    }
    # Field ids: a group-by column's name, an aggregated measure's alias.
    names = [m["column"] for m in grouped] + [measure_alias(m) for m in aggregated]
    labels = [
        {"FieldId": field_id(visual, name), "CustomLabel": m["label"]}
        for name, m in zip(names, [*grouped, *aggregated], strict=True)
        if m.get("label")
    ]
    if labels:
        config["FieldOptions"] = {"SelectedFieldOptions": labels}
    # The spec's sort first, then the columns left to right (as the local dashboard does).
    sorts = [(sort["column"], sort.get("descending"))] if (sort := visual.get("sort")) else []
    sorts += [(name, False) for name in names if name not in dict(sorts)]
    config["SortConfiguration"] = {
        "RowSort": [field_sort(visual, column, descending=bool(desc)) for column, desc in sorts]
    }
    return config


# Spec type → (QuickSight visual kind, its ChartConfiguration builder).
_CHARTS = {
    "line": ("LineChartVisual", _line),
    "bar": ("BarChartVisual", _bar),
    "funnel": ("BarChartVisual", _bar),
    "histogram": ("BarChartVisual", _bar),
    "donut": ("PieChartVisual", _donut),
    "heatmap": ("HeatMapVisual", _heatmap),
    "table": ("TableVisual", table_configuration),
}


def visual_definition(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> dict[str, Any]:
    """One spec visual → one QuickSight Visual."""
    base = {"VisualId": visual["id"], "Title": title(visual["title"])}
    kind = visual["type"]
    if kind == "kpi":
        wells = {"Values": measures(spec, visual)}
        return {"KPIVisual": {**base, "ChartConfiguration": {"FieldWells": wells}}}
    if kind not in _CHARTS:
        raise ValueError(f"visual type {kind!r} has no QuickSight rendering")
    name, build = _CHARTS[kind]
    config = build(spec, visual)
    if kind != "table":
        config = _with_tooltip(spec, visual, config)
    return {name: {**base, "ChartConfiguration": config}}
