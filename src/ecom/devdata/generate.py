"""`ecom generate`: deterministic synthetic clickstream in the raw CSV layout of REES46."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ecom.devdata.catalog import build_catalog
from ecom.devdata.render import flush, open_sink
from ecom.devdata.schedule import SECONDS_PER_DAY, apportion, calendar_days, day_weights, windows
from ecom.devdata.sessions import USER_ID_SPAN, USER_POOL_DIVISOR, Events, window_events


@dataclass(frozen=True)
class GenerateResult:
    """What `generate` wrote."""

    files: list[Path]
    rows: int
    duplicates: int
    first_date: date
    last_date: date


def generate(
    out_dir: str | Path,
    rows: int,
    *,
    seed: int = 42,
    start: date = date(2019, 10, 1),
    months: int = 3,
    per_day: bool = True,
    gzip: bool = False,
    duplicate_rate: float = 0.0003,
    users: int | None = None,
) -> GenerateResult:
    """Write exactly `rows` synthetic raw events into `out_dir`, deterministically.

    The events are spread over `months` calendar months, one file per UTC day (or one file),
    byte-identical for the same arguments. The shape follows the facts of the real dataset:
    ~96% views, ~2% carts, ~0.3% removals, ~1.7% purchases; sessions of a few events by
    returning users; Zipf-like product and brand popularity; ~14% of rows without brand and
    ~32% without category_code (fixed per product); lognormal prices per product that drift
    slightly over time; and a few exact duplicate rows written next to their original.

    Memory is bounded by the rows of one day window (at most `schedule.CHUNK_ROWS` fresh
    events plus the sessions still running), never by the total: days are generated and
    written one at a time, large days in sub-day windows. Columns are vectorised with numpy
    and rendered with pyarrow.

    `users` sets the pool of distinct users (default: one per 10 rows, at least 100); a
    smaller pool gives more returning buyers, as the customer models' tests want.
    """
    _check_arguments(rows, seed, months, duplicate_rate)
    if users is not None and not 1 <= users <= USER_ID_SPAN:
        raise ValueError(f"users must be in [1, {USER_ID_SPAN}], got {users}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    days = calendar_days(start, months)
    plan_rng = np.random.default_rng([seed, 0])
    day_rows = apportion(rows, day_weights(plan_rng, days))
    day_dups = np.minimum(
        apportion(int(rows * duplicate_rate + 0.5), day_rows.astype(np.float64)), day_rows // 2
    )
    catalog = build_catalog(rows, seed)
    user_pool = users or min(max(rows // USER_POOL_DIVISOR, 100), USER_ID_SPAN)
    range_end = len(days) * SECONDS_PER_DAY
    suffix = ".csv.gz" if gzip else ".csv"
    files: list[Path] = []
    sink: BinaryIO | None = None
    carry = Events.empty()
    for day_index, day in enumerate(days):
        if sink is None:
            name = f"events-{day.isoformat()}{suffix}" if per_day else f"events{suffix}"
            files.append(out / name)
            sink = open_sink(files[-1], gzip)
        for window in windows(day_index, int(day_rows[day_index]), int(day_dups[day_index])):
            rng = np.random.default_rng([seed, 1 + day_index, window.first_minute])
            fresh = window_events(rng, catalog, window, user_pool, range_end)
            carry = flush(Events.concat(carry, fresh), window, catalog, day, sink)
        if per_day or day_index == len(days) - 1:
            sink.close()
            sink = None
    if len(carry):
        raise AssertionError("events left past the end of the range")
    return GenerateResult(files, rows, int(day_dups.sum()), days[0], days[-1])


def _check_arguments(rows: int, seed: int, months: int, duplicate_rate: float) -> None:
    """Reject arguments the generator cannot honour."""
    if rows < 0:
        raise ValueError(f"rows must be >= 0, got {rows}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if months < 1:
        raise ValueError(f"months must be >= 1, got {months}")
    if not 0.0 <= duplicate_rate < 0.5:
        raise ValueError(f"duplicate_rate must be in [0, 0.5), got {duplicate_rate}")
