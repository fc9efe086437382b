"""The spec: structure, references, and its declared columns against the local engine."""

from __future__ import annotations

import copy

import pytest

from ecom.catalog.ddl import view_files
from ecom.dashboard.spec import SpecError, check_against_schema, validate_spec, visuals
from ecom.query.local import LocalEngine


def test_sheets_are_the_four_of_the_issue(spec) -> None:
    assert [sheet["title"] for sheet in spec["sheets"]] == [
        "Executive",
        "Customers",
        "Funnel",
        "Data quality",
    ]
    assert {f["id"] for f in spec["filters"]} == {"date_range", "category", "brand"}


def test_every_visual_reads_a_view_or_a_data_quality_source(spec) -> None:
    views = set(view_files())
    for _, visual in visuals(spec):
        source = visual["source"]
        assert source in views or source in spec["local_sources"], visual["id"]


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
