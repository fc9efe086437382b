"""The UCI Online Retail source: one row per invoice line (sale, cancellation, adjustment)."""

from __future__ import annotations

from ecom.sources.base import Source
from ecom.sources.online_retail.contract import RAW_COLUMNS
from ecom.sources.online_retail.lines import (
    LINE_COLUMNS,
    LINE_KINDS,
    REASONS,
    STAGED_SCHEMA,
    to_staged,
    validate_lines,
)

ONLINE_RETAIL = Source(
    name="online-retail",
    columns=RAW_COLUMNS,
    reasons=REASONS,
    staged_schema=STAGED_SCHEMA,
    key_columns=LINE_COLUMNS,
    order_columns=("invoice_no", "invoiced_at"),
    validate_lines=validate_lines,
    to_staged=to_staged,
    description="invoice lines (UCI Online Retail schema)",
    kind_column="line_kind",
    kinds=LINE_KINDS,
)
