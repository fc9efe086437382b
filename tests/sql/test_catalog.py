"""Catalog registration: the local catalog and Glue (moto) both hold the schema written."""

from __future__ import annotations

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
    table_schemas,
)
from ecom.catalog.local import NoPipelineRunError, build_local_catalog
from ecom.catalog.schema import hive_type_of_arrow
from ecom.lake import CURATED_TABLES

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


def parquet_schema(lake, table):
    """(columns, partition columns) of a curated table read by pyarrow as Glue types."""
    dataset = ds.dataset(
        lake / "curated" / table, format="parquet", partitioning="hive", ignore_prefixes=["_", "."]
    )
    partition_dirs = {
        path.parent.name.split("=")[0] for path in (lake / "curated" / table).glob("*=*/*")
    }
    columns = [
        (field.name, hive_type_of_arrow(field.type))
        for field in dataset.schema
        if field.name not in partition_dirs
    ]
    return columns, sorted(partition_dirs)


@pytest.mark.parametrize("table", CURATED_TABLES)
def test_local_catalog_schema_equals_the_parquet_schema(sql_lake, table):
    entry = load_local_catalog(sql_lake.lake)["tables"][table]
    columns, partition_keys = parquet_schema(sql_lake.lake, table)
    assert [(c["name"], c["type"]) for c in entry["columns"]] == columns
    assert [key["name"] for key in entry["partition_keys"]] == partition_keys
    if partition_keys:
        assert entry["partition_keys"][0]["type"] == "date"
        on_disk = sorted(
            p.name.split("=")[1] for p in (sql_lake.lake / "curated" / table).glob("*=*")
        )
        assert [values[0] for values in entry["partitions"]] == on_disk
    assert entry["rows"] == dataset_rows(sql_lake.lake, table)


def dataset_rows(lake, table):
    return ds.dataset(
        lake / "curated" / table, format="parquet", ignore_prefixes=["_", "."]
    ).count_rows()


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
    assert from_spark == from_local


@mock_aws
def test_glue_registration_tables_and_partitions(aws_credentials, sql_lake):
    glue = boto3.client("glue", region_name=REGION)
    tables = table_schemas(load_local_catalog(sql_lake.lake))
    root = "s3://curated-bucket/curated"
    summary = register_glue(glue, DATABASE, root, tables)
    assert {name: item["action"] for name, item in summary["tables"].items()} == {
        name: "created" for name in CURATED_TABLES
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
        assert storage["Location"] == f"{root}/{table.name}/"
        assert storage["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
        assert stored["Parameters"]["classification"] == "parquet"

    purchases = next(t for t in tables if t.name == "fact_purchases")
    partitions = glue.get_partitions(DatabaseName=DATABASE, TableName="fact_purchases")
    assert sorted(p["Values"] for p in partitions["Partitions"]) == purchases.partitions
    october = glue.get_partitions(
        DatabaseName=DATABASE,
        TableName="fact_purchases",
        Expression="purchase_date between '2019-10-01' and '2019-10-31'",
    )["Partitions"]
    assert sorted(p["Values"][0] for p in october) == [
        values[0] for values in purchases.partitions if values[0].startswith("2019-10")
    ]
    first = sorted(october, key=lambda p: p["Values"])[0]
    assert first["StorageDescriptor"]["Location"] == (
        f"{root}/fact_purchases/purchase_date={first['Values'][0]}/"
    )


@mock_aws
def test_glue_registration_is_idempotent_and_syncs_partitions(aws_credentials, sql_lake):
    glue = boto3.client("glue", region_name=REGION)
    tables = table_schemas(load_local_catalog(sql_lake.lake))
    register_glue(glue, DATABASE, "s3://bucket/curated", tables, projection_start="2019-10-01")
    sessions = next(t for t in tables if t.name == "fact_sessions")
    dropped, kept = sessions.partitions[0], sessions.partitions[1:]
    sessions.partitions = [*kept, ["2020-01-01"]]
    summary = register_glue(glue, DATABASE, "s3://bucket/curated", [sessions])
    assert summary["tables"]["fact_sessions"] == {
        "action": "updated",
        "partitions_added": 1,
        "partitions_removed": 1,
    }
    values = [
        p["Values"]
        for page in glue.get_paginator("get_partitions").paginate(
            DatabaseName=DATABASE, TableName="fact_sessions"
        )
        for p in page["Partitions"]
    ]
    assert dropped not in values and ["2020-01-01"] in values
    assert len(values) == len(kept) + 1
    parameters = glue.get_table(DatabaseName=DATABASE, Name="fact_purchases")["Table"]["Parameters"]
    assert parameters["projection.purchase_date.type"] == "date"
    assert parameters["storage.location.template"] == (
        "s3://bucket/curated/fact_purchases/purchase_date=${purchase_date}/"
    )
