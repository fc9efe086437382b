"""CSV rendering of events and the files they go to: one a day or one in all, plain or gzip."""

from __future__ import annotations

import gzip as gzip_module
from datetime import date
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ecom.devdata.catalog import Catalog
from ecom.devdata.schedule import SECONDS_PER_DAY, Window
from ecom.devdata.sessions import Events
from ecom.sources.clickstream.contract import EVENT_TYPES, RAW_HEADER

GZIP_LEVEL = 6
_TIME_TEMPLATE = np.frombuffer(b"YYYY-MM-DD 00:00:00 UTC", dtype=np.uint8)
_TWO_DIGITS = pa.array([f"{i:02d}" for i in range(100)], type=pa.string())
_EVENT_TYPE_NAMES = pa.array(list(EVENT_TYPES), type=pa.string())


def flush(events: Events, window: Window, catalog: Catalog, day: date, sink: BinaryIO) -> Events:
    """Write the events before the end of `window` in time order; return the later ones."""
    cut = window.day * SECONDS_PER_DAY + window.end_minute * 60
    ready = events.t < cut
    if ready.any():
        due = events.select(ready)
        due = due.select(np.argsort(due.t, kind="stable"))
        sink.write(render(due, window.day, day, catalog))
    return events.select(~ready)


def _fixed_width(matrix: np.ndarray) -> pa.Array:
    """A string array over the rows of a uint8 matrix (all of the same width)."""
    rows, width = matrix.shape
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix)
    return pa.Array.from_buffers(
        pa.string(), rows, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _event_times(seconds: np.ndarray, day: date) -> pa.Array:
    """`YYYY-MM-DD HH:MM:SS UTC` strings for seconds of the UTC day `day`."""
    template = _TIME_TEMPLATE.copy()
    template[:10] = np.frombuffer(day.isoformat().encode(), dtype=np.uint8)
    out = np.tile(template, (len(seconds), 1))
    for column, value in ((11, seconds // 3600), (14, seconds // 60 % 60), (17, seconds % 60)):
        out[:, column] = 48 + value // 10
        out[:, column + 1] = 48 + value % 10
    return _fixed_width(out)


def _prices(events: Events, day_index: int, catalog: Catalog) -> pa.Array:
    """Prices of the day with exactly two decimals (`33.20`)."""
    factor = 1.0 + catalog.drift[events.prod] * day_index
    cents = np.clip(np.round(catalog.base_cents[events.prod] * factor), 1, None).astype(np.int64)
    units = pc.cast(pa.array(cents // 100), pa.string())
    return pc.binary_join_element_wise(units, pc.take(_TWO_DIGITS, pa.array(cents % 100)), ".")


def render(events: Events, day_index: int, day: date, catalog: Catalog) -> memoryview:
    """The CSV text of the events (all on `day`), one `\\n`-terminated row each."""
    prod = pa.array(events.prod)
    columns = [
        _event_times(events.t - day_index * SECONDS_PER_DAY, day),
        pc.take(_EVENT_TYPE_NAMES, pa.array(events.etype)),
        pc.take(catalog.product_id, prod),
        pc.take(catalog.category_id, prod),
        pc.take(catalog.category_code, prod),
        pc.take(catalog.brand, prod),
        _prices(events, day_index, catalog),
        pc.cast(pa.array(events.user), pa.string()),
        _fixed_width(events.sess),
    ]
    lines = pc.binary_join_element_wise(*columns, ",", null_handling="replace", null_replacement="")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset :]
    data = lines.buffers()[2]
    return memoryview(data)[int(offsets[0]) : int(offsets[len(lines)])]


def open_sink(path: Path, compress: bool) -> BinaryIO:
    """Open `path` for writing and put the header in it (gzip without name or time stamp)."""
    raw = path.open("wb")
    sink: BinaryIO = raw
    if compress:
        sink = _ClosingGzip(raw)
    sink.write(f"{RAW_HEADER}\n".encode())
    return sink


class _ClosingGzip(gzip_module.GzipFile):
    """A reproducible gzip stream that also closes the file under it."""

    def __init__(self, raw: BinaryIO) -> None:
        """Compress into `raw` with a fixed header (no file name, time stamp 0)."""
        super().__init__(filename="", mode="wb", compresslevel=GZIP_LEVEL, fileobj=raw, mtime=0)
        self._raw = raw

    def close(self) -> None:
        """Finish the gzip member and close the underlying file."""
        try:
            super().close()
        finally:
            self._raw.close()
