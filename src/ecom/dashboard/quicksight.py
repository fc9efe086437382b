"""The QuickSight rendering of the spec: Athena data source, one dataset per view, dashboard.

Pure functions from the spec and a `QuickSightTarget` (account, region, names, principal) to
the request parameters of `create_data_source`, `create_data_set` and `create_dashboard`;
the CDK stack (infra/stacks/quicksight.py) uses the same `dataset_physical_table` and
`dashboard_definition`. A dataset is a view or a catalog table (`dq_results`, registered by
the model job), read through the Glue catalog. Local-only data-quality sources (run
reports, quarantine) have no Athena table: on QuickSight the data-quality sheet shows
freshness and the `dq_results` visuals plus a note where the run history lives
(`ecom status`).

A `table` visual becomes a table grouped by all its columns (one row per distinct row; a
rule's outcome is one row per run); a visual's `latest` becomes a top-1 filter (the
`column` value with the greatest `by`, e.g. the latest run).

Filters become dashboard parameters (DateFrom/DateTo, one multi-valued string per value
filter) with a control on each sheet they apply to, and one filter per dataset column bound
to the parameter, so a single control filters every visual of the sheet it applies to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecom.dashboard.spec import is_local_source, measure_alias, source_columns

DATA_SOURCE_ACTIONS = [
    "quicksight:DescribeDataSource",
    "quicksight:DescribeDataSourcePermissions",
    "quicksight:PassDataSource",
    "quicksight:UpdateDataSource",
    "quicksight:DeleteDataSource",
    "quicksight:UpdateDataSourcePermissions",
]
DATA_SET_ACTIONS = [
    "quicksight:DescribeDataSet",
    "quicksight:DescribeDataSetPermissions",
    "quicksight:PassDataSet",
    "quicksight:DescribeIngestion",
    "quicksight:ListIngestions",
    "quicksight:UpdateDataSet",
    "quicksight:DeleteDataSet",
    "quicksight:CreateIngestion",
    "quicksight:CancelIngestion",
    "quicksight:UpdateDataSetPermissions",
]
DASHBOARD_ACTIONS = [
    "quicksight:DescribeDashboard",
    "quicksight:ListDashboardVersions",
    "quicksight:UpdateDashboardPermissions",
    "quicksight:QueryDashboard",
    "quicksight:UpdateDashboard",
    "quicksight:DeleteDashboard",
    "quicksight:DescribeDashboardPermissions",
    "quicksight:UpdateDashboardPublishedVersion",
]
_NUMERIC_AGG = {"sum": "SUM", "avg": "AVERAGE", "min": "MIN", "max": "MAX", "count": "COUNT"}
_DATE_GRANULARITY = {"month": "MONTH", "date": "DAY"}


@dataclass(frozen=True)
class QuickSightTarget:
    """Where the dashboard goes: ids derive from `prefix`; nothing here is hard-coded."""

    account_id: str
    region: str
    prefix: str
    workgroup: str
    database: str
    principal_arn: str
    import_mode: str = "DIRECT_QUERY"

    @property
    def data_source_id(self) -> str:
        return f"{self.prefix}-athena"

    def data_source_arn(self) -> str:
        return self.arn("datasource", self.data_source_id)

    def data_set_id(self, view: str) -> str:
        return f"{self.prefix}-{view.replace('_', '-')}"

    def dashboard_id(self, spec: Mapping[str, Any]) -> str:
        return f"{self.prefix}-{spec['dashboard_id']}"

    def arn(self, kind: str, resource_id: str) -> str:
        return f"arn:aws:quicksight:{self.region}:{self.account_id}:{kind}/{resource_id}"


def views_used(spec: Mapping[str, Any]) -> list[str]:
    """The views and tables the QuickSight dashboard reads (declared datasets, in order)."""
    return [view for view in spec["datasets"] if not is_local_source(spec, view)]


def _title(text: str) -> dict[str, Any]:
    return {"Visibility": "VISIBLE", "FormatText": {"PlainText": text}}


def _column(view: str, column: str) -> dict[str, str]:
    return {"DataSetIdentifier": view, "ColumnName": column}


def _number_format(fmt: str | None) -> dict[str, Any]:
    if fmt == "currency":
        inner = {
            "CurrencyDisplayFormatConfiguration": {
                "Symbol": "USD",
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


def dimension_field(spec: Mapping[str, Any], visual: Mapping[str, Any], dim: Mapping[str, Any]):
    """A spec dimension → a QuickSight DimensionField."""
    view, column = visual["source"], dim["column"]
    kind = source_columns(spec, view)[column]
    field_id = f"{visual['id']}.{column}"
    if kind == "DATETIME":
        granularity = _DATE_GRANULARITY.get(dim.get("format", "date"), "DAY")
        return {
            "DateDimensionField": {
                "FieldId": field_id,
                "Column": _column(view, column),
                "DateGranularity": granularity,
            }
        }
    if kind in ("INTEGER", "DECIMAL"):
        return {"NumericalDimensionField": {"FieldId": field_id, "Column": _column(view, column)}}
    return {"CategoricalDimensionField": {"FieldId": field_id, "Column": _column(view, column)}}


def measure_field(spec: Mapping[str, Any], visual: Mapping[str, Any], measure: Mapping[str, Any]):
    """A spec measure → a QuickSight MeasureField (numerical, categorical or date)."""
    view, column = visual["source"], measure["column"]
    kind = source_columns(spec, view)[column]
    field_id = f"{visual['id']}.{measure_alias(measure)}"
    agg = measure["agg"]
    if kind == "DATETIME":
        return {
            "DateMeasureField": {
                "FieldId": field_id,
                "Column": _column(view, column),
                "AggregationFunction": "MAX"
                if agg == "max"
                else "MIN"
                if agg == "min"
                else "COUNT",
            }
        }
    if kind in ("STRING", "BOOLEAN"):
        return {
            "CategoricalMeasureField": {
                "FieldId": field_id,
                "Column": _column(view, column),
                "AggregationFunction": "COUNT",
            }
        }
    field: dict[str, Any] = {
        "FieldId": field_id,
        "Column": _column(view, column),
        "FormatConfiguration": _number_format(measure.get("format")),
    }
    if agg != "none":
        field["AggregationFunction"] = {"SimpleNumericalAggregation": _NUMERIC_AGG[agg]}
    return {"NumericalMeasureField": field}


def _dims(spec, visual, *roles: str) -> list[dict[str, Any]]:
    return [
        dimension_field(spec, visual, dim)
        for dim in visual.get("dimensions", [])
        if dim.get("role", "x") in roles
    ]


def _measures(spec, visual) -> list[dict[str, Any]]:
    return [measure_field(spec, visual, measure) for measure in visual["measures"]]


def _sort_configuration(visual: Mapping[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if sort := visual.get("sort"):
        config["CategorySort"] = [
            {
                "FieldSort": {
                    "FieldId": f"{visual['id']}.{sort['column']}",
                    "Direction": "DESC" if sort.get("descending") else "ASC",
                }
            }
        ]
    if "limit" in visual:
        config["CategoryItemsLimit"] = {
            "ItemsLimit": int(visual["limit"]),
            "OtherCategories": "EXCLUDE",
        }
    return config


def visual_definition(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> dict[str, Any]:
    """One spec visual → one QuickSight Visual."""
    base = {"VisualId": visual["id"], "Title": _title(visual["title"])}
    kind = visual["type"]
    if kind == "kpi":
        wells = {"Values": _measures(spec, visual)}
        return {"KPIVisual": {**base, "ChartConfiguration": {"FieldWells": wells}}}
    if kind == "line":
        wells = {
            "LineChartAggregatedFieldWells": {
                "Category": _dims(spec, visual, "x"),
                "Values": _measures(spec, visual),
                "Colors": _dims(spec, visual, "color"),
            }
        }
        return {"LineChartVisual": {**base, "ChartConfiguration": {"FieldWells": wells}}}
    if kind in ("bar", "funnel"):
        wells = {
            "BarChartAggregatedFieldWells": {
                "Category": _dims(spec, visual, "x"),
                "Values": _measures(spec, visual),
                "Colors": _dims(spec, visual, "color"),
            }
        }
        config: dict[str, Any] = {
            "FieldWells": wells,
            "Orientation": "HORIZONTAL"
            if visual.get("orientation") == "horizontal"
            else "VERTICAL",
            "BarsArrangement": "CLUSTERED",
        }
        if sort := _sort_configuration(visual):
            config["SortConfiguration"] = sort
        return {"BarChartVisual": {**base, "ChartConfiguration": config}}
    if kind == "donut":
        wells = {
            "PieChartAggregatedFieldWells": {
                "Category": _dims(spec, visual, "x"),
                "Values": _measures(spec, visual),
            }
        }
        config = {"FieldWells": wells, "DonutOptions": {"ArcOptions": {"ArcThickness": "MEDIUM"}}}
        return {"PieChartVisual": {**base, "ChartConfiguration": config}}
    if kind == "heatmap":
        wells = {
            "HeatMapAggregatedFieldWells": {
                "Rows": _dims(spec, visual, "y"),
                "Columns": _dims(spec, visual, "x"),
                "Values": _measures(spec, visual),
            }
        }
        return {"HeatMapVisual": {**base, "ChartConfiguration": {"FieldWells": wells}}}
    if kind == "table":
        return {"TableVisual": {**base, "ChartConfiguration": _table_configuration(spec, visual)}}
    if kind == "histogram":
        wells = {"HistogramAggregatedFieldWells": {"Values": _measures(spec, visual)}}
        config = {
            "FieldWells": wells,
            "BinOptions": {"SelectedBinType": "BIN_COUNT", "BinCount": {"Value": 30}},
        }
        return {"HistogramVisual": {**base, "ChartConfiguration": config}}
    raise ValueError(f"visual type {kind!r} has no QuickSight rendering")


def _table_configuration(spec: Mapping[str, Any], visual: Mapping[str, Any]) -> dict[str, Any]:
    """A table visual: every column a group-by field, labelled; sorted like the spec says."""
    columns = [{"column": m["column"], "format": m.get("format")} for m in visual["measures"]]
    config: dict[str, Any] = {
        "FieldWells": {
            "TableAggregatedFieldWells": {
                "GroupBy": [dimension_field(spec, visual, column) for column in columns],
                "Values": [],
            }
        }
    }
    labels = [
        {"FieldId": f"{visual['id']}.{m['column']}", "CustomLabel": m["label"]}
        for m in visual["measures"]
        if m.get("label")
    ]
    if labels:
        config["FieldOptions"] = {"SelectedFieldOptions": labels}
    # The spec's sort first, then the columns left to right (as the local dashboard does).
    sorts = [(sort["column"], sort.get("descending"))] if (sort := visual.get("sort")) else []
    sorts += [(c["column"], False) for c in columns if c["column"] not in dict(sorts)]
    config["SortConfiguration"] = {
        "RowSort": [
            {
                "FieldSort": {
                    "FieldId": f"{visual['id']}.{column}",
                    "Direction": "DESC" if descending else "ASC",
                }
            }
            for column, descending in sorts
        ]
    }
    return config


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


def sheet_definition(spec: Mapping[str, Any], sheet: Mapping[str, Any]) -> dict[str, Any]:
    """One spec sheet → a QuickSight SheetDefinition (local-only visuals left out)."""
    shown = [v for v in sheet["visuals"] if not is_local_source(spec, v["source"])]
    left_out = [v["title"] for v in sheet["visuals"] if is_local_source(spec, v["source"])]
    definition: dict[str, Any] = {
        "SheetId": sheet["id"],
        "Name": sheet["title"],
        "Visuals": [visual_definition(spec, visual) for visual in shown],
    }
    if controls := parameter_controls(spec, sheet):
        definition["ParameterControls"] = controls
    if left_out:
        note = (
            f"{', '.join(left_out)}: read from the pipeline's run reports and quarantine, "
            "shown by the local dashboard (`ecom dashboard`) and `ecom status`."
        )
        definition["TextBoxes"] = [{"SheetTextBoxId": f"{sheet['id']}-note", "Content": note}]
    return definition


def dashboard_definition(
    spec: Mapping[str, Any], data_set_arns: Mapping[str, Any]
) -> dict[str, Any]:
    """The dashboard `Definition`; `data_set_arns` maps view → dataset ARN (or a CFN token)."""
    return {
        "DataSetIdentifierDeclarations": [
            {"Identifier": view, "DataSetArn": data_set_arns[view]} for view in views_used(spec)
        ],
        "Sheets": [sheet_definition(spec, sheet) for sheet in spec["sheets"]],
        "ParameterDeclarations": parameter_declarations(spec),
        "FilterGroups": filter_groups(spec),
    }


def physical_table_id(view: str) -> str:
    """The key of a view's table in a dataset's PhysicalTableMap (letters, digits, `-`)."""
    return view.replace("_", "-")


def dataset_physical_table(
    spec: Mapping[str, Any], view: str, *, data_source_arn: Any, database: str
) -> dict[str, Any]:
    """The view or table as a relational table over the Glue catalog, declared columns."""
    return {
        "RelationalTable": {
            "DataSourceArn": data_source_arn,
            "Catalog": "AwsDataCatalog",
            "Schema": database,
            "Name": view,
            "InputColumns": [
                {"Name": column, "Type": kind} for column, kind in spec["datasets"][view].items()
            ],
        }
    }


def _permissions(principal: str, actions: list[str]) -> list[dict[str, Any]]:
    return [{"Principal": principal, "Actions": list(actions)}]


def data_source_request(target: QuickSightTarget) -> dict[str, Any]:
    """Parameters of `create_data_source` (Athena over the stage's workgroup)."""
    return {
        "AwsAccountId": target.account_id,
        "DataSourceId": target.data_source_id,
        "Name": f"{target.prefix} Athena",
        "Type": "ATHENA",
        "DataSourceParameters": {"AthenaParameters": {"WorkGroup": target.workgroup}},
        "SslProperties": {"DisableSsl": False},
        "Permissions": _permissions(target.principal_arn, DATA_SOURCE_ACTIONS),
    }


def data_set_requests(spec: Mapping[str, Any], target: QuickSightTarget) -> list[dict[str, Any]]:
    """Parameters of `create_data_set`, one per view or table the dashboard reads."""
    requests = []
    for view in views_used(spec):
        requests.append(
            {
                "AwsAccountId": target.account_id,
                "DataSetId": target.data_set_id(view),
                "Name": f"{target.prefix} {view}",
                "PhysicalTableMap": {
                    physical_table_id(view): dataset_physical_table(
                        spec,
                        view,
                        data_source_arn=target.data_source_arn(),
                        database=target.database,
                    )
                },
                "ImportMode": target.import_mode,
                "Permissions": _permissions(target.principal_arn, DATA_SET_ACTIONS),
            }
        )
    return requests


def dashboard_request(spec: Mapping[str, Any], target: QuickSightTarget) -> dict[str, Any]:
    """Parameters of `create_dashboard` with the Definition generated from the spec."""
    arns = {view: target.arn("dataset", target.data_set_id(view)) for view in views_used(spec)}
    return {
        "AwsAccountId": target.account_id,
        "DashboardId": target.dashboard_id(spec),
        "Name": spec["name"],
        "Definition": dashboard_definition(spec, arns),
        "Permissions": _permissions(target.principal_arn, DASHBOARD_ACTIONS),
        "DashboardPublishOptions": {
            "AdHocFilteringOption": {"AvailabilityStatus": "DISABLED"},
            "ExportToCSVOption": {"AvailabilityStatus": "ENABLED"},
            "SheetControlsOption": {"VisibilityState": "EXPANDED"},
        },
    }


def all_requests(spec: Mapping[str, Any], target: QuickSightTarget) -> dict[str, Any]:
    """Every request, keyed by file name, as `ecom dashboards render` writes them."""
    rendered: dict[str, Any] = {"data_source.json": data_source_request(target)}
    for request in data_set_requests(spec, target):
        rendered[f"data_set-{request['DataSetId']}.json"] = request
    rendered["dashboard.json"] = dashboard_request(spec, target)
    return rendered
