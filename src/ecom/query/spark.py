"""SparkSqlRunner: the curated Parquet as temp views and sql/views in Spark SQL (parity tests).

The tables are those of the local catalog (a table published without data files becomes an
empty DataFrame of its recorded columns); the views those of the lake's source. They are
transpiled from the Athena dialect to Spark SQL (with the trap fixes of
`ecom.query.transpile`) and registered as temporary views in dependency order, since a
permanent view may not read temporary ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecom.catalog.local import current_catalog
from ecom.query.base import QueryResult, load_views
from ecom.query.transpile import parse_athena, transpile
from ecom.storage import tablestore
from ecom.storage.lake import Lake

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


class SparkSqlRunner:
    """Athena SQL over a local lake's curated tables, in a new session of the given one (the
    same SparkContext): its temporary views never meet another runner's (another lake's)."""

    name = "spark"

    def __init__(
        self,
        spark: SparkSession,
        lake_root: str | Path,
        *,
        catalog: dict[str, Any] | None = None,
        sql_dir: Path | None = None,
    ) -> None:
        spark = spark.newSession()
        self.spark = spark
        self.sql_dir = sql_dir
        self.catalog = catalog or current_catalog(lake_root)
        self.source: str = self.catalog["source"]
        self.names: list[str] = []
        zone = Lake(str(Path(lake_root).resolve())).curated
        published = tablestore.load(spark, zone)  # what the catalog was built from
        for name, table in self.catalog["tables"].items():
            if table["data_files"]:
                table_df = tablestore.read_table(spark, zone, published, name)
            else:
                columns = [*table["columns"], *table.get("partition_keys", [])]
                ddl = ", ".join(f"`{column['name']}` {column['type']}" for column in columns)
                table_df = spark.createDataFrame([], ddl)
            table_df.createOrReplaceTempView(name)
            self.names.append(name)
        self.views: list[str] = []

    def schema(self) -> dict[str, dict[str, str]]:
        """Column types of every registered table and view (Spark type names)."""
        return {
            name: {
                field.name: field.dataType.simpleString()
                for field in self.spark.table(name).schema.fields
            }
            for name in [*self.names, *self.views]
        }

    def to_spark(self, sql: str) -> list[str]:
        return transpile(sql, "spark", self.schema(), schema_dialect="spark")

    def create_views(self) -> list[str]:
        """Register every view of the lake's source as a temp view, in dependency order."""
        for view in load_views(self.sql_dir, self.source):
            query = parse_athena(view.sql)[0].expression
            select_sql = transpile(query, "spark", self.schema(), schema_dialect="spark")[0]
            self.spark.sql(select_sql).createOrReplaceTempView(view.name)
            self.views.append(view.name)
        return list(self.views)

    def query(self, sql: str) -> QueryResult:
        """Run Athena SQL in Spark; the rows of the last statement (collected: small results)."""
        result = QueryResult(columns=[])
        for statement in self.to_spark(sql):
            frame = self.spark.sql(statement)
            result = QueryResult(
                columns=frame.columns,
                types=[field.dataType.simpleString() for field in frame.schema.fields],
                rows=[tuple(row) for row in frame.collect()],
            )
        return result

    def close(self) -> None:
        for name in [*self.views, *self.names]:
            self.spark.catalog.dropTempView(name)
