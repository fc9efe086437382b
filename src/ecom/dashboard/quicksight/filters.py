"""QuickSight filters of a resolved spec: dashboard parameters, filter groups, controls.

Filters become dashboard parameters (DateRangeFrom/DateRangeTo, one multi-valued string per
value filter) with a control on each sheet they apply to, and one filter per dataset column
bound to the parameter, so a single control filters every visual of the sheet it applies to.
A visual's fixed `where` becomes a category filter on that visual; its `latest` a top-1
filter (the `column` value with the greatest `by`, e.g. the latest run); each `evaluation`
column a filter keeping only the rows where it is present (no score without its evaluation).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecom.dashboard.quicksight.fields import column as _column


def _parameter_names(spec_filter: Mapping[str, Any]) -> list[str]:
    base = "".join(part.capitalize() for part in spec_filter["id"].split("_"))
    if spec_filter["type"] == "date_range":
        return [f"{base}From", f"{base}To"]
    return [base]


def parameter_declarations(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One dashboard parameter per bound of a date filter, one per value filter."""
    declarations = []
    for spec_filter in spec["filters"]:
        for name in _parameter_names(spec_filter):
            if spec_filter["type"] == "date_range":
                declarations.append(
                    {
                        "DateTimeParameterDeclaration": {
                            "Name": name,
                            "TimeGranularity": "DAY",
                            "ValueWhenUnset": {"ValueWhenUnsetOption": "NULL"},
                        }
                    }
                )
            else:
                declarations.append(
                    {
                        "StringParameterDeclaration": {
                            "ParameterValueType": "MULTI_VALUED",
                            "Name": name,
                            "DefaultValues": {"StaticValues": []},
                            "ValueWhenUnset": {"ValueWhenUnsetOption": "NULL"},
                        }
                    }
                )
    return declarations


def _scope(spec: Mapping[str, Any], visual_ids_by_sheet: Mapping[str, list[str]]):
    return {
        "SelectedSheets": {
            "SheetVisualScopingConfigurations": [
                {"SheetId": sheet_id, "Scope": "SELECTED_VISUALS", "VisualIds": ids}
                for sheet_id, ids in visual_ids_by_sheet.items()
            ]
        }
    }


def _visuals_reading(spec: Mapping[str, Any], view: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for sheet in spec["sheets"]:
        ids = [v["id"] for v in sheet["visuals"] if v["source"] == view]
        if ids:
            found[sheet["id"]] = ids
    return found


def filter_groups(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Parameter-bound filters per dataset column, and each visual's fixed `where`."""
    groups = []
    for spec_filter in spec["filters"]:
        names = _parameter_names(spec_filter)
        for view, column in spec_filter["columns"].items():
            scope = _visuals_reading(spec, view)
            if not scope:
                continue
            filter_id = f"{spec_filter['id']}-{view}".replace("_", "-")
            if spec_filter["type"] == "date_range":
                body = {
                    "TimeRangeFilter": {
                        "FilterId": filter_id,
                        "Column": _column(view, column),
                        "IncludeMinimum": True,
                        "IncludeMaximum": True,
                        "RangeMinimumValue": {"Parameter": names[0]},
                        "RangeMaximumValue": {"Parameter": names[1]},
                        "NullOption": "NON_NULLS_ONLY",
                        "TimeGranularity": "DAY",
                    }
                }
            else:
                body = {
                    "CategoryFilter": {
                        "FilterId": filter_id,
                        "Column": _column(view, column),
                        "Configuration": {
                            "CustomFilterConfiguration": {
                                "MatchOperator": "EQUALS",
                                "ParameterName": names[0],
                                "NullOption": "NON_NULLS_ONLY",
                                "SelectAllOptions": "FILTER_ALL_VALUES",
                            }
                        },
                    }
                }
            groups.append(_group(filter_id, body, _scope(spec, scope)))
    for sheet in spec["sheets"]:
        for visual in sheet["visuals"]:
            for column, value in visual.get("where", {}).items():
                filter_id = f"{visual['id']}-{column}".replace("_", "-")
                body = {
                    "CategoryFilter": {
                        "FilterId": filter_id,
                        "Column": _column(visual["source"], column),
                        "Configuration": {
                            "CustomFilterConfiguration": {
                                "MatchOperator": "EQUALS",
                                "CategoryValue": str(value),
                                "NullOption": "NON_NULLS_ONLY",
                            }
                        },
                    }
                }
                groups.append(_group(filter_id, body, _scope(spec, {sheet["id"]: [visual["id"]]})))
            for measure in visual.get("evaluation", []):
                groups.append(_evaluated_only(sheet["id"], visual, measure["column"]))
            if latest := visual.get("latest"):
                filter_id = f"{visual['id']}-latest".replace("_", "-")
                body = {
                    "TopBottomFilter": {
                        "FilterId": filter_id,
                        "Column": _column(visual["source"], latest["column"]),
                        "Limit": 1,
                        "AggregationSortConfigurations": [
                            {
                                "Column": _column(visual["source"], latest["by"]),
                                "SortDirection": "DESC",
                                "AggregationFunction": {"DateAggregationFunction": "MAX"},
                            }
                        ],
                    }
                }
                groups.append(_group(filter_id, body, _scope(spec, {sheet["id"]: [visual["id"]]})))
    return groups


def _evaluated_only(sheet_id: str, visual: Mapping[str, Any], column: str) -> dict[str, Any]:
    """Rows whose evaluation column is present (null: the scores of a run without its
    evaluation, which the dashboard does not show); metrics are never negative."""
    filter_id = f"{visual['id']}-{column}-present".replace("_", "-")
    body = {
        "NumericRangeFilter": {
            "FilterId": filter_id,
            "Column": _column(visual["source"], column),
            "IncludeMinimum": True,
            "RangeMinimum": {"StaticValue": 0},
            "NullOption": "NON_NULLS_ONLY",
        }
    }
    return _group(filter_id, body, _scope({}, {sheet_id: [visual["id"]]}))


def _group(filter_id: str, body: dict[str, Any], scope: dict[str, Any]) -> dict[str, Any]:
    return {
        "FilterGroupId": filter_id,
        "Filters": [body],
        "ScopeConfiguration": scope,
        "Status": "ENABLED",
        "CrossDataset": "SINGLE_DATASET",
    }


def parameter_controls(spec: Mapping[str, Any], sheet: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The filter bar of one sheet: controls of the filters that apply to its visuals."""
    sources = {visual["source"] for visual in sheet["visuals"]}
    controls = []
    for spec_filter in spec["filters"]:
        views = [view for view in spec_filter["columns"] if view in sources]
        if not views:
            continue
        names = _parameter_names(spec_filter)
        if spec_filter["type"] == "date_range":
            for name, label in zip(names, ("from", "to"), strict=True):
                controls.append(
                    {
                        "DateTimePicker": {
                            "ParameterControlId": f"{sheet['id']}-{name}".lower(),
                            "Title": f"{spec_filter['label']} {label}",
                            "SourceParameterName": name,
                        }
                    }
                )
        else:
            view = views[0]
            controls.append(
                {
                    "Dropdown": {
                        "ParameterControlId": f"{sheet['id']}-{names[0]}".lower(),
                        "Title": spec_filter["label"],
                        "SourceParameterName": names[0],
                        "Type": "MULTI_SELECT",
                        "SelectableValues": {
                            "LinkToDataSetColumn": _column(view, spec_filter["columns"][view])
                        },
                    }
                }
            )
    return controls
