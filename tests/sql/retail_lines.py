"""The raw Online Retail lines of the SQL tests' retail lake: three tiny day files.

Every expected value in tests/sql/test_retail_views.py is worked out by hand from these
lines (line totals = Quantity × UnitPrice, exact to 3 decimal places). Customers: 17850 (UK,
three sale invoices), 12583 (France, two), 14000 (UK, one), 13047 (UK, an adjustment only);
invoice 536003 is a guest's (no CustomerID).
"""

from __future__ import annotations

from pathlib import Path

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"

DAYS: dict[str, list[str]] = {
    "2010-12-01": [
        # 536001: a three-line invoice of 17850 (UK); POST is postage, not a product.
        "536001,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",  # 15.300
        "536001,71053,WHITE METAL LANTERN,1,2010-12-01 08:26:00,3.395,17850.0,United Kingdom",  # 3.395
        "536001,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850.0,United Kingdom",  # 18.000
        # 536002: 12583 (France), a lower-case product code (15056BL once upper-cased).
        "536002,15056bl,EDWARDIAN PARASOL BLACK,3,2010-12-01 09:00:00,5.95,12583.0,France",  # 17.850
        # 536003: a guest; PADS at 0.001 (a non-product code of kind `other`).
        "536003,22633,HAND WARMER UNION JACK,1,2010-12-01 10:00:00,1.855,,United Kingdom",  # 1.855
        "536003,PADS,PADS TO MATCH ALL CUSHIONS,5,2010-12-01 10:00:00,0.001,,United Kingdom",  # 0.005
        # C536004: 17850 cancels two hearts and a discount (D).
        "C536004,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-2,2010-12-01 11:00:00,2.55,17850.0,United Kingdom",  # -5.100
        "C536004,D,Discount,-1,2010-12-01 11:00:00,2.50,17850.0,United Kingdom",  # -2.500
    ],
    "2010-12-02": [
        "536005,85123A,WHITE HANGING HEART T-LIGHT HOLDER,12,2010-12-02 09:30:00,2.55,17850.0,United Kingdom",  # 30.600
        "536006,22633,HAND WARMER UNION JACK,10,2010-12-02 10:15:00,1.85,12583.0,France",  # 18.500
        "536006,POST,POSTAGE,2,2010-12-02 10:15:00,15.00,12583.0,France",  # 30.000
        # C536007: a cancellation invoice with a positive quantity.
        "C536007,22633,HAND WARMER UNION JACK,1,2010-12-02 12:00:00,1.85,12583.0,France",  # 1.850
        # Adjustments: a bad-debt adjustment (A...) and a zero-price manual line.
        "A536008,B,Adjust bad debt,1,2010-12-02 13:00:00,-11062.06,,United Kingdom",  # -11062.060
        "536010,M,Manual,1,2010-12-02 14:00:00,0,13047.0,United Kingdom",  # 0.000
    ],
    "2011-01-04": [
        "536100,85123A,WHITE HANGING HEART T-LIGHT HOLDER,4,2011-01-04 10:00:00,2.95,14000.0,United Kingdom",  # 11.800
        "536100,21212,PACK OF 72 RETROSPOT CAKE CASES,24,2011-01-04 10:00:00,0.55,14000.0,United Kingdom",  # 13.200
        "536101,22633,HAND WARMER UNION JACK,2,2011-01-04 11:00:00,3.155,17850.0,United Kingdom",  # 6.310
    ],
}


def write_raw_days(folder: Path) -> list[Path]:
    """Write one CSV file per day (the layout of the published by-day files)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for day, lines in DAYS.items():
        path = folder / f"{day}.csv"
        path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
