"""Some views of a lake on both engines: created from copies of their SQL files alone (a
lake of one source lacks the tables of the other source's views), checked to agree row by
row, and the local engine handed back for the test's own sums."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ecom.catalog.ddl import view_files
from ecom.query.local import LocalEngine
from ecom.query.spark import SparkSqlRunner
from tests.sql.helpers import close, normalised_rows


@contextmanager
def agreeing_views(
    spark, lake_root: str, views: tuple[str, ...], folder: Path
) -> Iterator[LocalEngine]:
    """Create `views` on DuckDB and Spark SQL over `lake_root`, assert every view has rows
    and the same rows (floats within `close`) on both, then yield the DuckDB engine."""
    (folder / "views").mkdir()
    for view in views:
        shutil.copy(view_files()[view], folder / "views" / f"{view}.sql")
    with LocalEngine(lake_root, sql_dir=folder) as local:
        runner = SparkSqlRunner(spark, lake_root, sql_dir=folder)
        runner.create_views()
        try:
            for view in views:
                duck = local.query(f"select * from {view}")
                other = runner.query(f"select * from {view}")
                assert duck.columns == other.columns
                assert duck.rows, view
                duck_rows, spark_rows = normalised_rows(duck.rows), normalised_rows(other.rows)
                assert len(duck_rows) == len(spark_rows)
                for left, right in zip(duck_rows, spark_rows, strict=True):
                    assert all(close(a, b) for a, b in zip(left, right, strict=True)), view
        finally:
            runner.close()
        yield local
