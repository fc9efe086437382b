"""The model job's segmentation stage: customer features from the star → k-means segments
(k by silhouette), RFM scores and the segment history (SCD Type 2), published with the
star as customer_features, dim_customer_segment and model_runs.

The history and the metric log are read from the previous publication even when the star
is rebuilt whole (--full-refresh, a new layout): they cannot be derived from the raw files,
so a rebuild merges its segments into them like any run and never starts them over.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pyspark.sql.functions as F
from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql.types import (
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from ecom.jobs.curated import CuratedBuild
from ecom.models.segmentation import (
    SKEWED,
    centroids_of,
    kmeans_sweep,
    sample_for_sweep,
    scaled_vectors,
)
from ecom.storage import tablestore
from ecom.transforms.customers.features import build_customer_features
from ecom.transforms.customers.history import HISTORY_SCHEMA, merge_segment_history
from ecom.transforms.customers.names import name_clusters
from ecom.transforms.customers.rfm import with_rfm_score

FEATURES_TABLE = "customer_features"
HISTORY_TABLE = "dim_customer_segment"
MODEL_RUNS = "model_runs"
SEGMENT_TABLES = (FEATURES_TABLE, HISTORY_TABLE, MODEL_RUNS)
MODEL_RUNS_SCHEMA = StructType(
    [
        StructField("run_id", StringType()),
        StructField("model", StringType()),
        StructField("k", IntegerType()),
        StructField("metric", StringType()),
        StructField("value", DoubleType()),
        StructField("customers", LongType()),
        StructField("is_chosen", BooleanType()),
    ]
)
METRICS = ("silhouette", "inertia", "calinski_harabasz", "davies_bouldin")
RFM_QUINTILES = [0.2, 0.4, 0.6, 0.8]
# The as-of day of a lake without sales (any day: no row is kept).
NO_DAY = date(1970, 1, 1)


def last_sale_date(build: CuratedBuild) -> date | None:
    """The last day with a sale line in the new publication (its last purchase partition)."""
    days = tablestore.partition_values(build.snapshot, "fact_purchases")
    return date.fromisoformat(days[-1]) if days else None


def rfm_bounds(features_df: DataFrame) -> dict[str, list[float]]:
    """The quintile bounds of recency, frequency and monetary (one small row)."""
    columns = ("recency_days", "frequency", "monetary")
    row = features_df.agg(
        *[
            F.percentile_approx(F.col(name).cast("double"), RFM_QUINTILES, 10_000).alias(name)
            for name in columns
        ]
    ).first()
    return {name: [float(value) for value in (row[name] or [0.0] * 4)] for name in columns}


def segment_customers(
    build: CuratedBuild,
    sales_df: DataFrame,
    cancellations_df: DataFrame | None,
    published: tablestore.Snapshot,
) -> dict[str, Any]:
    """Write customer_features, dim_customer_segment and model_runs; return the stage's
    report entry (status, reason, k chosen and its silhouette, customers)."""
    spark, args = build.spark, build.args
    as_of = last_sale_date(build)
    report: dict[str, Any] = {"status": "skipped", "as_of": as_of and as_of.isoformat()}
    history_df = tablestore.read_table(spark, build.zone, published, HISTORY_TABLE, HISTORY_SCHEMA)
    runs_df = tablestore.read_table(spark, build.zone, published, MODEL_RUNS, MODEL_RUNS_SCHEMA)
    if as_of is None:
        report["reason"] = "no sale lines in the lake"
        features_df = build_customer_features(sales_df, cancellations_df, NO_DAY).limit(0)
    else:
        features_df = build_customer_features(sales_df, cancellations_df, as_of)
    features_df = features_df.persist(StorageLevel.MEMORY_AND_DISK)
    customers = features_df.count()
    report["customers"] = customers
    features_df = with_rfm_score(features_df, rfm_bounds(features_df))
    assigned_df, clusters_df, metric_rows = None, None, []
    smallest_k = min(args.segment_k_values)
    needed = max(args.segment_min_customers, smallest_k + 1)
    if as_of is not None and customers < needed:
        report["reason"] = (
            f"too few customers for k={smallest_k}: {customers} identified customer(s), "
            f"at least {needed} needed (--segment-min-customers)"
        )
    elif as_of is not None:
        # The share is a feature where the source has cancellations (as for churn).
        with_share = cancellations_df is not None
        assigned_df, clusters_df, metric_rows = _clusters(
            features_df,
            customers,
            with_share,
            args.run_id,
            args.model_seed,
            report,
            k_values=args.segment_k_values,
        )
    if assigned_df is None:
        segmented_df = features_df.select(
            "*",
            F.lit(None).cast("int").alias("cluster"),
            F.lit(None).cast("string").alias("segment"),
        )
        new_history_df = history_df
    else:
        segmented_df = features_df.join(assigned_df, "user_id", "left")
        new_history_df = merge_segment_history(history_df, segmented_df, args.run_id, as_of)
    build.write(FEATURES_TABLE, feature_columns(segmented_df, as_of, args.run_id))
    build.write(HISTORY_TABLE, new_history_df)
    new_runs_df = spark.createDataFrame(metric_rows, MODEL_RUNS_SCHEMA)
    build.write(MODEL_RUNS, runs_df.where(F.col("run_id") != args.run_id).unionByName(new_runs_df))
    for frame in (features_df, clusters_df):
        if frame is not None:
            frame.unpersist()
    return report


def _clusters(
    features_df: DataFrame,
    customers: int,
    with_share: bool,
    run_id: str,
    seed: int,
    report: dict[str, Any],
    k_values: tuple[int, ...],
) -> tuple[DataFrame | None, DataFrame | None, list[tuple]]:
    """The k-means sweep over `k_values` → (user_id, cluster, segment) of the chosen k, the
    clusters as cached (for the caller to release), and model_runs rows."""
    vectors_df = scaled_vectors(features_df, customers, with_share)
    vectors_df = vectors_df.persist(StorageLevel.MEMORY_AND_DISK)
    width = len(SKEWED) + (1 if with_share else 0)
    sample_df = sample_for_sweep(vectors_df, customers, seed)
    if sample_df is not vectors_df:
        sample_df = sample_df.persist(StorageLevel.MEMORY_AND_DISK)
        fitted = sample_df.count()
    else:
        fitted = customers
    sweep = kmeans_sweep(sample_df, fitted, width, k_values, seed=seed)
    if sample_df is not vectors_df:
        sample_df.unpersist()
    report["customers_fitted"] = fitted
    rows = [
        (run_id, "kmeans", k, metric, float(values[metric]), fitted, k == sweep.chosen_k)
        for k, values in sorted(sweep.metrics.items())
        for metric in METRICS
    ]
    if sweep.chosen_k is None:
        report["reason"] = "no k gave two or more clusters (too few distinct customers)"
        vectors_df.unpersist()
        return None, None, rows
    model = sweep.models[sweep.chosen_k]
    clusters_df = model.transform(vectors_df).select(
        "user_id", F.col("prediction").cast("int").alias("cluster")
    )
    clusters_df = clusters_df.persist(StorageLevel.MEMORY_AND_DISK)
    names = name_clusters(centroids_of(features_df, clusters_df))
    mapping = F.create_map(*[F.lit(value) for item in sorted(names.items()) for value in item])
    assigned_df = clusters_df.withColumn("segment", mapping[F.col("cluster")])
    vectors_df.unpersist()
    report.update(
        status="done",
        reason="",
        k=sweep.chosen_k,
        silhouette=round(sweep.metrics[sweep.chosen_k]["silhouette"], 4),
        segments=dict(sorted(names.items())),
        figures=["customers", "k", "silhouette"],
    )
    return assigned_df, clusters_df, rows


def feature_columns(segmented_df: DataFrame, as_of: date | None, run_id: str) -> DataFrame:
    """customer_features in the house column order: keys, attributes, measures, dates, lineage."""
    return segmented_df.select(
        "user_key",
        "user_id",
        "country",
        "segment",
        "cluster",
        F.col("rfm_score").cast("int").alias("rfm_score"),
        "recency_days",
        "frequency",
        "monetary",
        "avg_order_value",
        "items",
        "tenure_days",
        "days_between_orders",
        "cancellation_share",
        "first_order_date",
        "last_order_date",
        F.lit(as_of).cast("date").alias("as_of_date"),
        F.lit(run_id).alias("run_id"),
    )
