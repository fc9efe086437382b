"""The SQL files of the repository: where they live and how DDL placeholders are filled.

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


def sql_root() -> Path:
    """The repository's `sql/` folder ($ECOM_SQL_DIR overrides)."""
    override = os.environ.get("ECOM_SQL_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "sql"


def ddl_files(root: Path | None = None) -> dict[str, Path]:
    """Table name → its `sql/ddl/<table>.sql`."""
    folder = (root or sql_root()) / "ddl"
    return {path.stem: path for path in sorted(folder.glob("*.sql"))}


def view_files(root: Path | None = None) -> dict[str, Path]:
    """View name → its `sql/views/<view>.sql`."""
    folder = (root or sql_root()) / "views"
    return {path.stem: path for path in sorted(folder.glob("*.sql"))}


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
