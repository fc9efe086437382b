"""Spec → QuickSight: every request validates against botocore's service model; golden file.

Regenerate the golden snapshot with `ECOM_UPDATE_GOLDEN=1 pytest tests/dashboard`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import botocore.session
import pytest
from botocore.validate import validate_parameters

from ecom.dashboard.quicksight import (
    dashboard_request,
    data_set_requests,
    data_source_request,
    views_used,
)

GOLDEN = Path(__file__).parent / "golden" / "dashboard_definition.json"


@pytest.fixture(scope="module")
def quicksight_model():
    return botocore.session.get_session().get_service_model("quicksight")


def _validate(model, operation: str, request: dict) -> None:
    validate_parameters(request, model.operation_model(operation).input_shape)


def test_data_source_request_is_valid(quicksight_model, target) -> None:
    _validate(quicksight_model, "CreateDataSource", data_source_request(target))


def test_one_valid_data_set_request_per_view(quicksight_model, spec, target) -> None:
    requests = data_set_requests(spec, target)
    tables = [r["PhysicalTableMap"].popitem()[1] for r in data_set_requests(spec, target)]
    assert [t["RelationalTable"]["Name"] for t in tables] == views_used(spec)
    for request in requests:
        _validate(quicksight_model, "CreateDataSet", request)
        assert request["ImportMode"] == "DIRECT_QUERY"


def test_spice_mode_comes_from_configuration(quicksight_model, spec, target) -> None:
    from dataclasses import replace

    for request in data_set_requests(spec, replace(target, import_mode="SPICE")):
        _validate(quicksight_model, "CreateDataSet", request)
        assert request["ImportMode"] == "SPICE"


def test_dashboard_request_with_definition_is_valid(quicksight_model, spec, target) -> None:
    request = dashboard_request(spec, target)
    _validate(quicksight_model, "CreateDashboard", request)
    sheets = request["Definition"]["Sheets"]
    assert [sheet["Name"] for sheet in sheets] == [sheet["title"] for sheet in spec["sheets"]]
    kpis = [v for v in sheets[0]["Visuals"] if "KPIVisual" in v]
    assert len(kpis) == 4


def test_update_requests_are_valid(quicksight_model, spec, target) -> None:
    """What a second deploy sends (create parameters minus the create-only keys)."""
    source = {
        k: v for k, v in data_source_request(target).items() if k not in ("Type", "Permissions")
    }
    _validate(quicksight_model, "UpdateDataSource", source)
    for request in data_set_requests(spec, target):
        _validate(
            quicksight_model,
            "UpdateDataSet",
            {k: v for k, v in request.items() if k != "Permissions"},
        )
    dashboard = {k: v for k, v in dashboard_request(spec, target).items() if k != "Permissions"}
    _validate(quicksight_model, "UpdateDashboard", dashboard)


def test_definition_matches_golden_snapshot(spec, target) -> None:
    rendered = (
        json.dumps(dashboard_request(spec, target)["Definition"], indent=2, sort_keys=True) + "\n"
    )
    if os.environ.get("ECOM_UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(rendered)
        if os.environ.get("ECOM_UPDATE_GOLDEN"):
            pytest.skip(f"golden snapshot rewritten: {GOLDEN}")
    assert rendered == GOLDEN.read_text(), "definition changed: ECOM_UPDATE_GOLDEN=1 to accept"


def test_render_command_writes_every_request(tmp_path, spec) -> None:
    from ecom.cli.dashboard import cmd_render

    class Args:
        stage = "dev"
        region = "eu-west-1"
        spec = None
        import_mode = None
        principal = None
        account = "210987654321"
        out = str(tmp_path)

    assert cmd_render(Args()) == 0
    names = sorted(path.name for path in tmp_path.iterdir())
    assert "dashboard.json" in names and "data_source.json" in names
    assert len(names) == 2 + len(views_used(spec))
    dashboard = json.loads((tmp_path / "dashboard.json").read_text())
    assert dashboard["AwsAccountId"] == "210987654321"


def test_dq_results_is_an_athena_dataset_with_a_latest_run_table(spec, target) -> None:
    assert "dq_results" in views_used(spec)
    (dq_set,) = [r for r in data_set_requests(spec, target) if r["Name"].endswith(" dq_results")]
    (table,) = dq_set["PhysicalTableMap"].values()
    assert table["RelationalTable"]["Name"] == "dq_results"
    assert table["RelationalTable"]["Schema"] == target.database
    definition = dashboard_request(spec, target)["Definition"]
    (sheet,) = [s for s in definition["Sheets"] if s["SheetId"] == "data_quality"]
    ids = {next(iter(v.values()))["VisualId"]: next(iter(v)) for v in sheet["Visuals"]}
    assert ids["dq_latest_run"] == "TableVisual"
    assert ids["dq_outcomes_by_run"] == "BarChartVisual"
    (latest,) = [
        g for g in definition["FilterGroups"] if g["FilterGroupId"] == "dq-latest-run-latest"
    ]
    top = latest["Filters"][0]["TopBottomFilter"]
    assert top["Column"] == {"DataSetIdentifier": "dq_results", "ColumnName": "run_id"}
    assert top["Limit"] == 1
    assert top["AggregationSortConfigurations"][0]["Column"]["ColumnName"] == "evaluated_at"
    scope = latest["ScopeConfiguration"]["SelectedSheets"]["SheetVisualScopingConfigurations"]
    assert scope == [
        {"SheetId": "data_quality", "Scope": "SELECTED_VISUALS", "VisualIds": ["dq_latest_run"]}
    ]
