"""Every SQL file parses in the Athena dialect, follows the house layout, and the DDL matches
the Parquet the pipeline writes."""

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
from ecom.storage.lake import CATALOG_TABLES
from tests.sql.helpers import ddl_columns

SQL_FILES = sorted(sql_root().glob("*/*.sql"))
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
    "segment_transitions",
    "segment_model_quality",
    "churn_risk",
    "clv_forecast",
    "model_evaluation",
}


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_sql_file_parses_in_athena_dialect(path):
    statements = sqlglot.parse(path.read_text(), read="athena")
    assert len([s for s in statements if s is not None]) == 1, "one statement per file"


def test_every_catalog_table_has_ddl_and_every_view_a_file():
    assert set(ddl_files()) == set(CATALOG_TABLES)
    assert set(view_files()) == EXPECTED_VIEWS


@pytest.mark.parametrize("name", sorted(EXPECTED_VIEWS))
def test_view_file_is_one_create_or_replace_view_named_after_the_file(name):
    text = view_files()[name].read_text()
    assert text.startswith("-- grain: one row ")
    statement = sqlglot.parse_one(text, read="athena")
    assert isinstance(statement, exp.Create)
    assert statement.kind == "VIEW" and statement.args.get("replace")
    assert statement.this.name == name
    tokens = sqlglot.Dialect.get_or_raise("athena").tokenize(text)
    words = [text[t.start : t.end + 1] for t in tokens if t.token_type != TokenType.STRING]
    upper = [word for word in words if word != word.lower()]
    assert not upper, f"SQL is lowercase outside string literals: {upper}"


def test_views_load_in_dependency_order():
    order = [view.name for view in load_views()]
    for view in load_views():
        for dependency in view.depends_on:
            assert order.index(dependency) < order.index(view.name)
    assert {view.name: view.depends_on for view in load_views()}["kpi_summary"] == {"user_ltv"}


@pytest.mark.parametrize("table", CATALOG_TABLES)
def test_ddl_columns_and_types_equal_the_parquet_written(sql_lake, table):
    zone = str(sql_lake.lake / "curated")
    snapshot = tablestore.load_local(zone)
    locations = tablestore.data_locations(zone, snapshot, table)
    (path, *_) = [
        path for folder, _ in locations for path in sorted(Path(folder).glob("*.parquet"))
    ]
    schema = pq.read_schema(path)
    data, partitions = ddl_columns(table)
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
    for table, path in ddl_files().items():
        text = path.read_text()
        assert "projection" not in text.split("tblproperties")[1], table
        assert "storage.location.template" not in text, table
    sessions = render_ddl(ddl_files()["fact_sessions"].read_text(), "s3://bucket/curated/")
    statement = sqlglot.parse_one(sessions, read="athena")
    assert "LOCATION 's3://bucket/curated/fact_sessions/'" in statement.sql("athena")
    user = render_ddl(ddl_files()["dim_user"].read_text(), "s3://bucket/curated", "v-run1")
    statement = sqlglot.parse_one(user, read="athena")
    assert "LOCATION 's3://bucket/curated/dim_user/v-run1/'" in statement.sql("athena")
    with pytest.raises(InvalidArgumentError, match="pass version"):
        render_ddl(ddl_files()["dq_results"].read_text(), "s3://bucket/curated")
