"""The raw sources a lake can hold, and how a file's header tells which one it is.

A lake holds one source. `detect(header)` names the sources whose required columns a header
carries; the ingest job decides a run's source from `--source`, the lake's publication and
the headers of the new files, and refuses a run that would mix sources.
"""

from __future__ import annotations

from ecom.errors import InvalidArgumentError
from ecom.sources.base import Source, missing_columns
from ecom.sources.clickstream import CLICKSTREAM
from ecom.sources.online_retail import ONLINE_RETAIL

SOURCES: dict[str, Source] = {source.name: source for source in (CLICKSTREAM, ONLINE_RETAIL)}
DEFAULT_SOURCE = CLICKSTREAM.name


def get_source(name: str | None) -> Source:
    """The source named `name` (the default, clickstream, for None); a one-line error else."""
    if name is None:
        return SOURCES[DEFAULT_SOURCE]
    try:
        return SOURCES[name]
    except KeyError:
        choices = ", ".join(sorted(SOURCES))
        raise InvalidArgumentError(f"--source {name}: unknown source (one of {choices})") from None


def detect(header: str) -> list[str]:
    """The names of the sources whose required columns all appear in `header`."""
    return [name for name, source in SOURCES.items() if not missing_columns(header, source.columns)]


__all__ = ["DEFAULT_SOURCE", "SOURCES", "Source", "detect", "get_source"]
