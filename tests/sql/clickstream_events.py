"""The raw clickstream events of the SQL tests' hand-written clickstream lake: 32 lines over
2019-10-30 .. 2019-11-08, one CSV file per day with events.

Every expected value in tests/sql/test_clickstream_views.py is worked out by hand from these
lines. Products (id, category, brand, price):

  1001  2001 electronics.smartphone  apple    500.00, then 450.00 from 2019-10-31
  1002  2001 electronics.smartphone  samsung  200.00
  1003  2002 apparel.shoes           nike      80.00
  1004  2003 (no category code)      (none)    10.00
  1005  2004 apparel.socks           nike      20.00

Sessions (an order is a session with a purchase; `P` marks a purchase event):

  s01  user 101  10-30  view, cart, P 1001 500.00, P 1003 80.00      order 580.00
  s02  user 102  10-30  view, cart, remove_from_cart                 abandoned cart
  s03  user 103  10-30  view, view, P 1004 10.00 (no cart)           order  10.00
  s04  user 102  10-31  view, cart, P 1002 200.00                    order 200.00
  s05  user 104  10-31  view, cart at 23:59, P 1001 450.00 at 00:00:30 on 11-01
                        (the session starts on 10-31, its purchase is dated 11-01)
  s06  user 105  10-31  view
  s07  user 101  11-01  view, cart, P 1005 20.00, P 1005 20.00       order  40.00
  s08  user 103  11-01  view, cart, remove_from_cart, cart, P 1002 200.00
  s09  user 105  11-03  view, cart, P 1003 80.00 (its line repeated: an exact duplicate,
                        dropped; and a negative-price line, quarantined)
  s10  user 101  11-08  view                                         (the last event)

Nine purchases: 500 + 80 + 10 + 200 + 450 + 20 + 20 + 200 + 80 = 1560.00, nine items,
seven orders. No events on 11-02 and 11-04 .. 11-07: quiet days.
"""

from __future__ import annotations

from pathlib import Path

from ecom.sources.clickstream.contract import RAW_HEADER

PHONE = "2001,electronics.smartphone"
SHOES = "2002,apparel.shoes"
NO_CODE = "2003,"
SOCKS = "2004,apparel.socks"

DAYS: dict[str, list[str]] = {
    "2019-10-30": [
        f"2019-10-30 10:00:00 UTC,view,1001,{PHONE},apple,500.00,101,s01",
        f"2019-10-30 10:01:00 UTC,cart,1001,{PHONE},apple,500.00,101,s01",
        f"2019-10-30 10:02:00 UTC,purchase,1001,{PHONE},apple,500.00,101,s01",
        f"2019-10-30 10:02:30 UTC,purchase,1003,{SHOES},nike,80.00,101,s01",
        f"2019-10-30 11:00:00 UTC,view,1002,{PHONE},samsung,200.00,102,s02",
        f"2019-10-30 11:01:00 UTC,cart,1002,{PHONE},samsung,200.00,102,s02",
        f"2019-10-30 11:02:00 UTC,remove_from_cart,1002,{PHONE},samsung,200.00,102,s02",
        f"2019-10-30 12:00:00 UTC,view,1003,{SHOES},nike,80.00,103,s03",
        f"2019-10-30 12:01:00 UTC,view,1004,{NO_CODE},,10.00,103,s03",
        f"2019-10-30 12:05:00 UTC,purchase,1004,{NO_CODE},,10.00,103,s03",
    ],
    "2019-10-31": [
        f"2019-10-31 09:00:00 UTC,view,1002,{PHONE},samsung,200.00,102,s04",
        f"2019-10-31 09:01:00 UTC,cart,1002,{PHONE},samsung,200.00,102,s04",
        f"2019-10-31 09:05:00 UTC,purchase,1002,{PHONE},samsung,200.00,102,s04",
        f"2019-10-31 14:00:00 UTC,view,1005,{SOCKS},nike,20.00,105,s06",
        f"2019-10-31 23:59:00 UTC,view,1001,{PHONE},apple,450.00,104,s05",
        f"2019-10-31 23:59:30 UTC,cart,1001,{PHONE},apple,450.00,104,s05",
    ],
    "2019-11-01": [
        f"2019-11-01 00:00:30 UTC,purchase,1001,{PHONE},apple,450.00,104,s05",
        f"2019-11-01 10:00:00 UTC,view,1005,{SOCKS},nike,20.00,101,s07",
        f"2019-11-01 10:01:00 UTC,cart,1005,{SOCKS},nike,20.00,101,s07",
        f"2019-11-01 10:03:00 UTC,purchase,1005,{SOCKS},nike,20.00,101,s07",
        f"2019-11-01 10:03:10 UTC,purchase,1005,{SOCKS},nike,20.00,101,s07",
        f"2019-11-01 15:00:00 UTC,view,1002,{PHONE},samsung,200.00,103,s08",
        f"2019-11-01 15:01:00 UTC,cart,1002,{PHONE},samsung,200.00,103,s08",
        f"2019-11-01 15:02:00 UTC,remove_from_cart,1002,{PHONE},samsung,200.00,103,s08",
        f"2019-11-01 15:03:00 UTC,cart,1002,{PHONE},samsung,200.00,103,s08",
        f"2019-11-01 15:05:00 UTC,purchase,1002,{PHONE},samsung,200.00,103,s08",
    ],
    "2019-11-03": [
        f"2019-11-03 08:00:00 UTC,view,1003,{SHOES},nike,80.00,105,s09",
        f"2019-11-03 08:01:00 UTC,cart,1003,{SHOES},nike,80.00,105,s09",
        f"2019-11-03 08:02:00 UTC,purchase,1003,{SHOES},nike,80.00,105,s09",
        f"2019-11-03 08:02:00 UTC,purchase,1003,{SHOES},nike,80.00,105,s09",  # duplicate
        f"2019-11-03 08:03:00 UTC,purchase,1003,{SHOES},nike,-80.00,105,s09",  # quarantined
    ],
    "2019-11-08": [
        f"2019-11-08 20:00:00 UTC,view,1001,{PHONE},apple,450.00,101,s10",
    ],
}


def write_raw_days(folder: Path) -> list[Path]:
    """Write one CSV file per day with events (the layout of a daily delivery)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for day, lines in DAYS.items():
        path = folder / f"events-{day}.csv"
        path.write_text("\n".join([RAW_HEADER, *lines]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
