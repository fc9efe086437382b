"""The calendar of a synthetic run: its days, their traffic and the windows of each day."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

SECONDS_PER_DAY = 86_400
MINUTES_PER_DAY = 1_440
CHUNK_ROWS = 250_000  # fresh events generated per window at most (the memory bound)
MAX_WINDOWS_PER_DAY = 96

# Calendar shape (UTC; the store's customers are mostly in UTC+3): Monday first.
WEEKDAY_WEIGHTS = (1.00, 1.01, 0.99, 0.98, 0.96, 0.97, 1.04)
TREND_OVER_RANGE = 0.15
DAY_NOISE_SIGMA = 0.04
HOUR_WEIGHTS = (
    0.16, 0.11, 0.10, 0.15, 0.30, 0.55, 0.85, 1.05, 1.20, 1.30, 1.35, 1.38,
    1.40, 1.45, 1.50, 1.55, 1.58, 1.60, 1.55, 1.40, 1.10, 0.75, 0.45, 0.25,
)  # fmt: skip


@dataclass(frozen=True)
class Window:
    """A span of one day whose sessions start inside it, with its event quota."""

    day: int  # index of the day in the range
    first_minute: int
    end_minute: int  # exclusive
    rows: int  # events including duplicates
    duplicates: int


def calendar_days(start: date, months: int) -> list[date]:
    """The calendar days from `start` up to the same day `months` months later (exclusive)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    end = start.replace(year=year, month=month, day=1)
    end += timedelta(days=start.day - 1)
    return [start + timedelta(days=i) for i in range((end - start).days)]


def day_weights(rng: np.random.Generator, days: list[date]) -> np.ndarray:
    """Relative traffic per day: weekly cycle, slow growth and a little noise."""
    weekday = np.array([WEEKDAY_WEIGHTS[d.weekday()] for d in days])
    trend = 1.0 + TREND_OVER_RANGE * np.arange(len(days)) / max(len(days), 1)
    return weekday * trend * rng.lognormal(0.0, DAY_NOISE_SIGMA, len(days))


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` into integers proportional to `weights` (largest remainders)."""
    weights = np.asarray(weights, dtype=np.float64)
    if total == 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    if short:
        counts[np.argsort(counts - exact, kind="stable")[:short]] += 1
    return counts


def _minute_weights() -> np.ndarray:
    """Relative session starts per minute of the UTC day (hourly profile, interpolated)."""
    hours = np.asarray(HOUR_WEIGHTS)
    centers = np.arange(24) * 60 + 30
    minutes = np.arange(MINUTES_PER_DAY)
    return np.interp(minutes, np.r_[centers - 1440, centers, centers + 1440], np.tile(hours, 3))


MINUTE_WEIGHTS = _minute_weights()


def windows(day: int, rows: int, duplicates: int) -> Iterator[Window]:
    """Split one day into windows of at most `CHUNK_ROWS` fresh events, equal in traffic."""
    count = min(max(math.ceil(rows / CHUNK_ROWS), 1), MAX_WINDOWS_PER_DAY)
    cumulative = np.cumsum(MINUTE_WEIGHTS)
    cuts = np.searchsorted(cumulative, cumulative[-1] * np.arange(1, count) / count) + 1
    # Keep the last window >= 10 minutes so sessions can be squeezed in before the end.
    bounds = np.unique(np.r_[0, np.minimum(cuts, MINUTES_PER_DAY - 10), MINUTES_PER_DAY])
    masses = np.add.reduceat(MINUTE_WEIGHTS, bounds[:-1])
    window_rows = apportion(rows, masses)
    window_dups = np.minimum(
        apportion(duplicates, window_rows.astype(np.float64)), window_rows // 2
    )
    for i in range(len(bounds) - 1):
        yield Window(
            day, int(bounds[i]), int(bounds[i + 1]), int(window_rows[i]), int(window_dups[i])
        )
