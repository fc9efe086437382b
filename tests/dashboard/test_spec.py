"""The spec: structure, references, and its declared columns against the local engine."""

from __future__ import annotations

import copy

import pytest

from ecom.catalog.ddl import view_files
from ecom.dashboard.spec import (
    SpecError,
    check_against_schema,
    is_local_source,
    validate_spec,
    visuals,
)
from ecom.query.local import LocalEngine
from ecom.storage.lake import CATALOG_TABLES


def test_sheets_are_the_four_of_the_issue(spec) -> None:
    assert [sheet["title"] for sheet in spec["sheets"]] == [
        "Executive",
        "Customers",
        "Funnel",
        "Data quality",
    ]
    assert {f["id"] for f in spec["filters"]} == {"date_range", "category", "brand"}


def test_every_visual_reads_a_view_a_table_or_a_data_quality_source(spec) -> None:
    views = set(view_files())
    for _, visual in visuals(spec):
        source = visual["source"]
        assert source in views | set(CATALOG_TABLES) or source in spec["local_sources"], visual
    (sheet,) = [s for s in spec["sheets"] if s["id"] == "data_quality"]
    dq_visuals = [v for v in sheet["visuals"] if v["source"] == "dq_results"]
    assert {v["type"] for v in dq_visuals} == {"table", "bar"}
    assert not is_local_source(spec, "dq_results")  # an Athena table: on QuickSight too


def test_latest_and_table_options_are_checked(spec) -> None:
    table = next(v for _, v in visuals(spec) if v["type"] == "table")
    for change, message in (
        ({"latest": {"column": "run_id", "by": "details"}}, "must be a DATETIME column"),
        ({"latest": {"column": "no_such", "by": "evaluated_at"}}, "latest column 'no_such'"),
        ({"latest": "run_id"}, "latest is"),
        ({"dimensions": [{"column": "run_id", "role": "x"}]}, "a table lists its measures"),
    ):
        broken = copy.deepcopy(spec)
        next(v for _, v in visuals(broken) if v["id"] == table["id"]).update(change)
        with pytest.raises(SpecError, match=message):
            validate_spec(broken, view_names=set(view_files()))


def test_declared_columns_exist_with_compatible_types_on_the_local_engine(
    spec, dashboard_lake
) -> None:
    with LocalEngine(dashboard_lake) as engine:
        assert check_against_schema(spec, engine.schema()) == []


def test_unknown_column_is_a_named_error(spec) -> None:
    broken = copy.deepcopy(spec)
    broken["sheets"][0]["visuals"][0]["measures"][0]["column"] = "no_such_column"
    with pytest.raises(SpecError, match="no_such_column"):
        validate_spec(broken, view_names=set(view_files()))


def test_unknown_view_is_a_named_error(spec) -> None:
    broken = copy.deepcopy(spec)
    broken["datasets"]["no_such_view"] = {"x": "STRING"}
    with pytest.raises(SpecError, match="no_such_view"):
        validate_spec(broken, view_names=set(view_files()))


def test_engine_type_mismatch_is_reported(spec) -> None:
    schema = {"kpi_summary": {"lifetime_revenue": "VARCHAR"}}
    problems = check_against_schema(
        {"datasets": {"kpi_summary": {"lifetime_revenue": "DECIMAL"}}}, schema
    )
    assert problems == ["kpi_summary.lifetime_revenue: declared DECIMAL, engine has VARCHAR"]
