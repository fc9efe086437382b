"""Catalog registration: the local catalog and Glue (moto) both hold the schema written, and
the lake's source; a table published without data files is still registered."""

from __future__ import annotations

import copy
import json
import shutil

import boto3
import pyarrow.dataset as ds
import pytest
from moto import mock_aws
from pyspark.sql import types as T

from ecom.catalog import (
    catalog_for,
    glue_columns,
    load_local_catalog,
    register_glue,
    spark_table_schemas,
    table_input,
    table_schemas,
)
from ecom.catalog.glue import GlueRegistrationError, registered_source
from ecom.catalog.local import NoPipelineRunError, build_local_catalog, register_local
from ecom.catalog.schema import hive_type_of_arrow
from ecom.quality import RESULT_SCHEMA
from ecom.query.local import LocalEngine
from ecom.query.spark import SparkSqlRunner
from ecom.storage import tablestore
from ecom.storage.lake import catalog_tables
from tests.sql.helpers import SOURCES, ddl_columns, lake_of

DATABASE = "ecom_test"
REGION = "us-east-1"


@pytest.fixture
def aws_credentials(monkeypatch):
    """Fake credentials so no call can reach a real account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)


def published_folders(lake, table):
    """(folder, partition value) of the table's published data, from the publication file."""
    zone = lake / "curated"
    snapshot = json.loads((zone / "_current.json").read_text())
    entry = snapshot["tables"][table]
    if "version" in entry:
        return [(zone / table / entry["version"], None)], None
    key = entry["partition_key"]
    folders = [
        (zone / table / version / f"{key}={value}", value)
        for value, version in sorted(entry["partitions"].items())
    ]
    return folders, key


def published_dataset(lake, table):
    folders, _ = published_folders(lake, table)
    files = [str(path) for folder, _ in folders for path in sorted(folder.glob("*.parquet"))]
    return ds.dataset(files, format="parquet")


def parquet_schema(lake, table):
    """(columns, partition columns) of a published curated table read by pyarrow as Glue types."""
    _, key = published_folders(lake, table)
    columns = [
        (field.name, hive_type_of_arrow(field.type))
        for field in published_dataset(lake, table).schema
        if field.name != key
    ]
    return columns, [key] if key else []


SOURCE_TABLES = [(source, table) for source in SOURCES for table in catalog_tables(source)]


@pytest.mark.e2e  # opens the source's pipeline lake by name (lake_of)
@pytest.mark.parametrize(("source", "table"), SOURCE_TABLES)
def test_local_catalog_schema_equals_the_parquet_schema(request, source, table):
    lake = lake_of(request, source)
    entry = load_local_catalog(lake)["tables"][table]
    columns, partition_keys = parquet_schema(lake, table)
    assert [(c["name"], c["type"]) for c in entry["columns"]] == columns
    assert [key["name"] for key in entry["partition_keys"]] == partition_keys
    if partition_keys:
        assert entry["partition_keys"][0]["type"] == "date"
        folders, _ = published_folders(lake, table)
        assert [values[0] for values in entry["partitions"]] == [value for _, value in folders]
    assert entry["rows"] == published_dataset(lake, table).count_rows()
    # The publication records the columns the run wrote: those of the Parquet files.
    recorded = publication(lake)["tables"][table]["columns"]
    assert [(c["name"], c["type"]) for c in recorded] == columns


@pytest.mark.e2e  # opens the source's pipeline lake by name (lake_of)
@pytest.mark.parametrize("source", SOURCES)
def test_local_catalog_records_the_lake_source_and_only_its_tables(request, source):
    catalog = load_local_catalog(lake_of(request, source))
    assert catalog["source"] == source
    assert set(catalog["tables"]) == set(catalog_tables(source))


def test_local_catalog_of_an_empty_lake_says_run_the_pipeline(tmp_path):
    with pytest.raises(NoPipelineRunError, match="no pipeline run yet"):
        build_local_catalog(tmp_path)


def test_glue_columns_of_a_spark_schema():
    schema = T.StructType(
        [
            T.StructField("user_id", T.LongType()),
            T.StructField("quantity", T.IntegerType()),
            T.StructField("revenue", T.DecimalType(18, 2)),
            T.StructField("purchased_at", T.TimestampType()),
            T.StructField("purchase_date", T.DateType()),
            T.StructField("is_buyer", T.BooleanType()),
            T.StructField("brand", T.StringType()),
        ]
    )
    assert glue_columns(schema, exclude=("purchase_date",)) == [
        {"Name": "user_id", "Type": "bigint"},
        {"Name": "quantity", "Type": "int"},
        {"Name": "revenue", "Type": "decimal(18,2)"},
        {"Name": "purchased_at", "Type": "timestamp"},
        {"Name": "is_buyer", "Type": "boolean"},
        {"Name": "brand", "Type": "string"},
    ]


@pytest.mark.e2e  # opens the source's pipeline lake by name (lake_of)
@pytest.mark.parametrize("source", SOURCES)
def test_spark_schemas_equal_the_local_catalog(request, spark, source):
    lake = lake_of(request, source)
    from_spark = {t.name: t for t in spark_table_schemas(spark, str(lake / "curated"))}
    from_local = {t.name: t for t in table_schemas(load_local_catalog(lake))}
    assert set(from_spark) == set(catalog_tables(source))
    assert from_spark == from_local


ROOT = "s3://curated-bucket/curated"


def publication(lake):
    return json.loads((lake / "curated" / "_current.json").read_text())


def all_partitions(glue, table):
    return {
        tuple(p["Values"]): p["StorageDescriptor"]["Location"]
        for page in glue.get_paginator("get_partitions").paginate(
            DatabaseName=DATABASE, TableName=table
        )
        for p in page["Partitions"]
    }


@mock_aws
def test_glue_registration_locates_tables_and_partitions_at_published_versions(
    aws_credentials, sql_lake
):
    glue = boto3.client("glue", region_name=REGION)
    tables = table_schemas(load_local_catalog(sql_lake.lake))
    snapshot = publication(sql_lake.lake)
    summary = register_glue(glue, DATABASE, ROOT, tables, snapshot)
    assert {name: item["action"] for name, item in summary["tables"].items()} == {
        name: "created" for name in catalog_tables("clickstream")
    }
    for table in tables:
        stored = glue.get_table(DatabaseName=DATABASE, Name=table.name)["Table"]
        storage = stored["StorageDescriptor"]
        assert [(c["Name"], c["Type"]) for c in storage["Columns"]] == [
            (c.name, c.type) for c in table.columns
        ]
        assert [(k["Name"], k["Type"]) for k in stored.get("PartitionKeys", [])] == [
            (k.name, k.type) for k in table.partition_keys
        ]
        entry = snapshot["tables"][table.name]
        if table.partition_keys:
            assert storage["Location"] == f"{ROOT}/{table.name}/"
        else:  # the published version folder, not the table folder
            assert storage["Location"] == f"{ROOT}/{table.name}/{entry['version']}/"
        assert storage["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
        assert stored["Parameters"]["classification"] == "parquet"
        assert not any(key.startswith("projection.") for key in stored["Parameters"])
        assert "storage.location.template" not in stored["Parameters"]

    purchases = snapshot["tables"]["fact_purchases"]
    registered = all_partitions(glue, "fact_purchases")
    assert registered == {
        (value,): f"{ROOT}/fact_purchases/{version}/purchase_date={value}/"
        for value, version in purchases["partitions"].items()
    }
    october = glue.get_partitions(
        DatabaseName=DATABASE,
        TableName="fact_purchases",
        Expression="purchase_date between '2019-10-01' and '2019-10-31'",
    )["Partitions"]
    assert sorted(p["Values"][0] for p in october) == sorted(
        value for value in purchases["partitions"] if value.startswith("2019-10")
    )
    dq = glue.get_table(DatabaseName=DATABASE, Name="dq_results")["Table"]
    assert [c["Name"] for c in dq["StorageDescriptor"]["Columns"]] == RESULT_SCHEMA.fieldNames()


@mock_aws
def test_glue_registration_follows_a_new_publication(aws_credentials, sql_lake):
    """Republished partitions move, dropped ones go, new ones come, projection is removed."""
    glue = boto3.client("glue", region_name=REGION)
    tables = table_schemas(load_local_catalog(sql_lake.lake))
    snapshot = publication(sql_lake.lake)
    sessions = next(t for t in tables if t.name == "fact_sessions")
    glue.create_database(DatabaseInput={"Name": DATABASE})
    legacy = table_input(sessions, f"{ROOT}/fact_sessions/")  # as registered before versions
    legacy["Parameters"] |= {
        "projection.enabled": "true",
        "storage.location.template": f"{ROOT}/fact_sessions/session_date=${{session_date}}/",
    }
    glue.create_table(DatabaseName=DATABASE, TableInput=legacy)
    register_glue(glue, DATABASE, ROOT, tables, snapshot)

    later = copy.deepcopy(snapshot)
    later["run_id"] = "later"
    partitions = later["tables"]["fact_sessions"]["partitions"]
    dropped, moved = sorted(partitions)[:2]
    del partitions[dropped]
    partitions[moved] = "v-later"
    partitions["2020-01-01"] = "v-later"
    later["tables"]["dim_user"]["version"] = "v-later"
    summary = register_glue(glue, DATABASE, ROOT, tables, later)

    assert summary["tables"]["fact_sessions"] == {
        "action": "updated",
        "location": f"{ROOT}/fact_sessions/",
        "partitions_added": 1,
        "partitions_updated": 1,
        "partitions_removed": 1,
    }
    assert summary["tables"]["fact_purchases"]["partitions_updated"] == 0
    registered = all_partitions(glue, "fact_sessions")
    assert set(registered) == {(value,) for value in partitions}
    assert registered[(moved,)] == f"{ROOT}/fact_sessions/v-later/session_date={moved}/"
    assert registered[("2020-01-01",)] == (f"{ROOT}/fact_sessions/v-later/session_date=2020-01-01/")
    user = glue.get_table(DatabaseName=DATABASE, Name="dim_user")["Table"]
    assert user["StorageDescriptor"]["Location"] == f"{ROOT}/dim_user/v-later/"
    parameters = glue.get_table(DatabaseName=DATABASE, Name="fact_sessions")["Table"]["Parameters"]
    assert "projection.enabled" not in parameters
    assert "storage.location.template" not in parameters


@mock_aws
def test_glue_registration_of_an_unpublished_table_is_a_named_error(aws_credentials, sql_lake):
    glue = boto3.client("glue", region_name=REGION)
    tables = table_schemas(load_local_catalog(sql_lake.lake))
    snapshot = publication(sql_lake.lake)
    del snapshot["tables"]["dq_results"]
    with pytest.raises(GlueRegistrationError, match="dq_results: not in the curated publication"):
        register_glue(glue, DATABASE, ROOT, tables, snapshot)


@mock_aws
def test_glue_records_the_source_and_drops_another_sources_tables(
    aws_credentials, sql_lake, retail_lake
):
    """The database says which source its tables hold (where `ecom views --engine athena`
    reads it); registering a lake of another source removes the former star's tables."""
    glue = boto3.client("glue", region_name=REGION)
    clickstream = register_glue(
        glue,
        DATABASE,
        ROOT,
        table_schemas(load_local_catalog(sql_lake.lake)),
        publication(sql_lake.lake),
    )
    assert (clickstream["source"], clickstream["tables_removed"]) == ("clickstream", [])
    assert registered_source(glue, DATABASE) == "clickstream"
    retail = register_glue(
        glue,
        DATABASE,
        ROOT,
        table_schemas(load_local_catalog(retail_lake.lake)),
        publication(retail_lake.lake),
    )
    assert retail["source"] == "online-retail"
    assert retail["tables_removed"] == ["dim_category", "fact_sessions"]
    names = {table["Name"] for table in glue.get_tables(DatabaseName=DATABASE)["TableList"]}
    assert names == set(catalog_tables("online-retail"))
    database = glue.get_database(Name=DATABASE)["Database"]
    assert database["Parameters"] == {"ecom.source": "online-retail"}
    assert database["Description"] == "e-commerce analytics curated zone"
    assert registered_source(glue, "no_such_database") is None


@pytest.fixture(scope="module")
def no_adjustments_lake(spark, retail_lake, tmp_path_factory):
    """A copy of the retail lake whose fact_adjustments was rebuilt with no rows: a
    partitioned table written empty has no data file at all, only its publication entry."""
    lake = tmp_path_factory.mktemp("no-adjustments") / "lake"
    shutil.copytree(retail_lake.lake / "curated", lake / "curated")
    zone = str(lake / "curated")
    snapshot = tablestore.load(spark, zone)
    adjustments_df = tablestore.read_table(spark, zone, snapshot, "fact_adjustments")
    written = tablestore.write_version(
        spark, zone, "fact_adjustments", "empty", adjustments_df.limit(0), "adjustment_date"
    )
    assert written["partitions"] == {}
    previous = snapshot["tables"]["fact_adjustments"]
    snapshot["tables"]["fact_adjustments"] = tablestore.merge_entry(
        previous, written, replaced=list(previous["partitions"])
    )
    tablestore.publish(spark, zone, snapshot, "empty")
    register_local(lake)
    return lake


def test_a_table_published_without_data_files_keeps_its_schema(spark, no_adjustments_lake):
    data, partitions = ddl_columns("fact_adjustments", "online-retail")
    entry = load_local_catalog(no_adjustments_lake)["tables"]["fact_adjustments"]
    assert [(c["name"], c["type"]) for c in entry["columns"]] == data
    assert [(k["name"], k["type"]) for k in entry["partition_keys"]] == partitions
    assert (entry["files"], entry["rows"], entry["partitions"]) == (0, 0, [])
    from_spark = {
        t.name: t for t in spark_table_schemas(spark, str(no_adjustments_lake / "curated"))
    }
    assert [(c.name, c.type) for c in from_spark["fact_adjustments"].columns] == data
    local = LocalEngine(no_adjustments_lake)
    runner = SparkSqlRunner(spark, no_adjustments_lake)
    runner.create_views()
    try:
        for engine in (local, runner):
            result = engine.query("select * from fact_adjustments")
            assert result.columns == [name for name, _ in data + partitions]
            assert result.rows == []
            kinds = engine.query("select stock_code, line_kind from non_product_lines").rows
            assert sorted(kinds) == [("D", "cancellation"), ("PADS", "sale"), ("POST", "sale")]
    finally:
        local.close()
        runner.close()


@mock_aws
def test_glue_registers_a_table_published_without_data_files(
    aws_credentials, spark, no_adjustments_lake
):
    glue = boto3.client("glue", region_name=REGION)
    snapshot = publication(no_adjustments_lake)
    tables = spark_table_schemas(spark, str(no_adjustments_lake / "curated"), snapshot)
    summary = register_glue(glue, DATABASE, ROOT, tables, snapshot)
    assert summary["tables"]["fact_adjustments"] == {
        "action": "created",
        "location": f"{ROOT}/fact_adjustments/",
        "partitions_added": 0,
        "partitions_updated": 0,
        "partitions_removed": 0,
    }
    stored = glue.get_table(DatabaseName=DATABASE, Name="fact_adjustments")["Table"]
    data, partitions = ddl_columns("fact_adjustments", "online-retail")
    assert [(c["Name"], c["Type"]) for c in stored["StorageDescriptor"]["Columns"]] == data
    assert [(k["Name"], k["Type"]) for k in stored["PartitionKeys"]] == partitions
    assert all_partitions(glue, "fact_adjustments") == {}


@mock_aws
def test_the_catalog_a_glue_job_with_a_database_registers_in(aws_credentials, spark, sql_lake):
    """`catalog_for(curated, database)`, as the model job and `ecom run --glue-database`
    call it: Glue, with each table where the publication puts it."""
    glue = boto3.client("glue", region_name=REGION)
    curated = str(sql_lake.lake / "curated")
    catalog = catalog_for(curated, DATABASE, glue_client=glue)
    summary = catalog.register(spark)
    snapshot = publication(sql_lake.lake)
    assert (summary["catalog"], summary["source"]) == ("glue", "clickstream")
    assert registered_source(glue, DATABASE) == "clickstream"
    names = {t["Name"] for t in glue.get_tables(DatabaseName=DATABASE)["TableList"]}
    assert names == set(catalog_tables("clickstream"))
    user = glue.get_table(DatabaseName=DATABASE, Name="dim_user")["Table"]
    version = snapshot["tables"]["dim_user"]["version"]
    assert user["StorageDescriptor"]["Location"] == f"{curated}/dim_user/{version}/"
    purchases = snapshot["tables"]["fact_purchases"]["partitions"]
    assert all_partitions(glue, "fact_purchases") == {
        (value,): f"{curated}/fact_purchases/{version}/purchase_date={value}/"
        for value, version in purchases.items()
    }
