"""A hand-written Online Retail lake of segmented customers: the customer tables as the model
job would have published them after two runs, every other table of the star empty. The
segment views per country (tests/sql/test_segment_country_views.py) and the Customers sheet's
country filter (tests/dashboard/test_app_segment_country.py) are checked against the figures
below, worked out by hand from these rows.

Customers as of 2011-01-10 (run r2; r1 ran on 2010-12-09):

  customer  country         segment      orders  revenue  recency  history
  1         United Kingdom  Champions    5       500.00   2        r1 (new) → Champions
  2         United Kingdom  Champions    3       300.50   4        r1 (new) → At risk, r2 → Champions
  3         France          Champions    4       250.25   1        r1 (new) → Champions
  4         France          At risk      2       120.00   60       r1 (new) → Champions, r2 → At risk
  5         United Kingdom  At risk      1        80.10   90       r1 (new) → At risk
  6         Germany         Hibernating  1        15.00   120      r1 (new) → Hibernating
  7         (none)          Hibernating  1        10.00   150      r2 (new) → Hibernating

Per segment and country (customers, orders, revenue, total recency days):
  Champions / United Kingdom  2  8  800.50    6
  Champions / France          1  4  250.25    1
  At risk / France            1  2  120.00   60
  At risk / United Kingdom    1  1   80.10   90
  Hibernating / Germany       1  1   15.00  120
  Hibernating / unknown       1  1   10.00  150

United Kingdom alone: Champions 2 customers (2/3 = 66.7%), 800.50 (800.50 / 880.60 = 90.9%),
average spend 400.25, AOV 800.50 / 8 = 100.06, 4.0 orders per customer, 3.0 days; At risk 1
(33.3%), 80.10 (9.1%), 80.10, 80.10, 1.0, 90.0. Its transitions: r1 (new) → Champions 1,
(new) → At risk 2; r2 At risk → Champions 1.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from ecom.catalog.local import register_local
from ecom.storage.lake import curated_tables
from tests.sql.helpers import write_curated

SOURCE = "online-retail"
AS_OF = date(2011, 1, 10)
RUNS = {"r1": date(2010, 12, 9), "r2": AS_OF}
CLUSTERS = {"Champions": 0, "At risk": 1, "Hibernating": 2}
# user_id: (country, segment, orders, revenue, recency days)
CUSTOMERS = {
    1: ("United Kingdom", "Champions", 5, "500.00", 2),
    2: ("United Kingdom", "Champions", 3, "300.50", 4),
    3: ("France", "Champions", 4, "250.25", 1),
    4: ("France", "At risk", 2, "120.00", 60),
    5: ("United Kingdom", "At risk", 1, "80.10", 90),
    6: ("Germany", "Hibernating", 1, "15.00", 120),
    7: (None, "Hibernating", 1, "10.00", 150),
}
# user_id: [(segment, run that opened the spell)], oldest first; the last spell is open.
SPELLS = {
    1: [("Champions", "r1")],
    2: [("At risk", "r1"), ("Champions", "r2")],
    3: [("Champions", "r1")],
    4: [("Champions", "r1"), ("At risk", "r2")],
    5: [("At risk", "r1")],
    6: [("Hibernating", "r1")],
    7: [("Hibernating", "r2")],
}


def feature_rows() -> list[dict]:
    rows = []
    for user, (country, segment, orders, revenue, recency) in CUSTOMERS.items():
        last = AS_OF - timedelta(days=recency)
        rows.append(
            {
                "user_key": user * 10,
                "user_id": user,
                "country": country,
                "segment": segment,
                "cluster": CLUSTERS[segment],
                "rfm_score": 333,
                "recency_days": recency,
                "frequency": orders,
                "monetary": revenue,
                "avg_order_value": (Decimal(revenue) / orders).quantize(Decimal("0.01")),
                "items": orders,
                "tenure_days": recency,
                "cancellation_share": 0.0,
                "first_order_date": last,
                "last_order_date": last,
                "as_of_date": AS_OF,
                "run_id": "r2",
            }
        )
    return rows


def spell_rows() -> list[dict]:
    rows = []
    for user, spells in SPELLS.items():
        for version, (segment, run) in enumerate(spells, start=1):
            is_current = version == len(spells)
            rows.append(
                {
                    "customer_segment_key": user * 100 + version,
                    "user_key": user * 10,
                    "user_id": user,
                    "segment_version": version,
                    "segment": segment,
                    "rfm_score": 333,
                    "valid_from": RUNS[run],
                    "valid_to": None if is_current else RUNS[spells[version][1]],
                    "is_current": is_current,
                    "changed_by_run": run,
                }
            )
    return rows


def model_run_rows() -> list[dict]:
    """k = 2 and 3 tried in each run, 3 chosen."""
    return [
        {
            "run_id": run,
            "model": "kmeans",
            "k": k,
            "metric": metric,
            "value": value,
            "customers": 6 if run == "r1" else 7,
            "is_chosen": k == 3,
        }
        for run in RUNS
        for k in (2, 3)
        for metric, value in (
            ("silhouette", 0.4 + k / 10),
            ("inertia", 10.0 / k),
            ("calinski_harabasz", 5.0 * k),
            ("davies_bouldin", 1.0 / k),
        )
    ]


def build_retail_segments_lake(lake: Path) -> Path:
    """Write the customer tables above, every other table of the retail star empty, and
    register the local catalog; returns the lake."""
    written = {
        "customer_features": feature_rows(),
        "dim_customer_segment": spell_rows(),
        "model_runs": model_run_rows(),
    }
    for table in curated_tables(SOURCE):
        write_curated(lake, table, written.get(table, []), source=SOURCE)
    register_local(lake)
    return lake
