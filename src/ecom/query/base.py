"""The query interface shared by the back ends: results, errors, the view files in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ecom.catalog.ddl import view_files
from ecom.errors import EcomError
from ecom.query.transpile import parse_athena, referenced_tables
from ecom.storage.lake import DEFAULT_SOURCE


class QueryError(EcomError):
    """A query failed: the message is one line, ready for the console."""


class UnknownObjectError(QueryError):
    """A query names a table, view or column that does not exist."""


@dataclass
class QueryResult:
    """Column names, their types (as the engine names them) and the rows."""

    columns: list[str]
    types: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class QueryEngine(Protocol):
    """One interface, two back ends: LocalEngine (DuckDB) and AthenaEngine (pyathena)."""

    name: str

    def query(self, sql: str) -> QueryResult: ...

    def create_views(self) -> list[str]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ViewFile:
    """One `sql/views/<view>.sql`: its name, Athena SQL and the views it reads."""

    name: str
    path: Path
    sql: str
    depends_on: frozenset[str]


def load_views(sql_dir: Path | None = None, source: str = DEFAULT_SOURCE) -> list[ViewFile]:
    """Every view file of a lake of `source`, parsed (syntax errors raise), in dependency order."""
    files = view_files(sql_dir, source)
    parsed: dict[str, ViewFile] = {}
    for name, path in files.items():
        text = path.read_text()
        parse_athena(text)
        parsed[name] = ViewFile(
            name, path, text, frozenset(referenced_tables(text) & set(files) - {name})
        )
    ordered: list[ViewFile] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise QueryError(f"views depend on each other in a cycle through {name}")
        visiting.add(name)
        for dependency in sorted(parsed[name].depends_on):
            visit(dependency)
        visiting.discard(name)
        done.add(name)
        ordered.append(parsed[name])

    for name in sorted(parsed):
        visit(name)
    return ordered
