"""The SQL files of the repository: where they live and how DDL placeholders are filled.

A lake holds one raw source, so the SQL comes in two layers: `sql/ddl/*.sql` and
`sql/views/*.sql` serve every source; `sql/ddl/<source>/` and `sql/views/<source>/` (the
source's name with `_` for `-`: `clickstream`, `online_retail`) hold what one source alone
has, and a file there replaces a shared file of the same name. `ddl_files(root, source)` and
`view_files(root, source)` give the set of one source (clickstream when not told).

`sql/ddl/*.sql` carry placeholders, substituted by `render_ddl` (or by hand):
  ${LOCATION}  the curated root, e.g. s3://bucket/curated (no trailing slash)
  ${VERSION}   unpartitioned tables only: the version folder (`v-<run_id>`) that the curated
               publication, `<curated>/_current.json`, names for the table

The DDL is the reference schema of each table. On AWS the model job registers the tables
itself from the publication (`ecom.catalog.glue`): it moves unpartitioned tables to each new
version and registers every partition at the version folder holding it, so the partitioned
tables declare no partition projection.
"""

from __future__ import annotations

import os
from pathlib import Path

from ecom.errors import InvalidArgumentError
from ecom.storage.lake import CURATED_TABLES_BY_SOURCE, DEFAULT_SOURCE


def sql_root() -> Path:
    """The repository's `sql/` folder ($ECOM_SQL_DIR overrides)."""
    override = os.environ.get("ECOM_SQL_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "sql"


def source_folder(source: str) -> str:
    """The folder of one source's own SQL (`online-retail` → `online_retail`)."""
    if source not in CURATED_TABLES_BY_SOURCE:
        choices = ", ".join(sorted(CURATED_TABLES_BY_SOURCE))
        raise InvalidArgumentError(f"source {source!r}: unknown (one of {choices})")
    return source.replace("-", "_")


def _sql_files(folder: Path, source: str) -> dict[str, Path]:
    """Name → file: the shared files of `folder`, replaced or completed by the source's."""
    files = {path.stem: path for path in folder.glob("*.sql")}
    files.update({path.stem: path for path in (folder / source_folder(source)).glob("*.sql")})
    return dict(sorted(files.items()))


def ddl_files(root: Path | None = None, source: str = DEFAULT_SOURCE) -> dict[str, Path]:
    """Table name → its DDL for a lake of `source` (`sql/ddl/[<source>/]<table>.sql`)."""
    return _sql_files((root or sql_root()) / "ddl", source)


def view_files(root: Path | None = None, source: str = DEFAULT_SOURCE) -> dict[str, Path]:
    """View name → its file for a lake of `source` (`sql/views/[<source>/]<view>.sql`)."""
    return _sql_files((root or sql_root()) / "views", source)


def render_ddl(text: str, location_root: str, version: str | None = None) -> str:
    """Fill the placeholders of one DDL file; the result runs as-is in Athena.

    `version` is required by the unpartitioned tables' DDL (`${VERSION}`); a partitioned
    table's partitions are then added at their version folders (`alter table ... add
    partition ... location`), as the model job does.
    """
    if "${VERSION}" in text and not version:
        raise InvalidArgumentError("this DDL locates its table at a version folder: pass version")
    rendered = text.replace("${LOCATION}", location_root.rstrip("/"))
    return rendered.replace("${VERSION}", version.strip("/")) if version else rendered
