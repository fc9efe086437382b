"""Every view runs on the local engine (DuckDB) and in Spark SQL over the same lake, and the
two agree row for row (decimals and floats normalised to 4 places, a cent of tolerance)."""

from __future__ import annotations

import pytest

from ecom.query.local import LocalEngine
from ecom.query.spark import SparkSqlRunner
from tests.sql.helpers import close, normalised_rows
from tests.sql.test_sql_files import EXPECTED_VIEWS


@pytest.fixture(scope="module")
def engines(spark, sql_lake):
    local = LocalEngine(sql_lake.lake)
    runner = SparkSqlRunner(spark, sql_lake.lake)
    runner.create_views()
    yield local, runner
    local.close()
    runner.close()


@pytest.mark.parametrize("view", sorted(EXPECTED_VIEWS))
def test_view_agrees_on_duckdb_and_spark(engines, view):
    local, runner = engines
    duck = local.query(f"select * from {view}")
    spark = runner.query(f"select * from {view}")
    assert duck.columns == spark.columns
    assert duck.rows, f"{view} is empty on the test lake"
    duck_rows, spark_rows = normalised_rows(duck.rows), normalised_rows(spark.rows)
    assert len(duck_rows) == len(spark_rows)
    for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True):
        assert all(close(a, b) for a, b in zip(duck_row, spark_row, strict=True)), (
            f"{view}: {duck_row} != {spark_row}"
        )


@pytest.mark.parametrize(
    ("sql", "trino"),
    [
        ("select day_of_week(date '2019-10-06'), day_of_week(date '2019-10-07')", [(7, 1)]),
        (
            "select date_diff('day', timestamp '2019-10-01 23:00:00', "
            "timestamp '2019-10-02 01:00:00')",
            [(0,)],
        ),
        ("select date_diff('month', date '2019-10-31', date '2019-11-01')", [(0,)]),
        ("select 7 / 2, count(*) / count(*) from dim_time", [(3, 1)]),
        (
            "select format_datetime(timestamp '2019-10-06 13:05:09', 'yyyy-MM-dd HH:mm:ss EEEE')",
            [("2019-10-06 13:05:09 Sunday",)],
        ),
    ],
    ids=["day_of_week", "date_diff_timestamps", "date_diff_months", "int_division", "format"],
)
def test_dialect_traps_give_trino_results_on_both_engines(engines, sql, trino):
    """What Athena (Trino) returns for each documented trap, on both local engines."""
    local, runner = engines
    assert local.query(sql).rows == trino
    assert runner.query(sql).rows == trino
