"""What every raw source provides, and how a header is matched to a source's columns.

A source is an adapter: its header contract (the columns a raw CSV must carry), its line
rules with their quarantine reasons, and one transform to its staged form. Everything after
staging is shared. This module is pure: no Spark session, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame
from pyspark.sql.types import StructType

from ecom.errors import MissingColumnsError

BOM = "\ufeff"
# Lineage columns every staged row carries, after its own columns.
LINEAGE_COLUMNS: tuple[str, ...] = ("source_file", "ingest_run_id", "ingested_at")
# The partition column of every staged table: the UTC date of the event or invoice line.
STAGED_DATE = "event_date"


@dataclass(frozen=True)
class Layout:
    """Where each required column sits in a header, shared by files with the same header."""

    header: str
    positions: dict[str, int]
    width: int
    extra_columns: tuple[str, ...]
    files: list[str] = field(default_factory=list, compare=False)


@dataclass(frozen=True)
class Source:
    """One raw source: its header contract, line rules and staged form.

    `validate_lines(lines_df, layout)` turns text lines (value, source_file) into one typed
    row per line with `reason` (null when valid), `reason_column` and `raw_line`;
    `to_staged(validated_df, run_id, ingested_at)` keeps the valid rows in `staged_schema`.
    Two staged rows are exact duplicates when their `key_columns` are equal. `kind_column`,
    when set, splits the staged rows into kinds the run report counts (`kinds`).
    `plain_columns` are written without a dictionary (see tablestore.parquet_options).
    """

    name: str
    columns: tuple[str, ...]
    reasons: tuple[tuple[str, str | None], ...]
    staged_schema: StructType
    key_columns: tuple[str, ...]
    order_columns: tuple[str, ...]
    validate_lines: Callable[[DataFrame, Layout], DataFrame]
    to_staged: Callable[[DataFrame, str, Column], DataFrame]
    description: str = ""
    kind_column: str | None = None
    kinds: tuple[str, ...] = ()
    # Staged columns of nearly unique values, written without a Parquet dictionary.
    plain_columns: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        """The canonical header line (the columns in their published order)."""
        return ",".join(self.columns)

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.reasons)

    @property
    def staged_columns(self) -> tuple[str, ...]:
        return tuple(self.staged_schema.fieldNames())


def header_columns(header: str) -> list[str]:
    """Column names of a header line: BOM, quotes and surrounding spaces removed, lowercase."""
    return [name.strip().strip('"').strip().lower() for name in header.lstrip(BOM).split(",")]


def missing_columns(header: str, columns: tuple[str, ...]) -> list[str]:
    """The required `columns` a header lacks (in contract order)."""
    names = header_columns(header)
    return [column for column in columns if column not in names]


def layout_of(path: str, header: str, columns: tuple[str, ...]) -> Layout:
    """The layout of one file's header, or MissingColumnsError naming the file and columns."""
    names = header_columns(header)
    missing = [column for column in columns if column not in names]
    if missing:
        raise MissingColumnsError(path, missing)
    positions = {column: names.index(column) for column in columns}
    extra = tuple(name for name in names if name not in columns)
    # Without its BOM: Hadoop's line reader (Spark's text source) drops a UTF-8 BOM at the
    # start of a file, so the header line it returns has none, and must match this one.
    return Layout(header.lstrip(BOM).rstrip("\r"), positions, len(names), extra)


def group_by_layout(
    headers: Iterable[tuple[str, str | None]], columns: tuple[str, ...]
) -> list[Layout]:
    """(path, header) of readable files → their layouts, files with the same exact header
    sharing one; every header is checked before any file is read (files without a header,
    i.e. empty ones, are left out)."""
    layouts: dict[str, Layout] = {}
    for path, header in headers:
        if header is None:
            continue
        layout = layout_of(path, header, columns)
        layouts.setdefault(layout.header, layout).files.append(path)
    return list(layouts.values())
