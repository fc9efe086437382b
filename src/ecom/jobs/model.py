"""Glue job 2, model: staged rows → the curated star schema (Parquet), incrementally.

A run rebuilds only what the staged changes since the last publication touch (see
`ecom.jobs.curated.plan_model`), checks the result with the data-quality rules, and
publishes it in one step (`ecom.storage.tablestore`). Nothing readers see changes before
that step; a failed error-level rule publishes only the run's `dq_results`, so the failure
can be queried, and leaves every other table as it was. The star built is the one of the
lake's raw source (`ecom.jobs.star_clickstream`, `ecom.jobs.star_retail`).
"""

from __future__ import annotations

import time

from pyspark.sql import SparkSession

from ecom.jobs.checks import publish_checked
from ecom.jobs.curated import CuratedBuild, ModelArgs, ModelResult, Star, plan_model
from ecom.jobs.star_clickstream import CLICKSTREAM_STAR
from ecom.jobs.star_retail import RETAIL_STAR
from ecom.storage import tablestore
from ecom.storage.staged import lake_source

STARS: dict[str, Star] = {star.source: star for star in (CLICKSTREAM_STAR, RETAIL_STAR)}


def run_model(spark: SparkSession, args: ModelArgs) -> ModelResult:
    """Rebuild what changed, check it, publish it; DataQualityError when an error rule fails."""
    started = time.perf_counter()
    staged_zone, _ = tablestore.split_table_path(args.staged_path)
    staged = tablestore.load(spark, staged_zone)
    published = tablestore.load(spark, args.curated_path)
    star = STARS[lake_source(staged) or "clickstream"]
    result = ModelResult(run_id=args.run_id, source=star.source)
    plan = plan_model(staged, published, args, star)
    result.mode = "full" if plan.full else ("incremental" if plan.dates else "up_to_date")
    result.reason = plan.reason
    if not plan.full and not plan.dates:
        result.seconds = round(time.perf_counter() - started, 3)
        return result
    previous = {**published, "tables": {}} if plan.full else published
    build = CuratedBuild(spark, args, previous, star)
    staged_rows, rebuilt, checks, rows = star.build(build, plan, staged, published)
    result.staged_rows, result.dates_rebuilt = staged_rows, rebuilt
    result.models = build.models
    publish_checked(spark, build, staged, published, result, checks, rows)
    result.seconds = round(time.perf_counter() - started, 3)
    return result
