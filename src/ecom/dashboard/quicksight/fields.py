"""QuickSight fields of a resolved spec: columns, dimension and measure fields, number and date
formats, axis titles, tooltips, and the calculated fields that band a histogram's column or
divide the sums of a `share` or `ratio` measure.

Every field of a visual has the id `<visual id>.<name>` (the name: a measure's alias, a
dimension's column, or `<column>_band`), so sorts and labels can refer to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecom.dashboard.spec import band_column, bands, measure_alias, source_columns
from ecom.dashboard.specdata import DERIVED_AGGREGATIONS

NUMERIC_AGG = {"sum": "SUM", "avg": "AVERAGE", "min": "MIN", "max": "MAX", "count": "COUNT"}
DATE_GRANULARITY = {"month": "MONTH", "date": "DAY"}
# How a date dimension's values read on an axis: months as "Oct 2019", days as "2019-10-01".
DATE_FORMATS = {"month": "MMM YYYY", "date": "YYYY-MM-DD"}


def field_id(visual: Mapping[str, Any], name: str) -> str:
    return f"{visual['id']}.{name}"


def column(view: str, name: str) -> dict[str, str]:
    """A ColumnIdentifier: a dataset's column, or a calculated field of it."""
    return {"DataSetIdentifier": view, "ColumnName": name}


def title(text: str) -> dict[str, Any]:
    return {"Visibility": "VISIBLE", "FormatText": {"PlainText": text}}


def axis_title(text: str) -> dict[str, Any]:
    """ChartAxisLabelOptions: the axis shows its title, `text`."""
    return {"Visibility": "VISIBLE", "AxisLabelOptions": [{"CustomLabel": text}]}


def number_format(fmt: str | None, currency: str) -> dict[str, Any]:
    if fmt == "currency":
        inner = {
            "CurrencyDisplayFormatConfiguration": {
                "Symbol": currency,
                "DecimalPlacesConfiguration": {"DecimalPlaces": 2},
            }
        }
    elif fmt == "percent":
        inner = {
            "PercentageDisplayFormatConfiguration": {
                "DecimalPlacesConfiguration": {"DecimalPlaces": 1}
            }
        }
    elif fmt == "integer":
        inner = {
            "NumberDisplayFormatConfiguration": {"DecimalPlacesConfiguration": {"DecimalPlaces": 0}}
        }
    else:
        inner = {"NumberDisplayFormatConfiguration": {}}
    return {"FormatConfiguration": inner}


def dimension_field(
    spec: Mapping[str, Any], visual: Mapping[str, Any], dim: Mapping[str, Any]
) -> dict[str, Any]:
    """A spec dimension → a QuickSight DimensionField (dates at the spec's granularity)."""
    view, name = visual["source"], dim["column"]
    kind = source_columns(spec, view)[name]
    fid = field_id(visual, name)
    if kind == "DATETIME":
        fmt = dim.get("format", "date")
        return {
            "DateDimensionField": {
                "FieldId": fid,
                "Column": column(view, name),
                "DateGranularity": DATE_GRANULARITY.get(fmt, "DAY"),
                "FormatConfiguration": {"DateTimeFormat": DATE_FORMATS.get(fmt, "YYYY-MM-DD")},
            }
        }
    if kind in ("INTEGER", "DECIMAL"):
        return {"NumericalDimensionField": {"FieldId": fid, "Column": column(view, name)}}
    return {"CategoricalDimensionField": {"FieldId": fid, "Column": column(view, name)}}


def measure_field(
    spec: Mapping[str, Any], visual: Mapping[str, Any], measure: Mapping[str, Any]
) -> dict[str, Any]:
    """A spec measure → a QuickSight MeasureField (numerical, categorical or date)."""
    view, name = visual["source"], measure["column"]
    kind = source_columns(spec, view)[name]
    fid = field_id(visual, measure_alias(measure))
    agg = measure["agg"]
    if agg in DERIVED_AGGREGATIONS:  # a calculated field that aggregates itself
        name, kind, agg = derived_field_name(visual, measure), "DECIMAL", "none"
    if kind == "DATETIME":
        function = {"max": "MAX", "min": "MIN"}.get(agg, "COUNT")
        return {
            "DateMeasureField": {
                "FieldId": fid,
                "Column": column(view, name),
                "AggregationFunction": function,
            }
        }
    if kind in ("STRING", "BOOLEAN"):
        return {
            "CategoricalMeasureField": {
                "FieldId": fid,
                "Column": column(view, name),
                "AggregationFunction": "COUNT",
            }
        }
    field: dict[str, Any] = {
        "FieldId": fid,
        "Column": column(view, name),
        "FormatConfiguration": number_format(measure.get("format"), spec["currency"]),
    }
    if agg != "none":
        field["AggregationFunction"] = {"SimpleNumericalAggregation": NUMERIC_AGG[agg]}
    return {"NumericalMeasureField": field}


def dimensions(spec: Mapping[str, Any], visual: Mapping[str, Any], *roles: str) -> list[Any]:
    """The visual's dimension fields of the given roles, in spec order."""
    return [
        dimension_field(spec, visual, dim)
        for dim in visual.get("dimensions", [])
        if dim.get("role", "x") in roles
    ]


def measures(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [measure_field(spec, visual, measure) for measure in visual["measures"]]


def tooltip(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> dict[str, Any] | None:
    """The hover of a visual with spec `tooltip` (or `evaluation`) measures: its own
    measures, then those (a score panel shows its model's evaluation on hover).

    The extra measures are column tooltip items (aggregated like the spec says), so they
    need no place in the field wells.
    """
    extra = [*visual.get("tooltip", []), *visual.get("evaluation", [])]
    if not extra:
        return None
    items: list[dict[str, Any]] = [
        {"FieldTooltipItem": {"FieldId": field_id(visual, name), "Visibility": "VISIBLE"}}
        for name in map(measure_alias, visual["measures"])
    ]
    for measure in extra:
        item: dict[str, Any] = {
            "Column": column(visual["source"], measure["column"]),
            "Visibility": "VISIBLE",
            "Aggregation": {
                "NumericalAggregationFunction": {
                    "SimpleNumericalAggregation": NUMERIC_AGG[measure["agg"]]
                }
            },
        }
        if measure.get("label"):
            item["Label"] = measure["label"]
        items.append({"ColumnTooltipItem": item})
    return {
        "TooltipVisibility": "VISIBLE",
        "SelectedTooltipType": "DETAILED",
        "FieldBasedTooltip": {"AggregationVisibility": "HIDDEN", "TooltipFields": items},
    }


def column_sort(view: str, name: str, *, descending: bool = False) -> dict[str, Any]:
    """Sort by a column that need not be a field of the visual (its smallest value per item)."""
    return {
        "ColumnSort": {
            "SortBy": column(view, name),
            "Direction": "DESC" if descending else "ASC",
            "AggregationFunction": {
                "NumericalAggregationFunction": {"SimpleNumericalAggregation": "MIN"}
            },
        }
    }


def field_sort(visual: Mapping[str, Any], name: str, *, descending: bool = False):
    return {
        "FieldSort": {
            "FieldId": field_id(visual, name),
            "Direction": "DESC" if descending else "ASC",
        }
    }


# Histograms: QuickSight's HistogramVisual cannot title its count axis, so a histogram is a
# bar chart of a calculated band label, ordered by a calculated band number.


def band_field_name(visual: Mapping[str, Any]) -> str:
    return f"{visual['id']}_band"


def band_order_field_name(visual: Mapping[str, Any]) -> str:
    return f"{visual['id']}_band_order"


def band_dimension(visual: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "CategoricalDimensionField": {
            "FieldId": field_id(visual, band_column(visual)),
            "Column": column(visual["source"], band_field_name(visual)),
        }
    }


def _number(value: float) -> str:
    return f"{value:g}"


def band_expressions(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> tuple[str, str]:
    """The QuickSight expressions of a histogram's band label and band number."""
    value = "{" + visual["bins"]["column"] + "}"
    labels: list[str] = []
    orders: list[str] = []
    every = bands(spec, visual)
    for band in every[:-1]:
        condition = f"{value} < {_number(band.upper or 0)}"
        labels += [condition, f"'{band.label}'"]
        orders += [condition, str(band.index)]
    labels.append(f"'{every[-1].label}'")
    orders.append(str(every[-1].index))
    return f"ifelse({', '.join(labels)})", f"ifelse({', '.join(orders)})"


def derived_field_name(visual: Mapping[str, Any], measure: Mapping[str, Any]) -> str:
    return f"{visual['id']}_{measure_alias(measure)}"


def derived_expression(measure: Mapping[str, Any]) -> str:
    """A `share` or `ratio` measure as an aggregating QuickSight expression: sums of the rows
    the filters keep, divided (a share's total is that of the visual's rows, after filters)."""
    total = "sum({" + measure["column"] + "})"
    if measure["agg"] == "share":
        return f"{total} / sumOver({total}, [], POST_AGG_FILTER)"
    return f"{total} / sum({{{measure['per']}}})"


def calculated_fields(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The dashboard's calculated fields: each histogram's band label and band number, and
    each `share` or `ratio` measure."""
    found = []
    for sheet in spec["sheets"]:
        for visual in sheet["visuals"]:
            fields = [
                (derived_field_name(visual, m), derived_expression(m))
                for m in visual["measures"]
                if m["agg"] in DERIVED_AGGREGATIONS
            ]
            if visual["type"] == "histogram":
                label, order = band_expressions(spec, visual)
                fields += [(band_field_name(visual), label), (band_order_field_name(visual), order)]
            found += [
                {"DataSetIdentifier": visual["source"], "Name": name, "Expression": expression}
                for name, expression in fields
            ]
    return found
