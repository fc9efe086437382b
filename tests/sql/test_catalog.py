"""Catalog registration: the local catalog and Glue (moto) both hold the schema written."""

from __future__ import annotations

import copy
import json

import boto3
import pyarrow.dataset as ds
import pytest
from moto import mock_aws
from pyspark.sql import types as T

from ecom.catalog import (
    glue_columns,
    load_local_catalog,
    register_glue,
    spark_table_schemas,
    table_input,
    table_schemas,
)
from ecom.catalog.glue import GlueRegistrationError
from ecom.catalog.local import NoPipelineRunError, build_local_catalog
from ecom.catalog.schema import hive_type_of_arrow
from ecom.quality import RESULT_SCHEMA
from ecom.storage.lake import CATALOG_TABLES

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


@pytest.mark.parametrize("table", CATALOG_TABLES)
def test_local_catalog_schema_equals_the_parquet_schema(sql_lake, table):
    entry = load_local_catalog(sql_lake.lake)["tables"][table]
    columns, partition_keys = parquet_schema(sql_lake.lake, table)
    assert [(c["name"], c["type"]) for c in entry["columns"]] == columns
    assert [key["name"] for key in entry["partition_keys"]] == partition_keys
    if partition_keys:
        assert entry["partition_keys"][0]["type"] == "date"
        folders, _ = published_folders(sql_lake.lake, table)
        assert [values[0] for values in entry["partitions"]] == [value for _, value in folders]
    assert entry["rows"] == published_dataset(sql_lake.lake, table).count_rows()


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


def test_spark_schemas_equal_the_local_catalog(spark, sql_lake):
    from_spark = {t.name: t for t in spark_table_schemas(spark, str(sql_lake.lake / "curated"))}
    from_local = {t.name: t for t in table_schemas(load_local_catalog(sql_lake.lake))}
    assert set(from_spark) == set(CATALOG_TABLES)
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
        name: "created" for name in CATALOG_TABLES
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
