"""The SQL files of the repository: where they live and how DDL placeholders are filled.

`sql/ddl/*.sql` carry two placeholders, substituted by `render_ddl` (or by hand):
  ${LOCATION}          the curated root, e.g. s3://bucket/curated (no trailing slash)
  ${PROJECTION_START}  first date of partition projection ranges (default 2019-10-01)
Athena's own `${purchase_date}` in `storage.location.template` is left as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PROJECTION_START = "2019-10-01"


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


def render_ddl(
    text: str, location_root: str, projection_start: str = DEFAULT_PROJECTION_START
) -> str:
    """Fill the placeholders of one DDL file; the result runs as-is in Athena."""
    return text.replace("${LOCATION}", location_root.rstrip("/")).replace(
        "${PROJECTION_START}", projection_start
    )
