"""The raw Online Retail contract: the columns an invoice-line CSV file must carry.

This is the header of the UCI "Online Retail" dataset (a UK online retailer's invoice
lines, 2010-12 to 2011-12): `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,
UnitPrice,CustomerID,Country`. Headers are matched case-insensitively, so the names here are
lower-case; `PUBLISHED_HEADER` is the spelling of the published files.
"""

from __future__ import annotations

RAW_COLUMNS: tuple[str, ...] = (
    "invoiceno",
    "stockcode",
    "description",
    "quantity",
    "invoicedate",
    "unitprice",
    "customerid",
    "country",
)
PUBLISHED_HEADER = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
)
