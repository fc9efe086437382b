"""Column functions on staged invoice lines: product codes, their kinds, exact line totals."""

from __future__ import annotations

from collections.abc import Sequence

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from ecom.transforms.columns import date_key, require_columns, surrogate_key

# A product line's StockCode: five digits and up to two letters (compared upper-cased, so
# 15056bl and 15056BL are one product). Every other code is a non-product line.
PRODUCT_CODE = r"^[0-9]{5}[A-Z]{0,2}$"
PRODUCT = "product"
# Non-product codes by kind, matched on the upper-cased code (first match wins).
NON_PRODUCT_KINDS: tuple[tuple[str, str], ...] = (
    ("postage", r"^(POST|DOT)$"),
    ("carriage", r"^C2$"),
    ("manual", r"^M$"),
    ("discount", r"^D$"),
    ("samples", r"^S$"),
    ("bank_charges", r"^BANK CHARGES$"),
    ("marketplace_fee", r"^AMAZONFEE$"),
    ("commission", r"^CRUK$"),
    ("bad_debt", r"^B$"),
    ("gift_voucher", r"^GIFT_"),
    ("dotcom_gift_shop", r"^DCGS"),
)
OTHER = "other"
CODE_KINDS: tuple[str, ...] = (PRODUCT, *(kind for kind, _ in NON_PRODUCT_KINDS), OTHER)
LINE_TOTAL = "decimal(18,3)"
# The columns every line fact carries, after its own key (see line_columns).
STAGED_LINE_COLUMNS = (
    "invoice_no",
    "stock_code",
    "description",
    "quantity",
    "invoiced_at",
    "unit_price",
    "customer_id",
    "country",
)


def product_code(stock_code: Column) -> Column:
    """The code a line's product is known by: its StockCode upper-cased."""
    return F.upper(stock_code)


def is_product_code(code: Column) -> Column:
    """True for a product line's (upper-cased) code, False for POST, M, gift_..., ..."""
    return code.rlike(PRODUCT_CODE)


def code_kind(code: Column) -> Column:
    """`product`, or the kind of a non-product code (postage, manual, discount, ...)."""
    kind = F.when(is_product_code(code), F.lit(PRODUCT))
    for name, pattern in NON_PRODUCT_KINDS:
        kind = kind.when(code.rlike(pattern), F.lit(name))
    return kind.otherwise(F.lit(OTHER))


def line_total(quantity: Column, unit_price: Column) -> Column:
    """Quantity × UnitPrice, exactly (3 decimal places, as unit prices have)."""
    return (quantity.cast("decimal(10,0)") * unit_price).cast(LINE_TOTAL)


def line_columns(
    lines_df: DataFrame,
    key: str,
    measured_at: str,
    on_date: str,
    total: str = "revenue",
    measures: Sequence[Column] = (),
) -> DataFrame:
    """Staged lines → the columns every line fact has: `key` (a hash of the line's values),
    the invoice, date and dimension keys, the line's values, its exact total (named
    `total`), then `measures`, the time (`measured_at`), lineage and the date (`on_date`)."""
    require_columns(lines_df, [*STAGED_LINE_COLUMNS, "event_date"], "line_columns")
    code = product_code(F.col("stock_code"))
    customer = F.col("customer_id")
    return lines_df.select(
        F.xxhash64(*[F.col(name) for name in STAGED_LINE_COLUMNS]).alias(key),
        F.col("invoice_no").alias("order_id"),
        date_key(F.col("event_date")).alias("date_key"),
        F.when(customer.isNotNull(), surrogate_key("customer_id")).alias("user_key"),
        F.xxhash64(code).alias("product_key"),
        customer.alias("user_id"),
        code.alias("stock_code"),
        F.col("description"),
        F.col("country"),
        is_product_code(code).alias("is_product"),
        F.col("quantity"),
        F.col("unit_price"),
        line_total(F.col("quantity"), F.col("unit_price")).alias(total),
        *measures,
        F.col("invoiced_at").alias(measured_at),
        F.col("source_file"),
        F.col("ingest_run_id"),
        F.col("event_date").alias(on_date),
    )
