"""The query CLI's one-line errors, the views of each lake's source, and AthenaEngine on moto
with injected results."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

import boto3
import pytest
from moto import mock_aws
from moto.athena.models import QueryResults, athena_backends
from moto.core import DEFAULT_ACCOUNT_ID

from ecom.catalog.local import build_local_catalog, catalog_path
from ecom.cli import main
from ecom.query.athena import AthenaConfig, AthenaEngine
from ecom.query.local import LocalEngine
from tests.sql.test_catalog import REGION, aws_credentials  # noqa: F401 (fixture)
from tests.sql.test_sql_files import EXPECTED_RETAIL_VIEWS, EXPECTED_VIEWS


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("selec * from kpi_summary", "ecom query: error: syntax error at line 1"),
        ("select * from no_such_table", "ecom query: error: unknown table or view: no_such_table"),
        (
            "select no_such_column from kpi_summary",
            "ecom query: error: unknown column: no_such_column",
        ),
    ],
)
def test_query_errors_are_one_line(sql_lake, capsys, sql, message):
    assert main(["query", sql, "--lake", str(sql_lake.lake)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(message)
    assert err.count("\n") == 1 and "Traceback" not in err


def test_query_before_any_pipeline_run(tmp_path, capsys):
    assert main(["query", "select * from kpi_summary", "--lake", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no pipeline run yet: run `make demo` or `ecom run` first" in err
    assert err.count("\n") == 1


def test_query_prints_table_csv_and_json(sql_lake, capsys, monkeypatch):
    monkeypatch.setenv("ECOM_LAKE", str(sql_lake.lake))
    assert main(["query", "select * from kpi_summary"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[0] == "lifetime_revenue" and table[-1] == "(1 row)"
    assert (
        main(["query", "select year_month, revenue from monthly_revenue", "--format", "csv"]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "year_month,revenue" and len(lines) == 4
    assert main(["query", "select * from kpi_summary", "--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["total_customers"] > 0


def test_views_command_registers_and_creates_every_view(sql_lake, capsys):
    assert main(["views", "--lake", str(sql_lake.lake)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"created or replaced {len(EXPECTED_VIEWS)} views on local:")


def _column(name, kind):
    return {
        "CatalogName": "hive",
        "SchemaName": "",
        "TableName": "",
        "Name": name,
        "Label": name,
        "Type": kind,
        "Precision": 18,
        "Scale": 2,
        "Nullable": "UNKNOWN",
        "CaseSensitive": False,
    }


@mock_aws
def test_athena_engine_with_injected_results(aws_credentials):  # noqa: F811
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="athena-results")
    boto3.client("athena", region_name=REGION).create_work_group(
        Name="analytics",
        Configuration={"ResultConfiguration": {"OutputLocation": "s3://athena-results/q/"}},
    )
    rows = [
        {"Data": [{"VarCharValue": "lifetime_revenue"}, {"VarCharValue": "total_customers"}]},
        {"Data": [{"VarCharValue": "704182.77"}, {"VarCharValue": "1962"}]},
    ]
    columns = [_column("lifetime_revenue", "decimal"), _column("total_customers", "bigint")]
    backend = athena_backends[DEFAULT_ACCOUNT_ID][REGION]
    backend.query_results_queue.append(QueryResults(rows=rows, column_info=columns))
    config = AthenaConfig.from_env(
        {
            "ECOM_ATHENA_WORKGROUP": "analytics",
            "ECOM_ATHENA_OUTPUT": "s3://athena-results/q/",
            "AWS_REGION": REGION,
            "ECOM_ATHENA_DATABASE": "ecom_test",
        }
    )
    engine = AthenaEngine(config, poll_interval=0.01)
    result = engine.query("select lifetime_revenue, total_customers from kpi_summary")
    assert result.columns == ["lifetime_revenue", "total_customers"]
    assert result.rows == [(Decimal("704182.77"), 1962)]
    executions = list(backend.executions.values())
    assert executions[-1].query == "select lifetime_revenue, total_customers from kpi_summary"
    assert executions[-1].workgroup.name == "analytics"
    assert executions[-1].context["Database"] == "ecom_test"
    created = engine.create_views()
    assert len(created) == len(EXPECTED_VIEWS)
    sent = [execution.query for execution in backend.executions.values()][1:]
    assert all(query.startswith("create or replace view") for query in sent)
    assert sent[created.index("kpi_summary")].startswith("create or replace view kpi_summary")
    engine.close()


def test_a_clickstream_lake_keeps_its_views(sql_lake):
    with LocalEngine(sql_lake.lake) as engine:
        assert engine.source == "clickstream"
        assert set(engine.views) == EXPECTED_VIEWS and len(engine.views) == len(EXPECTED_VIEWS)


def test_views_command_on_a_retail_lake_creates_the_retail_views(retail_lake, capsys):
    assert main(["views", "--lake", str(retail_lake.lake)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"created or replaced {len(EXPECTED_RETAIL_VIEWS)} views on local:")
    assert out.rstrip().endswith("(source: online-retail)")
    names = out.split(": ", 1)[1].rsplit(" (", 1)[0].split(", ")
    assert set(names) == EXPECTED_RETAIL_VIEWS
    assert main(["views", "--lake", str(retail_lake.lake), "--source", "clickstream"]) == 2
    assert "--source is for --engine athena" in capsys.readouterr().err


def test_a_catalog_saved_before_sources_were_recorded_is_rebuilt(retail_lake, tmp_path):
    lake = tmp_path / "lake"
    shutil.copytree(retail_lake.lake / "curated", lake / "curated")
    older = {**build_local_catalog(lake), "version": 1}
    del older["source"]
    catalog_path(lake).parent.mkdir(parents=True)
    catalog_path(lake).write_text(json.dumps(older))
    with LocalEngine(lake) as engine:
        assert engine.source == "online-retail"
        assert "revenue_by_country" in engine.views and "session_funnel" not in engine.views


@mock_aws
def test_athena_engine_creates_the_views_of_the_source_glue_records(aws_credentials):  # noqa: F811
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="athena-results")
    boto3.client("glue", region_name=REGION).create_database(
        DatabaseInput={"Name": "ecom_retail", "Parameters": {"ecom.source": "online-retail"}}
    )
    config = AthenaConfig(
        database="ecom_retail", output_location="s3://athena-results/q/", region=REGION
    )
    engine = AthenaEngine(config, poll_interval=0.01)
    assert engine.source == "online-retail"
    assert set(engine.create_views()) == EXPECTED_RETAIL_VIEWS
    told = AthenaEngine(config, poll_interval=0.01, source="clickstream")
    assert set(told.create_views()) == EXPECTED_VIEWS
    unregistered = AthenaEngine(
        AthenaConfig(database="ecom_new", output_location="s3://athena-results/q/", region=REGION),
        poll_interval=0.01,
    )
    assert unregistered.source == "clickstream"  # a database registered before sources were
    for opened in (engine, told, unregistered):
        opened.close()
