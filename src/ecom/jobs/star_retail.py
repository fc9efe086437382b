"""The Online Retail star schema: staged invoice lines → the three line facts (sales,
cancellations, adjustments), dim_product, dim_user, dim_time and the summaries.

The facts are rebuilt for the dates that changed (their other partitions are kept); the
dimensions and summaries are aggregated again from the whole facts, which for invoice data
(about half a million lines a year for the UCI retailer) costs seconds.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pyspark import StorageLevel
from pyspark.sql import DataFrame, Row

from ecom.jobs.checks import Checks
from ecom.jobs.churn import CHURN_TABLES, score_customers
from ecom.jobs.curated import CuratedBuild, ModelPlan, Star, day
from ecom.jobs.segments import SEGMENT_TABLES, last_sale_date, segment_customers
from ecom.quality.rules import RETAIL_RULES
from ecom.sources.online_retail.lines import STAGED_SCHEMA
from ecom.storage import tablestore
from ecom.storage.lake import PARTITION_KEYS, curated_tables
from ecom.storage.staged import STAGED_TABLE
from ecom.transforms.calendar import build_dim_time
from ecom.transforms.online_retail.dimensions import build_dim_product, build_dim_user, lines_of
from ecom.transforms.online_retail.facts import (
    build_fact_adjustments,
    build_fact_cancellations,
    build_fact_purchases,
)
from ecom.transforms.online_retail.summaries import (
    build_fact_daily_summary,
    build_fact_monthly_summary,
)

FACTS = ("fact_purchases", "fact_cancellations", "fact_adjustments")
WRITERS = 4


def build_retail(
    build: CuratedBuild,
    plan: ModelPlan,
    staged: tablestore.Snapshot,
    published: tablestore.Snapshot,
) -> tuple[int, list[str], Checks, list[Row]]:
    """Write the tables a plan rebuilds and check them: (staged lines read, dates rebuilt,
    the checks, the rules' results)."""
    spark = build.spark
    staged_zone, _ = tablestore.split_table_path(build.args.staged_path)
    staged_dates = tablestore.partition_values(staged, STAGED_TABLE)
    changed = staged_dates if plan.full else plan.dates
    lines_df = tablestore.read_table(
        spark, staged_zone, staged, STAGED_TABLE, STAGED_SCHEMA, None if plan.full else changed
    ).persist(StorageLevel.MEMORY_AND_DISK)  # read by the three facts and the count
    first, last = (day(staged_dates[0]), day(staged_dates[-1])) if staged_dates else (None, None)
    builders = {
        "fact_purchases": build_fact_purchases,
        "fact_cancellations": build_fact_cancellations,
        "fact_adjustments": build_fact_adjustments,
    }
    with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="retail") as pool:
        staged_rows = pool.submit(lines_df.count)
        facts = {
            name: pool.submit(build.write, name, builders[name](lines_df), changed)
            for name in FACTS
        }
        calendar = pool.submit(
            build.write,
            "dim_time",
            build_dim_time(spark, first, last, build.args.fiscal_year_start_month),
        )
        purchases_df, cancellations_df, adjustments_df = (facts[name].result() for name in FACTS)
        all_lines_df: DataFrame = lines_of(purchases_df, cancellations_df, adjustments_df)
        later = [
            pool.submit(segment_customers, build, purchases_df, cancellations_df, published),
            pool.submit(
                score_customers,
                build,
                purchases_df,
                cancellations_df,
                published,
                last_sale_date(build),
            ),
            pool.submit(build.write, "dim_product", build_dim_product(all_lines_df)),
            pool.submit(build.write, "dim_user", build_dim_user(all_lines_df)),
            pool.submit(
                build.write,
                "fact_daily_summary",
                build_fact_daily_summary(calendar.result(), purchases_df, cancellations_df),
            ),
            pool.submit(
                build.write,
                "fact_monthly_summary",
                build_fact_monthly_summary(calendar.result(), purchases_df, cancellations_df),
            ),
        ]
        for task in [staged_rows, calendar, *facts.values(), *later]:
            task.result()  # re-raises the first failure here
    build.models["segments"] = later[0].result()
    build.models["churn_clv"] = later[1].result()
    lines_df.unpersist()
    checks = Checks(build, published, None if plan.full else dict.fromkeys(FACTS, changed))
    return staged_rows.result(), changed, checks, checks.run(build.star.rules)


RETAIL_STAR = Star(
    source="online-retail",
    tables=curated_tables("online-retail"),
    partitions={name: PARTITION_KEYS[name] for name in FACTS},
    rules=RETAIL_RULES,
    # 2: dim_time gained the fiscal calendar; the customer segment, score tables.
    model_version=2,
    large_tables=("dim_user", "dim_product", *SEGMENT_TABLES, *CHURN_TABLES),
    build=build_retail,
)
