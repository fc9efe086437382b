"""AthenaEngine: the query interface on Amazon Athena through pyathena.

Configuration (arguments or environment): database `ECOM_ATHENA_DATABASE` (default
`ecom_analytics`), workgroup `ECOM_ATHENA_WORKGROUP` (default `primary`), query result
location `ECOM_ATHENA_OUTPUT` (s3://..., optional when the workgroup enforces one), region
`AWS_REGION` / `AWS_DEFAULT_REGION`. The SQL files run as they are: they are Athena SQL.

The views created are those of the lake's raw source: `source` when given (`ecom views
--source`), else the one the Glue registration recorded on the database (parameter
`ecom.source`), else clickstream (a database registered before sources were recorded).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecom.errors import InvalidArgumentError
from ecom.query.base import QueryError, QueryResult, load_views
from ecom.storage.lake import DEFAULT_SOURCE


@dataclass(frozen=True)
class AthenaConfig:
    """Where Athena queries run and write their results."""

    database: str = "ecom_analytics"
    workgroup: str = "primary"
    output_location: str | None = None
    region: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> AthenaConfig:
        env = os.environ if environ is None else environ
        return cls(
            database=env.get("ECOM_ATHENA_DATABASE", cls.database),
            workgroup=env.get("ECOM_ATHENA_WORKGROUP", cls.workgroup),
            output_location=env.get("ECOM_ATHENA_OUTPUT") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        )


def _one_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def strip_leading_comments(sql: str) -> str:
    """The statement without its opening `--` lines (the grain comment)."""
    lines = sql.splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines)


class AthenaEngine:
    """Athena SQL on Amazon Athena (pyathena cursor; results fetched into memory)."""

    name = "athena"

    def __init__(
        self,
        config: AthenaConfig | None = None,
        *,
        connection: Any = None,
        sql_dir: Path | None = None,
        poll_interval: float = 0.5,
        source: str | None = None,
        glue_client: Any = None,
    ) -> None:
        self.config = config or AthenaConfig.from_env()
        self.sql_dir = sql_dir
        self._source = source
        self._glue_client = glue_client
        if connection is None:
            from pyathena import connect

            if not self.config.region:
                raise InvalidArgumentError("Athena needs a region: set AWS_REGION")
            connection = connect(
                s3_staging_dir=self.config.output_location,
                work_group=self.config.workgroup,
                region_name=self.config.region,
                schema_name=self.config.database,
                poll_interval=poll_interval,
            )
        self.connection = connection

    def query(self, sql: str) -> QueryResult:
        from pyathena.error import Error as AthenaError

        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
            description = cursor.description or []
            rows = [tuple(row) for row in cursor.fetchall()] if description else []
        except AthenaError as error:
            raise QueryError(f"athena: {_one_line(error)}") from None
        finally:
            cursor.close()
        return QueryResult(
            columns=[column[0] for column in description],
            types=[str(column[1]) for column in description],
            rows=rows,
        )

    @property
    def source(self) -> str:
        """The lake's source: as given, else as the database records it (read once)."""
        if self._source is None:
            self._source = self._registered_source() or DEFAULT_SOURCE
        return self._source

    def _registered_source(self) -> str | None:
        from botocore.exceptions import BotoCoreError, ClientError

        from ecom.catalog.glue import registered_source

        glue = self._glue_client
        if glue is None:
            import boto3

            glue = boto3.client("glue", region_name=self.config.region)
        try:
            return registered_source(glue, self.config.database)
        except (BotoCoreError, ClientError) as error:
            raise QueryError(
                f"glue: cannot read the source of database {self.config.database} "
                f"({_one_line(error)}): pass --source"
            ) from None

    def create_views(self) -> list[str]:
        """Run every view file of the lake's source on Athena in dependency order; their names."""
        created = []
        for view in load_views(self.sql_dir, self.source):
            self.query(strip_leading_comments(view.sql))
            created.append(view.name)
        return created

    def close(self) -> None:
        self.connection.close()
