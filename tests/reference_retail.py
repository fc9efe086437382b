"""An independent, plain-Python reading of raw Online Retail CSV, for expected values.

It implements the documented line rules (README, "Online Retail") from scratch with the csv
module and Decimal, importing nothing from the code under test: decode each line (UTF-8,
else Latin-1), split it as CSV, trim, drop exact duplicates (all 8 fields equal after
trimming), classify every line as sale / cancellation / adjustment / quarantined, and
compute the KPIs with money summed exactly and rounded to cents (half up) once.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

COLUMNS = [
    "invoiceno",
    "stockcode",
    "description",
    "quantity",
    "invoicedate",
    "unitprice",
    "customerid",
    "country",
]
CENT = Decimal("0.01")
PRODUCT = re.compile(r"[0-9]{5}[A-Za-z]{0,2}")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _date(text: str) -> datetime | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Line:
    invoice: str
    code: str  # upper-cased
    description: str | None
    quantity: int
    at: datetime
    price: Decimal
    customer: int | None
    country: str | None

    @property
    def total(self) -> Decimal:
        return self.quantity * self.price

    @property
    def kind(self) -> str:
        if self.invoice[:1].upper() == "C":
            return "cancellation"
        if self.invoice[:1].upper() == "A" or self.quantity <= 0 or self.price <= 0:
            return "adjustment"
        return "sale"


def _parse(fields: list[str]) -> tuple[Line | None, str | None]:
    """A row's trimmed fields → (line, None) or (None, quarantine reason)."""
    invoice, code, description, quantity, when, price, customer, country = fields
    if not invoice:
        return None, "missing_invoice_no"
    if not code:
        return None, "missing_stock_code"
    if not re.fullmatch(r"[+-]?[0-9]+", quantity):
        return None, "invalid_quantity"
    at = _date(when)
    if at is None:
        return None, "invalid_invoice_date"
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]{0,3})?|\.[0-9]{1,3})", price):
        return None, "invalid_unit_price"
    customer_id = None
    if customer:
        if not re.fullmatch(r"[0-9]+(\.0*)?", customer) or int(customer.split(".")[0]) <= 0:
            return None, "invalid_customer_id"
        customer_id = int(customer.split(".")[0])
    try:
        value = Decimal(price)
    except InvalidOperation:
        return None, "invalid_unit_price"
    line = Line(
        invoice,
        code.upper(),
        description or None,
        int(quantity),
        at,
        value,
        customer_id,
        country or None,
    )
    return line, None


@dataclass
class RetailReference:
    """Every number the tests compare, computed from the raw files alone."""

    rows_read: int = 0
    duplicates: int = 0
    quarantined: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lines: list[Line] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Line]:
        return [line for line in self.lines if line.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(self.of_kind(kind)) for kind in ("sale", "cancellation", "adjustment")}

    # --- KPIs -------------------------------------------------------------------------------

    def kpis(self) -> dict[str, object]:
        sales, cancels = self.of_kind("sale"), self.of_kind("cancellation")
        gross_exact = sum((line.total for line in sales), Decimal(0))
        cancelled = cents(sum((abs(line.total) for line in cancels), Decimal(0)))
        invoices = {line.invoice for line in sales}
        cancelled_invoices = {line.invoice for line in cancels}
        customers = {line.customer for line in sales if line.customer is not None}
        identified = sum((line.total for line in sales if line.customer is not None), Decimal(0))
        return {
            "gross_revenue": cents(gross_exact),
            "cancelled_revenue": cancelled,
            "net_revenue": cents(gross_exact) - cancelled,
            "transactions": len(invoices),
            "cancelled_invoices": len(cancelled_invoices),
            "cancellation_rate": len(cancelled_invoices)
            / (len(invoices) + len(cancelled_invoices)),
            "average_order_value": cents(gross_exact / len(invoices)),
            "total_customers": len(customers),
            "lifetime_revenue": cents(identified),
        }

    def daily(self) -> dict[date, dict[str, object]]:
        """Every calendar date from the first line's to the last's (quiet days as zeros)."""
        days: dict[date, dict[str, object]] = {}
        if not self.lines:
            return days
        first = min(line.at.date() for line in self.lines)
        last = max(line.at.date() for line in self.lines)
        while first <= last:
            days[first] = {"invoices": set(), "revenue": Decimal(0), "cancelled": set()}
            first += timedelta(days=1)
        for line in self.of_kind("sale"):
            days[line.at.date()]["invoices"].add(line.invoice)
            days[line.at.date()]["revenue"] += line.total
        for line in self.of_kind("cancellation"):
            days[line.at.date()]["cancelled"].add(line.invoice)
        return {
            day: {
                "transactions": len(value["invoices"]),
                "revenue": cents(value["revenue"]),
                "cancellations": len(value["cancelled"]),
            }
            for day, value in days.items()
        }

    def monthly_revenue(self) -> dict[str, Decimal]:
        months: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.of_kind("sale"):
            months[line.at.strftime("%Y-%m")] += line.total
        return {month: cents(total) for month, total in sorted(months.items())}

    def top_products(self, n: int = 10) -> list[tuple[str, Decimal]]:
        """Product lines only (5 digits + up to 2 letters), by exact revenue, upper-cased codes."""
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.of_kind("sale"):
            if PRODUCT.fullmatch(line.code):
                totals[line.code] += line.total
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        return [(code, cents(total)) for code, total in ranked[:n]]

    def revenue_by_country(self) -> dict[str | None, dict[str, object]]:
        countries: dict[str | None, dict[str, object]] = {}
        for line in self.of_kind("sale"):
            entry = countries.setdefault(
                line.country, {"revenue": Decimal(0), "customers": set(), "orders": set()}
            )
            entry["revenue"] += line.total
            entry["orders"].add(line.invoice)
            if line.customer is not None:
                entry["customers"].add(line.customer)
        return {
            country: {
                "revenue": cents(entry["revenue"]),
                "customers": len(entry["customers"]),
                "orders": len(entry["orders"]),
            }
            for country, entry in countries.items()
        }


@dataclass
class Customer:
    """One identified customer's sales up to a day, from the raw lines alone."""

    invoices: set[str] = field(default_factory=set)
    revenue: Decimal = Decimal(0)
    items: int = 0
    first: date | None = None
    last: date | None = None
    # Countries of the latest sale lines that name one, and their time.
    countries: set[str] = field(default_factory=set)
    country_at: datetime | None = None

    def see_country(self, country: str | None, at: datetime) -> None:
        if country is None or (self.country_at is not None and at < self.country_at):
            return
        if self.country_at is None or at > self.country_at:
            self.countries, self.country_at = set(), at
        self.countries.add(country)

    @property
    def country(self) -> str | None:
        """The latest invoice's country; several at that time: the alphabetically first."""
        return min(self.countries) if self.countries else None


def customers_as_of(reference: RetailReference, as_of: date) -> dict[int, dict[str, object]]:
    """Identified customers with a sale line on or before `as_of` → recency and tenure (days
    before `as_of`), orders, revenue to the cent, items (the model job's features), and
    country (of the latest sale line that names one)."""
    found: dict[int, Customer] = defaultdict(Customer)
    for line in reference.of_kind("sale"):
        day = line.at.date()
        if line.customer is None or day > as_of:
            continue
        customer = found[line.customer]
        customer.invoices.add(line.invoice)
        customer.revenue += line.total
        customer.items += line.quantity
        customer.first = day if customer.first is None else min(customer.first, day)
        customer.last = day if customer.last is None else max(customer.last, day)
        customer.see_country(line.country, line.at)
    return {
        number: {
            "recency_days": (as_of - customer.last).days,
            "frequency": len(customer.invoices),
            "monetary": cents(customer.revenue),
            "items": customer.items,
            "tenure_days": (as_of - customer.first).days,
            "country": customer.country,
        }
        for number, customer in found.items()
    }


def last_sale_day(reference: RetailReference) -> date:
    """The last day with a sale line."""
    return max(line.at.date() for line in reference.of_kind("sale"))


def read_retail(paths: list[Path]) -> RetailReference:
    """Read raw files in order (header by name, any order and case, BOM and CRLF allowed)."""
    reference = RetailReference()
    seen: set[tuple[str, ...]] = set()
    for path in sorted(paths):
        raw_lines = path.read_bytes().splitlines()
        if not raw_lines:
            continue
        header = [
            name.strip().strip('"').lower()
            for name in _decode(raw_lines[0]).lstrip("\ufeff").split(",")
        ]
        positions = [header.index(name) for name in COLUMNS]
        for raw in raw_lines[1:]:
            text = _decode(raw)
            if text == "":
                continue  # a trailing empty line is no line
            reference.rows_read += 1
            row = next(csv.reader([text]))
            if len(row) != len(header):
                reference.quarantined["malformed_row"] += 1
                continue
            fields = tuple(row[position].strip() for position in positions)
            line, reason = _parse(list(fields))
            if reason is not None:
                reference.quarantined[reason] += 1
                continue
            if fields in seen:
                reference.duplicates += 1
                continue
            seen.add(fields)
            reference.lines.append(line)
    return reference


@dataclass(frozen=True)
class ChurnProtocol:
    """The churn / CLV protocol's numbers, from the raw lines alone."""

    cutoff: date
    eligible: int
    churned: int
    baseline_mae: Decimal  # to the cent


def churn_protocol(reference: RetailReference, horizon_days: int) -> ChurnProtocol:
    """cutoff = last sale day − H; eligible = identified customers with a sale on or before
    it; churned = eligible and no sale in (cutoff, cutoff + H]; naive baseline = each
    customer's sales revenue in (cutoff − H, cutoff] against that in (cutoff, cutoff + H],
    both to the cent, the mean absolute error over every eligible customer to the cent."""
    cutoff = last_sale_day(reference) - timedelta(days=horizon_days)
    start, end = cutoff - timedelta(days=horizon_days), cutoff + timedelta(days=horizon_days)
    eligible: set[int] = set()
    future: dict[int, Decimal] = defaultdict(Decimal)
    before: dict[int, Decimal] = defaultdict(Decimal)
    active: set[int] = set()
    for line in reference.of_kind("sale"):
        if line.customer is None:
            continue
        day = line.at.date()
        if day <= cutoff:
            eligible.add(line.customer)
        if start < day <= cutoff:
            before[line.customer] += line.total
        if cutoff < day <= end:
            future[line.customer] += line.total
            active.add(line.customer)
    errors = [abs(cents(before[number]) - cents(future[number])) for number in eligible]
    mae = cents(sum(errors, Decimal(0)) / len(errors)) if errors else Decimal(0)
    return ChurnProtocol(cutoff, len(eligible), len(eligible - active), mae)
