"""Catalog registration of the curated tables: a local JSON catalog and the Glue Data Catalog.

- `catalog_for(curated_path, database)`: the one `Catalog` a run registers in (local or Glue),
  used by both the local pipeline and the Glue entry scripts.

- `register_local(lake_root)`: `<lake>/catalog/catalog.json` from the curated publication.
- `register_glue(glue_client, database, curated_path, tables, snapshot)`: database, tables
  and partitions in Glue, each located at the version folder the publication names;
  `spark_table_schemas(spark, curated_path, snapshot)` gives the published tables' schemas.
"""

from ecom.catalog.base import Catalog, NoCatalog, catalog_for
from ecom.catalog.glue import GlueCatalog, register_glue, spark_table_schemas, table_input
from ecom.catalog.local import (
    LocalCatalog,
    NoPipelineRunError,
    build_local_catalog,
    catalog_path,
    load_local_catalog,
    register_local,
    table_schemas,
)
from ecom.catalog.schema import Column, TableSchema, glue_columns

__all__ = [
    "Catalog",
    "Column",
    "GlueCatalog",
    "LocalCatalog",
    "NoCatalog",
    "NoPipelineRunError",
    "TableSchema",
    "build_local_catalog",
    "catalog_for",
    "catalog_path",
    "glue_columns",
    "load_local_catalog",
    "register_glue",
    "register_local",
    "spark_table_schemas",
    "table_input",
    "table_schemas",
]
