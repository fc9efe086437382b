"""Online Retail line rules: raw invoice lines → typed, validated staged lines with a kind.

Every line is decoded from its bytes: UTF-8 when the bytes are valid UTF-8, else Latin-1
(the UCI files in the wild are both). A valid line is a *sale*, a *cancellation* (InvoiceNo
starting with C) or an *adjustment* (InvoiceNo starting with A, or a non-cancellation line
with Quantity <= 0 or UnitPrice <= 0); an invalid one goes to quarantine with the first
reason that applies. Money stays exact: UnitPrice keeps up to 3 decimal places (there are
0.001 prices), line totals are computed in the model from the exact values.
"""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame
from pyspark.sql.types import (
    DateType,
    DecimalType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from ecom.sources.base import LINEAGE_COLUMNS, STAGED_DATE, Layout
from ecom.sources.online_retail.contract import RAW_COLUMNS
from ecom.sources.staging import (
    evaluate_once,
    first_reason,
    keep_raw_line_of_rejected,
    reason_column,
    try_cast,
    with_raw_fields,
)
from ecom.transforms.columns import empty_to_null, require_columns

UNIT_PRICE = "decimal(18,3)"
SALE, CANCELLATION, ADJUSTMENT = "sale", "cancellation", "adjustment"
LINE_KINDS: tuple[str, ...] = (SALE, CANCELLATION, ADJUSTMENT)

# The typed columns of a line, in order; two lines with equal values are exact duplicates.
LINE_COLUMNS: tuple[str, ...] = (
    "invoice_no",
    "stock_code",
    "description",
    "quantity",
    "invoiced_at",
    "unit_price",
    "customer_id",
    "country",
)
STAGED_SCHEMA = StructType(
    [
        StructField("invoice_no", StringType()),
        StructField("stock_code", StringType()),
        StructField("description", StringType()),
        StructField("quantity", IntegerType()),
        StructField("invoiced_at", TimestampType()),
        StructField("unit_price", DecimalType(18, 3)),
        StructField("customer_id", LongType()),
        StructField("country", StringType()),
        StructField("line_kind", StringType()),
        StructField("adjustment_reason", StringType()),
        *[
            StructField(name, TimestampType() if name == "ingested_at" else StringType())
            for name in LINEAGE_COLUMNS
        ],
        StructField(STAGED_DATE, DateType()),
    ]
)

# Reason codes, in the order they are checked (a line gets the first that applies), with the
# raw column each is about, spelled as the published header spells it.
REASONS: tuple[tuple[str, str | None], ...] = (
    ("malformed_row", None),
    ("missing_invoice_no", "InvoiceNo"),
    ("missing_stock_code", "StockCode"),
    ("invalid_quantity", "Quantity"),
    ("invalid_invoice_date", "InvoiceDate"),
    ("invalid_unit_price", "UnitPrice"),
    ("invalid_customer_id", "CustomerID"),
)
# Accepted InvoiceDate forms: ISO (as in the per-day files) and the original UCI export.
DATE_FORMATS: tuple[str, ...] = (
    "yyyy-MM-dd HH:mm:ss",
    "yyyy-MM-dd HH:mm",
    "M/d/yyyy H:mm",
    "M/d/yyyy H:mm:ss",
)
_INTEGER = r"^[+-]?[0-9]+$"
_PRICE = r"^[+-]?([0-9]+(\.[0-9]{0,3})?|\.[0-9]{1,3})$"  # at most 3 decimal places
_CUSTOMER = r"^[0-9]+(\.0*)?$"  # 17850 or 17850.0


def decoded_line(value: Column) -> Column:
    """A line's text from its bytes: UTF-8 when they are valid UTF-8, else Latin-1.

    Spark's text source keeps a line's bytes as they are; `cast(binary)` gives them back
    unchanged. Bytes that survive a UTF-8 round trip are UTF-8; any other line (a Latin-1
    `£` or `é`) is read as Latin-1, which maps every byte to one character.
    """
    raw = value.cast("binary")
    utf8 = F.decode(raw, "UTF-8")
    return F.when(F.encode(utf8, "UTF-8") == raw, utf8).otherwise(F.decode(raw, "ISO-8859-1"))


def parse_invoice_date(column: str) -> Column:
    """InvoiceDate in any accepted form → timestamp (UTC session time zone); null if none fits."""
    text = F.trim(F.col(column))
    return F.coalesce(
        *[F.call_function("try_to_timestamp", text, F.lit(fmt)) for fmt in DATE_FORMATS]
    )


def parse_customer_id(column: str) -> Column:
    """CustomerID → bigint (`17850.0` → 17850); null when empty (a guest) or not an integer."""
    text = F.trim(F.col(column))
    return F.when(text.rlike(_CUSTOMER), F.split(text, r"\.").getItem(0).cast("bigint"))


def with_typed_columns(fields_df: DataFrame) -> DataFrame:
    """Raw string columns → typed line columns, keeping the raw strings for validation."""
    require_columns(fields_df, RAW_COLUMNS, "with_typed_columns")
    quantity_text = F.trim(F.col("quantity"))
    price_text = F.trim(F.col("unitprice"))
    return fields_df.select(
        "*",
        empty_to_null(F.trim(F.col("invoiceno"))).alias("invoice_no"),
        empty_to_null(F.trim(F.col("stockcode"))).alias("stock_code"),
        empty_to_null(F.trim(F.col("description"))).alias("_description"),
        F.when(quantity_text.rlike(_INTEGER), try_cast("quantity", "int")).alias("_quantity"),
        parse_invoice_date("invoicedate").alias("invoiced_at"),
        F.when(price_text.rlike(_PRICE), try_cast("unitprice", UNIT_PRICE)).alias("_unit_price"),
        parse_customer_id("customerid").alias("customer_id"),
        empty_to_null(F.trim(F.col("country"))).alias("_country"),
    )


def rejection_reason(expected_width: int) -> Column:
    """The first failed check of a typed line as a reason code; null for a valid line."""
    customer_text = empty_to_null(F.col("customerid"))
    checks: list[Column] = [
        F.col("field_count") != expected_width,
        F.col("invoice_no").isNull(),
        F.col("stock_code").isNull(),
        F.col("_quantity").isNull(),
        F.col("invoiced_at").isNull(),
        F.col("_unit_price").isNull(),
        customer_text.isNotNull() & (F.col("customer_id").isNull() | (F.col("customer_id") <= 0)),
    ]
    return first_reason(REASONS, checks)


def line_kind(invoice_no: Column, quantity: Column, unit_price: Column) -> Column:
    """sale / cancellation (InvoiceNo C...) / adjustment (A..., or Quantity or UnitPrice <= 0)."""
    prefix = F.upper(F.substring(invoice_no, 1, 1))
    return (
        F.when(prefix == "C", F.lit(CANCELLATION))
        .when((prefix == "A") | (quantity <= 0) | (unit_price <= 0), F.lit(ADJUSTMENT))
        .otherwise(F.lit(SALE))
    )


def adjustment_reason(invoice_no: Column, quantity: Column, unit_price: Column) -> Column:
    """Why a line is an adjustment (null for sales and cancellations)."""
    prefix = F.upper(F.substring(invoice_no, 1, 1))
    return (
        F.when(prefix == "C", F.lit(None).cast("string"))
        .when(prefix == "A", F.lit("bad_debt_adjustment"))
        .when(quantity <= 0, F.lit("non_positive_quantity"))
        .when(unit_price == 0, F.lit("zero_price"))
        .when(unit_price < 0, F.lit("negative_price"))
    )


# What validate_lines returns: lineage, the raw line (rejected rows only), typed columns, reason.
VALIDATED_COLUMNS: tuple[str, ...] = (
    "source_file",
    "raw_line",
    "invoice_no",
    "stock_code",
    "_description",
    "_quantity",
    "invoiced_at",
    "_unit_price",
    "customer_id",
    "_country",
    "reason",
    "reason_column",
)


def validate_lines(lines_df: DataFrame, layout: Layout) -> DataFrame:
    """Text lines of one layout → one row per line, typed, with its rejection reason."""
    typed_df = with_raw_fields(
        lines_df, layout, RAW_COLUMNS, value=decoded_line(F.col("value"))
    ).transform(with_typed_columns)
    reason = rejection_reason(layout.width)
    return (
        typed_df.withColumn("reason", reason)
        .withColumn("reason_column", reason_column(REASONS, F.col("reason")))
        .transform(keep_raw_line_of_rejected)
        .select(*VALIDATED_COLUMNS)
        .transform(evaluate_once)
    )


def to_staged(validated_df: DataFrame, run_id: str, ingested_at: Column) -> DataFrame:
    """Validated rows → valid lines only, in the staged schema, with their kind and lineage."""
    quantity, price = F.col("_quantity"), F.col("_unit_price")
    return validated_df.where(F.col("reason").isNull()).select(
        F.col("invoice_no"),
        F.col("stock_code"),
        F.col("_description").alias("description"),
        quantity.alias("quantity"),
        F.col("invoiced_at"),
        price.alias("unit_price"),
        F.col("customer_id"),
        F.col("_country").alias("country"),
        line_kind(F.col("invoice_no"), quantity, price).alias("line_kind"),
        adjustment_reason(F.col("invoice_no"), quantity, price).alias("adjustment_reason"),
        F.col("source_file"),
        F.lit(run_id).alias("ingest_run_id"),
        ingested_at.alias("ingested_at"),
        F.to_date(F.col("invoiced_at")).alias(STAGED_DATE),
    )
