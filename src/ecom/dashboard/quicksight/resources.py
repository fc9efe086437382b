"""QuickSight resources of a resolved spec: the Athena data source, one dataset per view or
table of the lake's source, and the dashboard (its `Definition`, permissions and publish
options), as the request parameters of `create_data_source`, `create_data_set` and
`create_dashboard`.

The spec is resolved for the stage's `raw_source` first (`ecom.dashboard.spec.for_source`), so
the datasets are the views that source has and the sheets those its data fills. Local-only
data-quality sources (run reports, quarantine) have no Athena table: a sheet with such
visuals shows the others plus a note saying where those live (`ecom status`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecom.dashboard.quicksight.fields import calculated_fields
from ecom.dashboard.quicksight.filters import (
    filter_groups,
    parameter_controls,
    parameter_declarations,
)
from ecom.dashboard.quicksight.visuals import visual_definition
from ecom.dashboard.spec import is_local_source, require_source

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
# What readers may do on the published dashboard: every visual's menu stays on, and with it
# its "Export to CSV" (QuickSight's per-visual download); sheet controls show expanded.
PUBLISH_OPTIONS: dict[str, Any] = {
    "AdHocFilteringOption": {"AvailabilityStatus": "DISABLED"},
    "ExportToCSVOption": {"AvailabilityStatus": "ENABLED"},
    "VisualMenuOption": {"AvailabilityStatus": "ENABLED"},
    "SheetControlsOption": {"VisibilityState": "EXPANDED"},
}


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
    """The views and tables of the source the dashboard reads (its datasets, in order)."""
    require_source(spec)
    return [view for view in spec["datasets"] if not is_local_source(spec, view)]


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
    notes = []
    if left_out:
        notes.append(
            f"{', '.join(left_out)}: read from the pipeline's run reports and quarantine, "
            "shown by the local dashboard (`ecom dashboard`) and `ecom status`."
        )
    if stages := sorted({v["model_stage"] for v in shown if v.get("model_stage")}):
        notes.append(
            f"Panels of the model stages {', '.join(stages)} are empty when the model job "
            "skipped them (scores are shown only with their out-of-fold evaluation); the "
            "reason is in the run report (`ecom status`)."
        )
    if notes:
        definition["TextBoxes"] = [
            {"SheetTextBoxId": f"{sheet['id']}-note", "Content": " ".join(notes)}
        ]
    return definition


def dashboard_definition(
    spec: Mapping[str, Any], data_set_arns: Mapping[str, Any]
) -> dict[str, Any]:
    """The dashboard `Definition`; `data_set_arns` maps view → dataset ARN (or a CFN token)."""
    definition: dict[str, Any] = {
        "DataSetIdentifierDeclarations": [
            {"Identifier": view, "DataSetArn": data_set_arns[view]} for view in views_used(spec)
        ],
        "Sheets": [sheet_definition(spec, sheet) for sheet in spec["sheets"]],
        "ParameterDeclarations": parameter_declarations(spec),
        "FilterGroups": filter_groups(spec),
    }
    if fields := calculated_fields(spec):
        definition["CalculatedFields"] = fields
    return definition


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
        "DashboardPublishOptions": PUBLISH_OPTIONS,
    }


def all_requests(spec: Mapping[str, Any], target: QuickSightTarget) -> dict[str, Any]:
    """Every request, keyed by file name, as `ecom dashboards render` writes them."""
    rendered: dict[str, Any] = {"data_source.json": data_source_request(target)}
    for request in data_set_requests(spec, target):
        rendered[f"data_set-{request['DataSetId']}.json"] = request
    rendered["dashboard.json"] = dashboard_request(spec, target)
    return rendered
