"""Every SQL file parses in the Athena dialect, follows the house layout, and the DDL matches
the Parquet the pipeline writes; each source has its set of tables and views."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from ecom.catalog.ddl import ddl_files, render_ddl, sql_root, view_files
from ecom.catalog.schema import hive_type_of_arrow
from ecom.errors import InvalidArgumentError
from ecom.query.base import load_views
from ecom.storage import tablestore
from ecom.storage.lake import catalog_tables
from tests.sql.helpers import SOURCES, ddl_columns, lake_of

SQL_FILES = sorted(sql_root().rglob("*.sql"))
EXPECTED_VIEWS = {
    "user_ltv",
    "kpi_summary",
    "monthly_revenue",
    "weekday_revenue",
    "top_brands",
    "top_categories",
    "ltv_tier_distribution",
    "daily_kpis",
    "product_performance",
    "rfm_segments",
    "cohort_retention",
    "session_funnel",
    "customer_segments",
    "customer_segments_by_country",
    "segment_transitions",
    "segment_model_quality",
    "churn_risk",
    "clv_forecast",
    "model_evaluation",
}
EXPECTED_RETAIL_VIEWS = {
    "user_ltv",
    "kpi_summary",
    "monthly_revenue",
    "weekday_revenue",
    "ltv_tier_distribution",
    "daily_kpis",
    "product_performance",
    "rfm_segments",
    "cohort_retention",
    "revenue_by_country",
    "non_product_lines",
    "customer_segments",
    "customer_segments_by_country",
    "segment_transitions",
    "segment_model_quality",
    "churn_risk",
    "clv_forecast",
    "model_evaluation",
}
VIEWS_BY_SOURCE = {"clickstream": EXPECTED_VIEWS, "online-retail": EXPECTED_RETAIL_VIEWS}
SOURCE_VIEWS = [(source, name) for source in SOURCES for name in sorted(VIEWS_BY_SOURCE[source])]
SOURCE_TABLES = [(source, table) for source in SOURCES for table in catalog_tables(source)]


@pytest.mark.parametrize(
    "path", SQL_FILES, ids=lambda path: str(path.relative_to(sql_root()).as_posix())
)
def test_sql_file_parses_in_athena_dialect(path):
    statements = sqlglot.parse(path.read_text(), read="athena")
    assert len([s for s in statements if s is not None]) == 1, "one statement per file"


def test_every_catalog_table_has_ddl_and_every_view_a_file():
    assert set(ddl_files()) == set(catalog_tables("clickstream"))
    assert set(view_files()) == EXPECTED_VIEWS
    for source in SOURCES:
        assert set(ddl_files(source=source)) == set(catalog_tables(source)), source
        assert set(view_files(source=source)) == VIEWS_BY_SOURCE[source], source


def test_a_source_file_replaces_the_shared_one_of_its_name():
    shared = {path.stem for path in (sql_root() / "views").glob("*.sql")}
    assert shared == (EXPECTED_VIEWS & EXPECTED_RETAIL_VIEWS) - {
        "kpi_summary",
        "daily_kpis",
        "product_performance",
    }
    for source, folder in (("clickstream", "clickstream"), ("online-retail", "online_retail")):
        files = view_files(source=source)
        assert files["kpi_summary"] == sql_root() / "views" / folder / "kpi_summary.sql"
        assert files["user_ltv"] == sql_root() / "views" / "user_ltv.sql"
        assert ddl_files(source=source)["dim_time"] == sql_root() / "ddl" / "dim_time.sql"
    with pytest.raises(InvalidArgumentError, match="unknown"):
        view_files(source="weblogs")


@pytest.mark.parametrize(("source", "name"), SOURCE_VIEWS)
def test_view_file_is_one_create_or_replace_view_named_after_the_file(source, name):
    text = view_files(source=source)[name].read_text()
    assert text.startswith("-- grain: one row ")
    statement = sqlglot.parse_one(text, read="athena")
    assert isinstance(statement, exp.Create)
    assert statement.kind == "VIEW" and statement.args.get("replace")
    assert statement.this.name == name
    tokens = sqlglot.Dialect.get_or_raise("athena").tokenize(text)
    words = [text[t.start : t.end + 1] for t in tokens if t.token_type != TokenType.STRING]
    upper = [word for word in words if word != word.lower()]
    assert not upper, f"SQL is lowercase outside string literals: {upper}"


@pytest.mark.parametrize("source", SOURCES)
def test_views_load_in_dependency_order(source):
    views = load_views(source=source)
    order = [view.name for view in views]
    for view in views:
        for dependency in view.depends_on:
            assert order.index(dependency) < order.index(view.name)
    if source == "clickstream":
        assert {view.name: view.depends_on for view in views}["kpi_summary"] == {"user_ltv"}


@pytest.mark.e2e  # opens the source's pipeline lake by name (lake_of)
@pytest.mark.parametrize(("source", "table"), SOURCE_TABLES)
def test_ddl_columns_and_types_equal_the_parquet_written(request, source, table):
    zone = str(lake_of(request, source) / "curated")
    snapshot = tablestore.load_local(zone)
    locations = tablestore.data_locations(zone, snapshot, table)
    (path, *_) = [
        path for folder, _ in locations for path in sorted(Path(folder).glob("*.parquet"))
    ]
    schema = pq.read_schema(path)
    data, partitions = ddl_columns(table, source)
    partition_names = {name for name, _ in partitions}
    written = [
        (field.name, hive_type_of_arrow(field.type))
        for field in schema
        if field.name not in partition_names
    ]
    assert data == written
    key = snapshot["tables"][table].get("partition_key")
    assert partition_names == ({key} if key else set())
    assert all(kind == "date" for _, kind in partitions)


def test_ddl_declares_no_partition_projection_and_renders_locations():
    for path in sorted((sql_root() / "ddl").rglob("*.sql")):
        text = path.read_text()
        assert "projection" not in text.split("tblproperties")[1], path
        assert "storage.location.template" not in text, path
    sessions = render_ddl(ddl_files()["fact_sessions"].read_text(), "s3://bucket/curated/")
    statement = sqlglot.parse_one(sessions, read="athena")
    assert "LOCATION 's3://bucket/curated/fact_sessions/'" in statement.sql("athena")
    user = render_ddl(ddl_files()["dim_user"].read_text(), "s3://bucket/curated", "v-run1")
    statement = sqlglot.parse_one(user, read="athena")
    assert "LOCATION 's3://bucket/curated/dim_user/v-run1/'" in statement.sql("athena")
    with pytest.raises(InvalidArgumentError, match="pass version"):
        render_ddl(ddl_files()["dq_results"].read_text(), "s3://bucket/curated")
