"""ecom.runtime.spark: extra Spark settings from the environment."""

from __future__ import annotations

import pytest

from ecom.runtime.spark import EXTRA_CONF_ENV, extra_conf


def test_extra_conf_parses_whitespace_separated_pairs() -> None:
    text = " spark.eventLog.enabled=true\n spark.eventLog.dir=file:///tmp/a=b "
    assert extra_conf(text) == {
        "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": "file:///tmp/a=b",  # split at the first '=' only
    }


def test_extra_conf_is_empty_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(EXTRA_CONF_ENV, raising=False)
    assert extra_conf() == {}


def test_extra_conf_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_CONF_ENV, "spark.a=1 spark.b=")
    assert extra_conf() == {"spark.a": "1", "spark.b": ""}


@pytest.mark.parametrize("text", ["spark.a", "=1", "spark.a=1 oops"])
def test_extra_conf_rejects_an_item_without_a_key_and_value(text: str) -> None:
    with pytest.raises(ValueError, match=EXTRA_CONF_ENV):
        extra_conf(text)


def test_local_session_lists_many_partition_folders_without_a_spark_job(spark, tmp_path) -> None:
    """Past 32 paths Spark lists partition folders with a job unless told otherwise
    (spark.sql.sources.parallelPartitionDiscovery.threshold): the local session lists on
    the driver."""
    days = 40
    path = str(tmp_path / "table")
    spark.range(days).selectExpr("id", "cast(id as int) as day").write.partitionBy("day").parquet(
        path
    )
    folders = [f"{path}/day={day}" for day in range(days)]
    tracker = spark.sparkContext.statusTracker()
    spark.sparkContext.setJobGroup("listing", "read 40 partition folders")
    try:
        # With the schema given: inferring it from the files would run a job of its own.
        frame = spark.read.schema("id bigint, day int").option("basePath", path).parquet(*folders)
    finally:
        spark.sparkContext.setJobGroup("other", "after the listing")
    assert tracker.getJobIdsForGroup("listing") == []
    assert frame.count() == days


def test_test_session_takes_static_settings_at_start(spark) -> None:
    """local_session's `conf` reaches settings Spark only reads at start (the tests' codegen
    cache, tests/conftest.py)."""
    from tests.conftest import TEST_STATIC_CONF

    for key, value in TEST_STATIC_CONF.items():
        assert spark.conf.get(key) == value
