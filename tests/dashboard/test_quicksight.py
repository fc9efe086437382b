"""Spec → QuickSight: every request validates against botocore's service model (offline),
for each source; the definitions match their golden files.

A missing golden file fails the test (it is never written silently). Regenerate them on
purpose with `make golden` (ECOM_UPDATE_GOLDEN=1 on this module), then review the diff.
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
from ecom.dashboard.spec import SOURCES, for_source

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE_GOLDEN = "ECOM_UPDATE_GOLDEN"


def golden_path(source: str) -> Path:
    return GOLDEN_DIR / f"dashboard_definition-{source}.json"


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


@pytest.mark.parametrize("source", SOURCES)
def test_dashboard_request_with_definition_is_valid(
    quicksight_model, whole_spec, target, source
) -> None:
    spec = for_source(whole_spec, source)
    request = dashboard_request(spec, target)
    _validate(quicksight_model, "CreateDashboard", request)
    for data_set in data_set_requests(spec, target):
        _validate(quicksight_model, "CreateDataSet", data_set)
    sheets = request["Definition"]["Sheets"]
    assert [sheet["Name"] for sheet in sheets] == [sheet["title"] for sheet in spec["sheets"]]
    kpis = [v for v in sheets[0]["Visuals"] if "KPIVisual" in v]
    assert len(kpis) == 6


def test_each_source_gets_its_own_sheets(whole_spec) -> None:
    """A sheet whose data a source lacks is absent, not shown empty (issue 16.5)."""
    shown = {
        source: [sheet["title"] for sheet in for_source(whole_spec, source)["sheets"]]
        for source in SOURCES
    }
    assert shown == {
        "clickstream": [
            "Executive",
            "Sales",
            "Customer value",
            "Customers",
            "Funnel",
            "Data quality",
        ],
        "online-retail": [
            "Executive",
            "Online Retail",
            "Customer value",
            "Customers",
            "Data quality",
        ],
    }


def _visual(definition: dict, visual_id: str) -> tuple[str, dict]:
    for sheet in definition["Sheets"]:
        for visual in sheet["Visuals"]:
            ((kind, body),) = visual.items()
            if body["VisualId"] == visual_id:
                return kind, body
    raise AssertionError(f"no visual {visual_id}")


def test_retail_sheet_in_quicksight(retail_spec, target) -> None:
    definition = dashboard_request(retail_spec, target)["Definition"]
    (sheet,) = [s for s in definition["Sheets"] if s["SheetId"] == "online_retail"]
    kinds = {next(iter(v.values()))["VisualId"]: next(iter(v)) for v in sheet["Visuals"]}
    for tile in ("retail_revenue", "retail_transactions", "retail_customers"):
        assert kinds[tile] == "KPIVisual"
    assert kinds["retail_cancellation_rate"] == "KPIVisual"
    for trend in ("transactions", "revenue", "average_order_value"):
        assert kinds[f"retail_daily_{trend}"] == "LineChartVisual"
    _, top = _visual(definition, "retail_top_products_by_revenue")
    category = top["ChartConfiguration"]["FieldWells"]["BarChartAggregatedFieldWells"]["Category"]
    assert category[0]["CategoricalDimensionField"]["Column"]["ColumnName"] == "description"
    _, country = _visual(definition, "revenue_by_country")
    value_axis = country["ChartConfiguration"]["ValueLabelOptions"]["AxisLabelOptions"][0]
    assert value_axis["CustomLabel"] == "Revenue (GBP)"
    controls = {c["Dropdown"]["Title"] for c in sheet["ParameterControls"] if "Dropdown" in c}
    assert controls == {"Country"}
    assert "Sales" not in {s["Name"] for s in definition["Sheets"]}


@pytest.mark.parametrize("source", SOURCES)
def test_customers_sheet_in_quicksight(whole_spec, target, source) -> None:
    """Segments, transitions, model quality, churn and CLV with their evaluation: the score
    panels keep only rows with their metrics, and carry the metrics on hover."""
    spec = for_source(whole_spec, source)
    definition = dashboard_request(spec, target)["Definition"]
    (sheet,) = [s for s in definition["Sheets"] if s["SheetId"] == "customers"]
    visual_ids = [next(iter(v.values()))["VisualId"] for v in sheet["Visuals"]]
    assert visual_ids == [
        v["id"] for s in spec["sheets"] if s["id"] == "customers" for v in s["visuals"]
    ]
    for score, metrics in (
        ("churn_risk", {"churn_roc_auc", "churn_pr_auc"}),
        ("clv_forecast", {"clv_mae", "baseline_mae"}),
    ):
        present = {
            group["Filters"][0]["NumericRangeFilter"]["Column"]["ColumnName"]
            for group in definition["FilterGroups"]
            if "NumericRangeFilter" in group["Filters"][0]
            and group["ScopeConfiguration"]["SelectedSheets"]["SheetVisualScopingConfigurations"][
                0
            ]["VisualIds"]
            == [score]
        }
        assert present == metrics
        assert all(
            group["Filters"][0]["NumericRangeFilter"]["NullOption"] == "NON_NULLS_ONLY"
            for group in definition["FilterGroups"]
            if "NumericRangeFilter" in group["Filters"][0]
        )
        _, body = _visual(definition, score)
        hover = body["ChartConfiguration"]["Tooltip"]["FieldBasedTooltip"]["TooltipFields"]
        columns = {
            i["ColumnTooltipItem"]["Column"]["ColumnName"]
            for i in hover
            if "ColumnTooltipItem" in i
        }
        assert metrics <= columns
    controls = {c["Dropdown"]["Title"] for c in sheet["ParameterControls"] if "Dropdown" in c}
    # Country only where customers have one (Online Retail).
    assert controls == ({"Segment", "Country"} if source == "online-retail" else {"Segment"})
    pickers = {
        c["DateTimePicker"]["Title"] for c in sheet["ParameterControls"] if "DateTimePicker" in c
    }
    assert pickers == {"Date range from", "Date range to"}
    assert "skipped" in sheet["TextBoxes"][0]["Content"]


def _scopes(definition: dict, filter_id: str) -> dict[str, dict[str, list[str]]]:
    """Filter group id → {sheet: visual ids} of the groups of one spec filter."""
    return {
        group["FilterGroupId"]: {
            scope["SheetId"]: scope["VisualIds"]
            for scope in group["ScopeConfiguration"]["SelectedSheets"][
                "SheetVisualScopingConfigurations"
            ]
        }
        for group in definition["FilterGroups"]
        if group["FilterGroupId"].startswith(f"{filter_id}-")
    }


def test_country_filter_reaches_the_customer_panels_of_retail_only(whole_spec, target) -> None:
    retail = dashboard_request(for_source(whole_spec, "online-retail"), target)["Definition"]
    assert _scopes(retail, "country") == {
        "country-revenue-by-country": {"online_retail": ["revenue_by_country"]},
        "country-customer-segments-by-country": {
            "customers": ["segment_customers", "segment_revenue", "segment_profile"]
        },
        "country-segment-transitions": {"customers": ["segment_transitions"]},
    }
    clickstream = dashboard_request(for_source(whole_spec, "clickstream"), target)["Definition"]
    assert _scopes(clickstream, "country") == {}
    names = {
        p["StringParameterDeclaration"]["Name"]
        for p in clickstream["ParameterDeclarations"]
        if "StringParameterDeclaration" in p
    }
    assert "Country" not in names


def test_segment_profile_divides_sums_after_the_filters(retail_spec, target) -> None:
    """Shares and averages are calculated fields over the filtered rows of the (segment,
    country) view, not columns of precomputed ratios."""
    definition = dashboard_request(retail_spec, target)["Definition"]
    fields = {
        f["Name"]: f["Expression"]
        for f in definition["CalculatedFields"]
        if f["DataSetIdentifier"] == "customer_segments_by_country"
    }
    assert fields == {
        "segment_profile_customer_share": (
            "sum({customers}) / sumOver(sum({customers}), [], POST_AGG_FILTER)"
        ),
        "segment_profile_revenue_share": (
            "sum({revenue}) / sumOver(sum({revenue}), [], POST_AGG_FILTER)"
        ),
        "segment_profile_average_spend": "sum({revenue}) / sum({customers})",
        "segment_profile_average_order_value": "sum({revenue}) / sum({orders})",
        "segment_profile_orders_per_customer": "sum({orders}) / sum({customers})",
        "segment_profile_average_recency_days": "sum({total_recency_days}) / sum({customers})",
    }
    _, table = _visual(definition, "segment_profile")
    wells = table["ChartConfiguration"]["FieldWells"]["TableAggregatedFieldWells"]
    assert [f["CategoricalDimensionField"]["FieldId"] for f in wells["GroupBy"]] == [
        "segment_profile.segment"
    ]
    values = [f["NumericalMeasureField"] for f in wells["Values"]]
    assert [v["Column"]["ColumnName"] for v in values] == [
        "customers",
        "segment_profile_customer_share",
        "revenue",
        "segment_profile_revenue_share",
        "segment_profile_average_spend",
        "segment_profile_average_order_value",
        "segment_profile_orders_per_customer",
        "segment_profile_average_recency_days",
    ]
    sums = [v for v in values if "AggregationFunction" in v]
    assert [v["Column"]["ColumnName"] for v in sums] == ["customers", "revenue"]


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


def render_definition(spec, target) -> str:
    return (
        json.dumps(dashboard_request(spec, target)["Definition"], indent=2, sort_keys=True) + "\n"
    )


def check_golden(rendered: str, golden: Path, environ) -> None:
    """Compare with the golden file; write it only when $ECOM_UPDATE_GOLDEN asks to."""
    if environ.get(UPDATE_GOLDEN):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered)
        pytest.skip(f"golden snapshot rewritten on request ({UPDATE_GOLDEN}): {golden}")
    assert golden.exists(), f"no golden file {golden}: `make golden` writes it (then review it)"
    assert rendered == golden.read_text(), "definition changed: `make golden` to accept it"


@pytest.mark.parametrize("source", SOURCES)
def test_definition_matches_golden_snapshot(whole_spec, target, source) -> None:
    rendered = render_definition(for_source(whole_spec, source), target)
    check_golden(rendered, golden_path(source), os.environ)


def test_a_missing_golden_file_fails_and_is_not_written(tmp_path) -> None:
    golden = tmp_path / "golden" / "definition.json"
    with pytest.raises(AssertionError, match="no golden file"):
        check_golden("{}\n", golden, {})
    assert not golden.exists() and not golden.parent.exists()
    with pytest.raises(pytest.skip.Exception):
        check_golden("{}\n", golden, {UPDATE_GOLDEN: "1"})
    assert golden.read_text() == "{}\n"
    with pytest.raises(AssertionError, match="definition changed"):
        check_golden("[]\n", golden, {})


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
