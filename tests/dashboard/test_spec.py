"""The spec: structure, references, per-source resolution, and its declared columns against
the local engine of a lake of each source."""

from __future__ import annotations

import copy

import pytest

from ecom.dashboard.spec import (
    SOURCES,
    SpecError,
    check_against_schema,
    for_source,
    is_local_source,
    validate_spec,
    view_names_by_source,
    visuals,
)
from ecom.query.local import LocalEngine
from ecom.storage.lake import catalog_tables


def _visual(spec, visual_id):
    return next(v for _, v in visuals(spec) if v["id"] == visual_id)


def test_filters_are_date_category_brand_country_and_segment(whole_spec) -> None:
    assert [f["id"] for f in whole_spec["filters"]] == [
        "date_range",
        "category",
        "brand",
        "country",
        "segment",
    ]
    retail = {f["id"] for f in for_source(whole_spec, "online-retail")["filters"]}
    clickstream = {f["id"] for f in for_source(whole_spec, "clickstream")["filters"]}
    # A filter reaches a source only where its datasets have the column.
    assert retail == {"date_range", "country", "segment"}
    assert clickstream == {"date_range", "category", "brand", "segment"}


def test_currency_fills_titles_and_axes(whole_spec) -> None:
    retail = _visual(for_source(whole_spec, "online-retail"), "monthly_revenue")
    clickstream = _visual(for_source(whole_spec, "clickstream"), "monthly_revenue")
    assert retail["axes"]["y"] == "Revenue (GBP)"
    assert clickstream["axes"]["y"] == "Revenue (USD)"


def test_every_visual_reads_a_view_a_table_or_a_data_quality_source(whole_spec) -> None:
    names = view_names_by_source()
    for source in SOURCES:
        spec = for_source(whole_spec, source)
        for _, visual in visuals(spec):
            known = names[source] | set(catalog_tables(source)) | set(spec["local_sources"])
            assert visual["source"] in known, (source, visual["id"])
    assert not is_local_source(whole_spec, "dq_results")  # an Athena table: on QuickSight too


def test_every_chart_titles_both_axes(whole_spec) -> None:
    broken = copy.deepcopy(whole_spec)
    del _visual(broken, "monthly_revenue")["axes"]["y"]
    with pytest.raises(SpecError, match="titles both its axes"):
        validate_spec(broken, view_names=view_names_by_source())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"latest": {"column": "run_id", "by": "details"}}, "must be a DATETIME column"),
        ({"latest": {"column": "no_such", "by": "evaluated_at"}}, "latest column 'no_such'"),
        ({"latest": "run_id"}, "latest is"),
        ({"dimensions": [{"column": "run_id", "role": "x"}]}, "a table lists its measures"),
    ],
)
def test_latest_and_table_options_are_checked(whole_spec, change, message) -> None:
    broken = copy.deepcopy(whole_spec)
    _visual(broken, "dq_latest_run").update(change)
    with pytest.raises(SpecError, match=message):
        validate_spec(broken, view_names=view_names_by_source())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model_stage": None}, "evaluation needs a model_stage"),
        ({"model_stage": " "}, "model_stage names"),
        (
            {"evaluation": [{"column": "churn_roc_auc", "agg": "none"}]},
            "an aggregated numeric column",
        ),
        ({"evaluation": [{"column": "risk_band", "agg": "max"}]}, "an aggregated numeric"),
    ],
)
def test_model_options_are_checked(whole_spec, change, message) -> None:
    broken = copy.deepcopy(whole_spec)
    visual = _visual(broken, "churn_risk")
    visual.update(change)
    if visual.get("model_stage") is None:
        visual.pop("model_stage")
    with pytest.raises(SpecError, match=message):
        validate_spec(broken, view_names=view_names_by_source())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"agg": "ratio"}, "column None is not declared"),  # a ratio needs `per`
        ({"agg": "ratio", "per": "segment"}, "numeric columns only"),
        ({"column": "segment", "agg": "share"}, "numeric columns only"),
    ],
)
def test_share_and_ratio_measures_are_checked(whole_spec, change, message) -> None:
    broken = copy.deepcopy(whole_spec)
    measures = _visual(broken, "segment_profile")["measures"]
    measures[2] = {**measures[2], **change}  # customer_share: a share of customers
    with pytest.raises(SpecError, match=message):
        validate_spec(broken, view_names=view_names_by_source())


def test_a_share_on_hover_or_a_grouped_table_out_of_order_is_an_error(whole_spec) -> None:
    broken = copy.deepcopy(whole_spec)
    _visual(broken, "churn_risk")["tooltip"][0]["agg"] = "share"
    with pytest.raises(SpecError, match="not share or ratio"):
        validate_spec(broken, view_names=view_names_by_source())
    broken = copy.deepcopy(whole_spec)
    _visual(broken, "dq_latest_run")["measures"][0]["agg"] = "count"  # before agg none columns
    with pytest.raises(SpecError, match="agg none first"):
        validate_spec(broken, view_names=view_names_by_source())


def test_unknown_column_is_a_named_error(whole_spec) -> None:
    broken = copy.deepcopy(whole_spec)
    broken["sheets"][0]["visuals"][0]["measures"][0]["column"] = "no_such_column"
    with pytest.raises(SpecError, match="no_such_column"):
        validate_spec(broken, view_names=view_names_by_source())


def test_unknown_view_is_a_named_error(whole_spec) -> None:
    broken = copy.deepcopy(whole_spec)
    broken["datasets"]["no_such_view"] = {"x": "STRING"}
    with pytest.raises(SpecError, match="no_such_view"):
        validate_spec(broken, view_names=view_names_by_source())


def test_resolving_for_the_other_source_is_an_error(spec) -> None:
    with pytest.raises(SpecError, match="resolved for clickstream"):
        for_source(spec, "online-retail")


def test_declared_columns_exist_on_a_clickstream_lake(spec, sql_lake) -> None:
    with LocalEngine(sql_lake.lake) as engine:
        assert engine.source == "clickstream"
        assert check_against_schema(spec, engine.schema()) == []


def test_declared_columns_exist_on_a_retail_lake(retail_spec, retail_lake) -> None:
    with LocalEngine(retail_lake.lake) as engine:
        assert engine.source == "online-retail"
        assert check_against_schema(retail_spec, engine.schema()) == []


def test_engine_type_mismatch_is_reported() -> None:
    schema = {"kpi_summary": {"lifetime_revenue": "VARCHAR"}}
    problems = check_against_schema(
        {"datasets": {"kpi_summary": {"lifetime_revenue": "DECIMAL"}}}, schema
    )
    assert problems == ["kpi_summary.lifetime_revenue: declared DECIMAL, engine has VARCHAR"]
