"""Online Retail facts: one row per sale line, per cancellation line, per adjustment line.

Sale lines are purchases (the order is the invoice); cancellation lines (InvoiceNo C...)
and adjustment lines (InvoiceNo A..., or Quantity/UnitPrice <= 0) have facts of their own,
linked to the same dimensions, so they stay visible without counting as revenue.
"""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import DataFrame

from ecom.sources.online_retail.lines import ADJUSTMENT, CANCELLATION, SALE
from ecom.transforms.columns import require_columns
from ecom.transforms.online_retail.lines import line_columns, line_total


def _of_kind(lines_df: DataFrame, kind: str) -> DataFrame:
    require_columns(lines_df, ["line_kind"], "online_retail facts")
    return lines_df.where(F.col("line_kind") == kind)


def build_fact_purchases(lines_df: DataFrame) -> DataFrame:
    """Staged lines → one row per sale line; `revenue` is its exact line total."""
    return line_columns(_of_kind(lines_df, SALE), "purchase_key", "purchased_at", "purchase_date")


def build_fact_cancellations(lines_df: DataFrame) -> DataFrame:
    """Staged lines → one row per cancellation line; `revenue` is the line total as
    published (negative for a returned quantity), `cancelled_revenue` its absolute value."""
    total = line_total(F.col("quantity"), F.col("unit_price"))
    return line_columns(
        _of_kind(lines_df, CANCELLATION),
        "cancellation_key",
        "cancelled_at",
        "cancellation_date",
        measures=[F.abs(total).alias("cancelled_revenue")],
    )


def build_fact_adjustments(lines_df: DataFrame) -> DataFrame:
    """Staged lines → one row per adjustment line with why it is one (`reason`); `amount`
    is its line total (kept out of revenue)."""
    return line_columns(
        _of_kind(lines_df, ADJUSTMENT),
        "adjustment_key",
        "adjusted_at",
        "adjustment_date",
        total="amount",
        measures=[F.col("adjustment_reason").alias("reason")],
    )
