"""Which raw source a run ingests: `--source`, else the lake's, else the new files' headers.

A lake holds one source. A run whose new files carry another source's header, or the
headers of two sources, stops here with one line naming the files, before anything is
written (not even a rejected file's copy in quarantine).
"""

from __future__ import annotations

from ecom.errors import InvalidArgumentError, MixedSourcesError
from ecom.sources import DEFAULT_SOURCE, Source, detect, get_source
from ecom.storage.rawfiles import RawFile

_SHOWN_FILES = 3


def _named(paths: list[str]) -> str:
    shown = ", ".join(paths[:_SHOWN_FILES])
    return shown + (f" and {len(paths) - _SHOWN_FILES} more" if len(paths) > _SHOWN_FILES else "")


def file_sources(raw_files: list[RawFile], preferred: str | None) -> dict[str, list[str]]:
    """Source name → the new files whose header carries that source's columns (a header
    that carries several sources' columns counts as `preferred` when it is one of them).
    Files that match no source are left out: they are judged, and rejected, as usual."""
    found: dict[str, list[str]] = {}
    for raw_file in raw_files:
        if raw_file.header is None:
            continue
        names = detect(raw_file.header)
        if not names:
            continue
        name = preferred if preferred in names else names[0]
        found.setdefault(name, []).append(raw_file.path)
    return found


def choose_source(forced: str | None, lake: str | None, raw_files: list[RawFile]) -> Source:
    """The source of this run; MixedSourcesError (or InvalidArgumentError for a `--source`
    the lake contradicts) when it would mix two sources in one lake."""
    if forced is not None:
        get_source(forced)  # an unknown name is a one-line error
    if forced and lake and forced != lake:
        raise InvalidArgumentError(
            f"--source {forced}: this lake holds {lake} data (a lake holds one source; "
            "use another --lake)"
        )
    wanted = forced or lake
    found = file_sources(raw_files, wanted)
    if wanted is not None:
        others = {name: paths for name, paths in found.items() if name != wanted}
        if others:
            because = f"--source {wanted}" if forced else f"this lake holds {wanted} data"
            described = "; ".join(f"{name}: {_named(paths)}" for name, paths in others.items())
            raise MixedSourcesError(
                f"raw files of another source ({described}), but {because} "
                "(a lake holds one source; use another --lake)"
            )
        return get_source(wanted)
    if len(found) > 1:
        described = "; ".join(f"{name}: {_named(found[name])}" for name in sorted(found))
        raise MixedSourcesError(
            f"raw files of {len(found)} sources in one run ({described}); a lake holds one "
            "source: ingest them into separate lakes"
        )
    return get_source(next(iter(found), DEFAULT_SOURCE))
