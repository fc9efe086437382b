"""The table store on a temporary folder: what a publication names is what readers read, a
new publication replaces the old one whole, a run that stops before the pointer swap leaves
the old one readable, empty tables keep their columns, and vacuum removes only what no
recent publication names."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest
from chispa import assert_df_equality
from pyspark.sql.types import (
    DateType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
)

from ecom.runtime import faults
from ecom.storage import tablestore
from tests.lakeread import parquet_encodings, published_rows

PRODUCTS = StructType(
    [StructField("product_id", LongType(), True), StructField("brand", StringType(), True)]
)
EVENTS = StructType(
    [
        StructField("session_id", StringType(), True),
        StructField("views", LongType(), True),
        StructField("event_date", DateType(), True),
    ]
)
OCT_1, OCT_2, OCT_3 = date(2019, 10, 1), date(2019, 10, 2), date(2019, 10, 3)


@pytest.fixture
def zone(tmp_path) -> str:
    return str(tmp_path / "curated")


def products_df(spark, rows):
    return spark.createDataFrame(rows, PRODUCTS)


def events_df(spark, rows):
    return spark.createDataFrame(rows, EVENTS)


def publish_products(spark, zone, run_id, rows):
    """One run: write its version of `products`, name it in a new publication."""
    snapshot = tablestore.load(spark, zone)
    snapshot["tables"]["products"] = tablestore.write_version(
        spark, zone, "products", run_id, products_df(spark, rows)
    )
    return tablestore.publish(spark, zone, snapshot, run_id)


def test_a_zone_before_its_first_publication_is_empty(spark, zone):
    assert tablestore.load(spark, zone) == {"format": 1, "run_id": None, "tables": {}}
    assert tablestore.load_local(zone) == tablestore.empty_snapshot()
    snapshot = tablestore.load(spark, zone)
    with pytest.raises(KeyError, match="no published table 'products'"):
        tablestore.read_table(spark, zone, snapshot, "products")
    empty_df = tablestore.read_table(spark, zone, snapshot, "products", PRODUCTS)
    assert_df_equality(empty_df, products_df(spark, []))


def test_a_published_version_reads_back(spark, zone, tmp_path):
    document = publish_products(spark, zone, "run-1", [(1, "acme"), (2, None)])
    current = json.loads((tmp_path / "curated" / "_current.json").read_text())
    assert current == document
    assert current["run_id"] == "run-1"
    assert current["tables"]["products"] == {
        "version": "v-run-1",
        "columns": [{"name": "product_id", "type": "bigint"}, {"name": "brand", "type": "string"}],
    }
    history = list((tmp_path / "curated" / "_snapshots").glob("*.json"))  # not Hadoop's .crc
    assert [path.name.endswith("-run-1.json") for path in history] == [True]
    assert json.loads(history[0].read_text()) == current
    assert tablestore.load_local(zone) == current
    assert_df_equality(
        tablestore.read_published(spark, zone, "products"),
        products_df(spark, [(1, "acme"), (2, None)]),
        ignore_row_order=True,
    )


def test_a_second_publication_replaces_the_first(spark, zone, tmp_path):
    publish_products(spark, zone, "run-1", [(1, "acme"), (2, None)])
    publish_products(spark, zone, "run-2", [(3, "zenith")])
    assert_df_equality(
        tablestore.read_published(spark, zone, "products"), products_df(spark, [(3, "zenith")])
    )
    assert tablestore.load(spark, zone)["run_id"] == "run-2"
    # The old version stays on disk (a query may still read it) until vacuum.
    assert sorted(path.name for path in (tmp_path / "curated" / "products").iterdir()) == [
        "v-run-1",
        "v-run-2",
    ]


def test_a_run_that_stops_before_the_pointer_swap_leaves_the_old_version_readable(
    spark, zone, monkeypatch
):
    publish_products(spark, zone, "run-1", [(1, "acme")])

    def stop_before_swap(point):
        if point == "publish:curated":  # the history copy is written, _current.json is not
            raise SystemExit("killed")

    monkeypatch.setattr(faults, "checkpoint", stop_before_swap)
    with pytest.raises(SystemExit):
        publish_products(spark, zone, "run-2", [(2, "zenith")])
    assert tablestore.load(spark, zone)["run_id"] == "run-1"
    assert_df_equality(
        tablestore.read_published(spark, zone, "products"), products_df(spark, [(1, "acme")])
    )


def test_a_failed_pointer_write_keeps_the_old_document_whole(spark, zone, tmp_path, monkeypatch):
    publish_products(spark, zone, "run-1", [(1, "acme")])
    before = (tmp_path / "curated" / "_current.json").read_text()

    def fail(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        publish_products(spark, zone, "run-2", [(2, "zenith")])
    assert (tmp_path / "curated" / "_current.json").read_text() == before


def test_partitions_merge_across_runs(spark, zone):
    first = tablestore.write_version(
        spark,
        zone,
        "events",
        "run-1",
        events_df(spark, [("s1", 3, OCT_1), ("s2", 1, OCT_2)]),
        "event_date",
    )
    assert first == {
        "partition_key": "event_date",
        "partitions": {"2019-10-01": "v-run-1", "2019-10-02": "v-run-1"},
        "columns": [{"name": "session_id", "type": "string"}, {"name": "views", "type": "bigint"}],
    }
    # run-2 rewrites 10-02 and adds 10-03; 10-01 stays where run-1 wrote it.
    second = tablestore.write_version(
        spark,
        zone,
        "events",
        "run-2",
        events_df(spark, [("s2", 2, OCT_2), ("s3", 5, OCT_3)]),
        "event_date",
    )
    merged = tablestore.merge_entry(first, second, replaced=["2019-10-02"])
    assert merged["partitions"] == {
        "2019-10-01": "v-run-1",
        "2019-10-02": "v-run-2",
        "2019-10-03": "v-run-2",
    }
    snapshot = tablestore.publish(spark, zone, {"tables": {"events": merged}}, "run-2")
    assert tablestore.partition_values(snapshot, "events") == [
        "2019-10-01",
        "2019-10-02",
        "2019-10-03",
    ]
    assert_df_equality(
        tablestore.read_table(spark, zone, snapshot, "events", EVENTS),
        events_df(spark, [("s1", 3, OCT_1), ("s2", 2, OCT_2), ("s3", 5, OCT_3)]),
        ignore_row_order=True,
    )
    assert_df_equality(
        tablestore.read_table(spark, zone, snapshot, "events", EVENTS, ["2019-10-02"]),
        events_df(spark, [("s2", 2, OCT_2)]),
    )
    # The tests' reader outside Spark (tests/lakeread.py) sees the same publication.
    assert published_rows(zone, "events") == [
        ("s1", 3, "2019-10-01"),
        ("s2", 2, "2019-10-02"),
        ("s3", 5, "2019-10-03"),
    ]
    assert published_rows(zone, "events", drop=("views", "event_date")) == [
        ("s1",),
        ("s2",),
        ("s3",),
    ]


def test_a_replaced_partition_without_rows_goes():
    previous = {
        "partition_key": "event_date",
        "partitions": {"2019-10-01": "v-run-1", "2019-10-02": "v-run-1"},
        "columns": [{"name": "views", "type": "bigint"}],
    }
    written = {"partition_key": "event_date", "partitions": {}, "columns": []}
    merged = tablestore.merge_entry(previous, written, replaced=["2019-10-02"])
    # No columns in the new write: the previous entry's columns are kept.
    assert merged == {
        "partition_key": "event_date",
        "partitions": {"2019-10-01": "v-run-1"},
        "columns": [{"name": "views", "type": "bigint"}],
    }


def test_empty_tables_keep_their_columns(spark, zone):
    unpartitioned = tablestore.write_version(
        spark, zone, "products", "run-1", products_df(spark, [])
    )
    partitioned = tablestore.write_version(
        spark, zone, "events", "run-1", events_df(spark, []), "event_date"
    )
    assert partitioned["partitions"] == {}
    snapshot = tablestore.publish(
        spark, zone, {"tables": {"products": unpartitioned, "events": partitioned}}, "run-1"
    )
    assert tablestore.recorded_columns(snapshot, "products") == [
        {"name": "product_id", "type": "bigint"},
        {"name": "brand", "type": "string"},
    ]
    assert tablestore.recorded_columns(snapshot, "events") == [
        {"name": "session_id", "type": "string"},
        {"name": "views", "type": "bigint"},
    ]
    assert_df_equality(tablestore.read_published(spark, zone, "products"), products_df(spark, []))
    assert_df_equality(
        tablestore.read_table(spark, zone, snapshot, "events", EVENTS), events_df(spark, [])
    )
    with pytest.raises(KeyError, match="none of the partitions"):
        tablestore.read_table(spark, zone, snapshot, "events")


def test_vacuum_removes_what_no_recent_publication_names(spark, zone, tmp_path):
    for run in ("run-1", "run-2", "run-3"):
        publish_products(spark, zone, run, [(1, run)])
    # A run killed after writing its version and before publishing leaves an orphan.
    tablestore.write_version(spark, zone, "products", "run-4", products_df(spark, [(1, "x")]))
    removed = tablestore.vacuum(spark, zone)
    assert sorted(path.rsplit("/", 1)[-1] for path in removed) == ["v-run-1", "v-run-4"]
    assert sorted(path.name for path in (tmp_path / "curated" / "products").iterdir()) == [
        "v-run-2",
        "v-run-3",
    ]
    assert_df_equality(
        tablestore.read_published(spark, zone, "products"), products_df(spark, [(1, "run-3")])
    )


def test_paths_and_types_of_entries():
    assert tablestore.split_table_path("s3://bucket/lake/staged/events/") == (
        "s3://bucket/lake/staged",
        "events",
    )
    assert tablestore.version_name("jr_42") == "v-jr_42"
    schema = StructType(
        [
            StructField("at", DateType()),
            StructField("seen", TimestampNTZType()),
        ]
    )
    assert tablestore.schema_columns(schema, exclude=["at"]) == [
        {"name": "seen", "type": "timestamp"}  # Glue has no timestamp_ntz
    ]
    snapshot = {"tables": {"t": {"partition_key": "d", "partitions": {"b": "v-2", "a": "v-1"}}}}
    assert tablestore.data_locations("/lake/curated", snapshot, "t") == [
        ("/lake/curated/t/v-1/d=a", "a"),
        ("/lake/curated/t/v-2/d=b", "b"),
    ]
    assert tablestore.data_locations("/lake/curated", snapshot, "absent") == []
    assert tablestore.referenced_versions(snapshot) == {"t": {"v-1", "v-2"}}


def test_plain_columns_are_written_without_a_dictionary(spark, zone, tmp_path):
    rows = [(f"session-{index % 7}", index, OCT_1) for index in range(200)]
    options = tablestore.parquet_options(("views",))
    tablestore.write_version(
        spark, zone, "events", "run-1", events_df(spark, rows), "event_date", options=options
    )
    encodings = parquet_encodings(tmp_path / "curated" / "events" / "v-run-1")
    assert not any("DICTIONARY" in name for name in encodings["views"]), encodings
    assert any("DICTIONARY" in name for name in encodings["session_id"]), encodings
    assert_df_equality(  # the rows are as written, whatever the encoding
        tablestore.read_table(
            spark, zone, {"tables": {"events": {"version": "v-run-1"}}}, "events", EVENTS
        ),
        events_df(spark, rows),
        ignore_row_order=True,
    )
