"""The REES46 clickstream source ("eCommerce behavior data from multi category store"):
one row per event (view, cart, remove_from_cart, purchase) of a user's session."""

from __future__ import annotations

from ecom.sources.base import Source
from ecom.sources.clickstream.contract import RAW_COLUMNS
from ecom.sources.clickstream.lines import (
    EVENT_COLUMNS,
    REASONS,
    STAGED_SCHEMA,
    to_staged,
    validate_lines,
)

CLICKSTREAM = Source(
    name="clickstream",
    columns=RAW_COLUMNS,
    reasons=REASONS,
    staged_schema=STAGED_SCHEMA,
    key_columns=EVENT_COLUMNS,
    order_columns=("session_id", "event_at"),
    validate_lines=validate_lines,
    to_staged=to_staged,
    description="clickstream events (REES46 schema)",
    plain_columns=("event_at", "session_id", "user_id", "product_id", "price"),
)
