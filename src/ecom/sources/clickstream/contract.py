"""The raw clickstream contract: the columns a raw CSV file must carry and what they hold.

This is the schema of the public "eCommerce behavior data from multi category store"
dataset (REES46). The generator writes it and the ingest job reads it.
"""

from __future__ import annotations

RAW_COLUMNS: tuple[str, ...] = (
    "event_time",
    "event_type",
    "product_id",
    "category_id",
    "category_code",
    "brand",
    "price",
    "user_id",
    "user_session",
)
RAW_HEADER = ",".join(RAW_COLUMNS)

EVENT_TYPES: tuple[str, ...] = ("view", "cart", "remove_from_cart", "purchase")
