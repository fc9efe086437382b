"""An independent, plain-Python reading of raw clickstream CSV, for expected values in tests.

It implements the documented rules (docs/ingest-clickstream.md, "Validation") from scratch with the csv module
and Decimal, importing nothing from the code under test.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

TYPES = {"view", "cart", "remove_from_cart", "purchase"}
REQUIRED = [
    "event_time",
    "event_type",
    "product_id",
    "category_id",
    "category_code",
    "brand",
    "price",
    "user_id",
    "user_session",
]


def _id(text: str) -> int | None:
    text = text.strip()
    if not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value < 2**63 else None


def _reason(row: dict[str, str], width_ok: bool) -> str | None:
    if not width_ok:
        return "malformed_row"
    text = row["event_time"].strip()
    try:
        if not text.endswith(" UTC") or len(text) != 23:
            raise ValueError
        datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return "invalid_event_time"
    if row["event_type"].strip().lower() not in TYPES:
        return "invalid_event_type"
    for column in ("product_id", "category_id", "user_id"):
        if _id(row[column]) is None:
            return f"invalid_{column}"
    if not row["user_session"].strip():
        return "missing_user_session"
    if not row["price"].strip():
        return "missing_price"
    try:
        price = Decimal(row["price"].strip())
    except InvalidOperation:
        return "invalid_price"
    return "negative_price" if price < 0 else None


@dataclass
class Expected:
    """Counts and sums over the raw files, computed without the pipeline."""

    rows_read: int = 0
    quarantined: Counter = field(default_factory=Counter)
    events: set = field(default_factory=set)

    @property
    def staged(self) -> int:
        return len(self.events)

    @property
    def duplicates(self) -> int:
        return self.rows_read - sum(self.quarantined.values()) - self.staged

    def purchases(self) -> list[tuple]:
        return [event for event in self.events if event[1] == "purchase"]

    def revenue(self) -> Decimal:
        return sum((event[6] for event in self.purchases()), Decimal("0.00"))

    def by_type(self) -> Counter:
        return Counter(event[1] for event in self.events)

    def sessions(self) -> set[str]:
        return {event[8] for event in self.events}

    def users(self) -> set[int]:
        return {event[7] for event in self.events}

    def products(self) -> set[int]:
        return {event[2] for event in self.events}

    def categories(self) -> set[int]:
        return {event[3] for event in self.events}

    def orders(self) -> set[str]:
        return {event[8] for event in self.purchases()}

    def revenue_by_month(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
        for event in self.purchases():
            totals[event[0].strftime("%Y-%m")] += event[6]
        return dict(totals)

    def events_by_day(self) -> dict[date, int]:
        return dict(Counter(event[0].date() for event in self.events))

    def dates(self) -> tuple[date, date]:
        days = [event[0].date() for event in self.events]
        return min(days), max(days)


def _open(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def read_expected(paths: list[Path]) -> Expected:
    """Read raw files the documented way: header by name, one event per data line."""
    expected = Expected()
    for path in paths:
        with _open(path) as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                continue
            names = [name.strip().lstrip("\ufeff").lower() for name in header]
            for fields in reader:
                expected.rows_read += 1
                width_ok = len(fields) == len(names)
                row = dict(zip(names, fields, strict=False)) if width_ok else {}
                reason = _reason(row, width_ok)
                if reason:
                    expected.quarantined[reason] += 1
                    continue
                price = Decimal(row["price"].strip()).quantize(Decimal("0.01"))
                expected.events.add(
                    (
                        datetime.strptime(row["event_time"].strip()[:19], "%Y-%m-%d %H:%M:%S"),
                        row["event_type"].strip().lower(),
                        _id(row["product_id"]),
                        _id(row["category_id"]),
                        row["category_code"] or None,
                        row["brand"] or None,
                        price,
                        _id(row["user_id"]),
                        row["user_session"],
                    )
                )
    return expected
