"""The QuickSight rendering of the spec, resolved for one source (`spec.for_source`).

Pure functions from the resolved spec and a `QuickSightTarget` (account, region, names,
principal) to the request parameters of `create_data_source`, `create_data_set` and
`create_dashboard`; the CDK stack (infra/stacks/quicksight.py) uses the same
`dataset_physical_table`, `dashboard_definition` and `PUBLISH_OPTIONS`. By responsibility:

- `resources`: the target, permissions, data source, datasets and dashboard requests;
- `visuals`: one spec visual → one QuickSight visual (wells, axis titles, sorts, tooltips);
- `fields`: columns, fields, formats and the calculated fields of histograms;
- `filters`: parameters, filter groups and the controls of each sheet.
"""

from ecom.dashboard.quicksight.resources import (
    DASHBOARD_ACTIONS,
    DATA_SET_ACTIONS,
    DATA_SOURCE_ACTIONS,
    PUBLISH_OPTIONS,
    QuickSightTarget,
    all_requests,
    dashboard_definition,
    dashboard_request,
    data_set_requests,
    data_source_request,
    dataset_physical_table,
    physical_table_id,
    sheet_definition,
    views_used,
)
from ecom.dashboard.quicksight.visuals import visual_definition

__all__ = [
    "DASHBOARD_ACTIONS",
    "DATA_SET_ACTIONS",
    "DATA_SOURCE_ACTIONS",
    "PUBLISH_OPTIONS",
    "QuickSightTarget",
    "all_requests",
    "dashboard_definition",
    "dashboard_request",
    "data_set_requests",
    "data_source_request",
    "dataset_physical_table",
    "physical_table_id",
    "sheet_definition",
    "views_used",
    "visual_definition",
]
