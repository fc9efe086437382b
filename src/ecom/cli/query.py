"""`ecom views` and `ecom query`: the SQL layer on the console.

    ecom views [--lake DIR] [--engine local|athena] [--source clickstream|online-retail]
    ecom query "SQL" [--lake DIR] [--format table|csv|json] [--engine local|athena]

The lake defaults to $ECOM_LAKE, else data/lake (what `make demo` writes). Errors print one
line on stderr and exit 2. `register(subparsers)` adds both commands to the `ecom` parser.
The views created are those of the lake's source: locally as the lake's catalog records it;
on Athena `--source`, else as the Glue database records it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ecom.errors import InvalidArgumentError

FORMATS = ("table", "csv", "json")
ENGINES = ("local", "athena")
# The lake sources (ecom.storage.lake.CURATED_TABLES_BY_SOURCE; not imported: it is light, but
# the query commands import nothing they do not run).
SOURCES = ("clickstream", "online-retail")
MAX_CELL = 60


def default_lake() -> str:
    """$ECOM_LAKE, else the lake `make demo` writes."""
    return os.environ.get("ECOM_LAKE", str(Path("data") / "lake"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def format_table(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    """A plain text table: header, rule, rows; numbers right-aligned; row count last."""
    cells = [[_text(value)[:MAX_CELL] for value in row] for row in rows]
    widths = [len(name) for name in columns]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    numeric = [
        bool(rows)
        and all(isinstance(row[i], int | float | Decimal) or row[i] is None for row in rows)
        for i in range(len(columns))
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line(columns), line(["-" * width for width in widths])]
    out += [line(row) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def format_csv(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([["" if value is None else str(value) for value in row] for row in rows])
    return buffer.getvalue().rstrip("\n")


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def format_json(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    records = [
        {name: _json_value(value) for name, value in zip(columns, row, strict=True)} for row in rows
    ]
    return json.dumps(records, indent=2)


FORMATTERS: dict[str, Callable[[list[str], list[tuple[Any, ...]]], str]] = {
    "table": format_table,
    "csv": format_csv,
    "json": format_json,
}


def open_engine(args: argparse.Namespace) -> Any:
    """The engine the arguments ask for (local: the lake's DuckDB engine)."""
    if args.engine == "athena":
        from ecom.query.athena import AthenaEngine

        return AthenaEngine(source=getattr(args, "source", None))
    from ecom.query.local import LocalEngine

    return LocalEngine(args.lake or default_lake(), create_views=args.command == "query")


def cmd_views(args: argparse.Namespace) -> int:
    """`ecom views`: (re)register the lake locally and create or replace every view."""
    engine_name = args.engine
    if engine_name == "local":
        from ecom.catalog.local import register_local

        register_local(args.lake or default_lake())
    if engine_name == "local" and args.source:
        raise InvalidArgumentError("--source is for --engine athena: a local lake knows its own")
    engine = open_engine(args)
    try:
        names = engine.create_views()
        source = engine.source
    finally:
        engine.close()
    print(
        f"created or replaced {len(names)} views on {engine_name}: {', '.join(names)} "
        f"(source: {source})"
    )
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    """`ecom query "SQL"`: run Athena SQL and print the result."""
    engine = open_engine(args)
    try:
        result = engine.query(args.sql)
    finally:
        engine.close()
    if result.columns:
        print(FORMATTERS[args.format](result.columns, result.rows))
    return 0


QUERY_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "views": cmd_views,
    "query": cmd_query,
}


def register(subparsers: Any) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add `views` and `query` to an argparse subparsers object; returns their handlers."""
    lake_help = "lake folder (default: $ECOM_LAKE or data/lake)"
    views = subparsers.add_parser("views", help="create or replace the SQL views")
    views.add_argument("--lake", default=None, help=lake_help)
    views.add_argument("--engine", choices=ENGINES, default="local")
    views.add_argument(
        "--source",
        choices=SOURCES,
        default=None,
        help="athena: the lake's source (default: as the Glue database records it)",
    )
    query = subparsers.add_parser("query", help="run Athena SQL on the lake and print it")
    query.add_argument("sql", help="the SQL (Athena / Trino dialect)")
    query.add_argument("--lake", default=None, help=lake_help)
    query.add_argument("--format", choices=FORMATS, default="table")
    query.add_argument("--engine", choices=ENGINES, default="local")
    views.set_defaults(handler=cmd_views)
    query.set_defaults(handler=cmd_query)
    return QUERY_COMMANDS
