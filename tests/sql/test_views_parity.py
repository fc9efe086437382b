"""Every view runs on the local engine (DuckDB) and in Spark SQL over the same lake, and the
two agree row for row: on the clickstream lake decimals and floats normalised to 4 places, a
cent of tolerance; on the retail lake decimals exactly, to the last place."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecom.query.local import LocalEngine
from ecom.query.spark import SparkSqlRunner
from tests.sql.helpers import close, normalised_rows
from tests.sql.test_sql_files import EXPECTED_RETAIL_VIEWS, EXPECTED_VIEWS
from tests.sql.test_views_grain import CUSTOMER_GRAIN_KEYS


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


@pytest.fixture(scope="module")
def retail_engines(spark, retail_lake):
    local = LocalEngine(retail_lake.lake)
    runner = SparkSqlRunner(spark, retail_lake.lake)
    runner.create_views()
    yield local, runner
    local.close()
    runner.close()


def _exact(row):
    """Decimals as they are (their value), floats to 12 places, timestamps naive."""
    return tuple(
        round(value, 12)
        if isinstance(value, float)
        else value.replace(tzinfo=None)
        if hasattr(value, "tzinfo") and value.tzinfo
        else value
        for value in row
    )


@pytest.mark.parametrize("view", sorted(EXPECTED_RETAIL_VIEWS - set(CUSTOMER_GRAIN_KEYS)))
def test_retail_view_agrees_exactly_on_duckdb_and_spark(retail_engines, view):
    local, runner = retail_engines
    duck = local.query(f"select * from {view}")
    spark = runner.query(f"select * from {view}")
    assert duck.columns == spark.columns
    assert duck.rows, f"{view} is empty on the retail test lake"
    order = lambda row: tuple((value is not None, str(value)) for value in row)  # noqa: E731
    assert sorted(map(_exact, duck.rows), key=order) == sorted(map(_exact, spark.rows), key=order)


@pytest.mark.parametrize(
    ("sql", "trino"),
    [
        # 54.985 exactly: half up is 54.99; as a DOUBLE it is 54.98499... and casts to 54.98.
        ("select cast(cast(164.955 as decimal(18, 3)) / 3 as decimal(18, 2))", "54.99"),
        ("select cast(cast(-1.005 as decimal(18, 3)) / 1 as decimal(18, 2))", "-1.01"),
        # Widened first, as the views do: one rounding at 12 places, then to cents.
        (
            "select cast(cast(cast(2.675 as decimal(18, 3)) as decimal(38, 12)) / 1 "
            "as decimal(18, 2))",
            "2.68",
        ),
        (
            "select cast(cast(1.0 as decimal(18, 2)) / cast(0.3 as decimal(18, 1)) "
            "as decimal(18, 2))",
            "3.33",
        ),
    ],
    ids=["tie", "negative_tie", "widened", "decimal_divisor"],
)
def test_decimal_division_rounds_half_up_on_both_engines(engines, sql, trino):
    """What Athena returns for `cast(decimal / n as decimal(p, s))`, on both local engines."""
    local, runner = engines
    assert local.query(sql).rows == [(Decimal(trino),)]
    assert runner.query(sql).rows == [(Decimal(trino),)]


def test_decimal_quotient_keeps_trinos_scale_on_duckdb(engines):
    """Trino rounds 1.00 / 3.00 at 2 places (0.33) before the cast: DuckDB does the same."""
    local, _ = engines
    sql = "select cast(cast(1 as decimal(18, 2)) / cast(3 as decimal(18, 2)) as decimal(18, 4))"
    assert local.query(sql).rows == [(Decimal("0.3300"),)]
