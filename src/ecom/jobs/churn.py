"""The model job's churn and CLV stage: the protocol's labels (ecom.transforms.customers
.labels), out-of-fold evaluation of both models, then a refit on every eligible customer
that scores every current customer; published with the star as customer_scores and
model_evaluations.

The evaluation rows accumulate run after run (read from the previous publication even when
the star is rebuilt whole); the scores are the latest run's. A lake whose sales span less
than twice the horizon, or whose eligible customers are too few or all of one class, skips
the stage with the reason in the run report: its scores are then empty (no score without
its evaluation) and the evaluations keep their earlier rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyspark.sql.functions as F
from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql.types import (
    DateType,
    DecimalType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from ecom.jobs.curated import CuratedBuild
from ecom.models.churn import (
    CHURN_MODEL,
    CLV_MODEL,
    evaluation_metrics,
    fit_both,
    model_inputs,
    out_of_fold,
    score,
)
from ecom.storage import tablestore
from ecom.transforms.customers.features import build_customer_features
from ecom.transforms.customers.labels import build_churn_labels, fold_of, revenue_between

SCORES_TABLE = "customer_scores"
EVALUATIONS_TABLE = "model_evaluations"
CHURN_TABLES = (SCORES_TABLE, EVALUATIONS_TABLE)
EVALUATION_SCHEMA = StructType(
    [
        StructField("run_id", StringType()),
        StructField("model", StringType()),
        StructField("metric", StringType()),
        StructField("cutoff_date", DateType()),
        StructField("horizon_days", IntegerType()),
        StructField("eligible_customers", LongType()),
        StructField("churned_customers", LongType()),
        StructField("churn_rate", DoubleType()),
        StructField("model_value", DoubleType()),
        StructField("baseline_value", DoubleType()),
        StructField("evaluated_at", TimestampType()),
    ]
)
SCORE_SCHEMA = StructType(
    [
        StructField("user_key", LongType()),
        StructField("user_id", LongType()),
        StructField("risk_band", StringType()),
        StructField("churn_probability", DoubleType()),
        StructField("predicted_revenue_next_h", DecimalType(18, 2)),
        StructField("revenue_last_h", DecimalType(18, 2)),
        StructField("horizon_days", IntegerType()),
        StructField("as_of_date", DateType()),
        StructField("scored_at", TimestampType()),
        StructField("run_id", StringType()),
    ]
)
METRIC_MODELS = {"roc_auc": CHURN_MODEL, "pr_auc": CHURN_MODEL, "mae": CLV_MODEL, "rmse": CLV_MODEL}


def with_recent_revenue(
    features_df: DataFrame, sales_df: DataFrame, day: date, horizon: int
) -> DataFrame:
    """Features as of `day` + `recent_revenue`, the sales revenue in (day − H, day]."""
    recent_df = revenue_between(sales_df, day - timedelta(days=horizon), day, "recent_revenue")
    return features_df.join(recent_df, "user_id", "left").withColumn(
        "recent_revenue", F.coalesce(F.col("recent_revenue"), F.lit(0).cast("decimal(18,2)"))
    )


def first_sale_date(build: CuratedBuild) -> date | None:
    days = tablestore.partition_values(build.snapshot, "fact_purchases")
    return date.fromisoformat(days[0]) if days else None


def arranged(frame_df: DataFrame) -> DataFrame:
    """One partition sorted by customer: the same data, the same fits. Spark merges the
    partitions' partial sums of a fit in the order their tasks finish, so with two
    partitions a rerun's gradients could differ in the last bits; customer-sized data (one
    row per customer) fits in one task per iteration."""
    return frame_df.repartition(1).sortWithinPartitions("user_id")


def score_customers(
    build: CuratedBuild,
    sales_df: DataFrame,
    cancellations_df: DataFrame | None,
    published: tablestore.Snapshot,
    last_day: date | None,
) -> dict[str, Any]:
    """Write customer_scores and model_evaluations; return the stage's report entry."""
    spark, args = build.spark, build.args
    horizon = args.horizon_days
    previous_df = tablestore.read_table(
        spark, build.zone, published, EVALUATIONS_TABLE, EVALUATION_SCHEMA
    ).where(F.col("run_id") != args.run_id)
    report: dict[str, Any] = {"status": "skipped", "horizon_days": horizon}
    first_day = first_sale_date(build)
    reason = history_too_short(first_day, last_day, horizon)
    rows: list[tuple] = []
    scores_df = spark.createDataFrame([], SCORE_SCHEMA)
    if reason is None:
        reason, rows, scores_df = _evaluate_and_score(
            build, sales_df, cancellations_df, last_day, report
        )
    report["reason"] = reason or ""
    if reason is None:
        report["status"] = "done"
    build.write(SCORES_TABLE, scores_df)
    new_df = spark.createDataFrame(rows, EVALUATION_SCHEMA)
    build.write(EVALUATIONS_TABLE, previous_df.unionByName(new_df))
    return report


def history_too_short(first_day: date | None, last_day: date | None, horizon: int) -> str | None:
    """Why a lake's sales span too few days for the protocol (None when they suffice)."""
    if first_day is None or last_day is None:
        return "no sale lines in the lake"
    days = (last_day - first_day).days + 1
    if days < 2 * horizon:
        return (
            f"{days} day(s) of sales history ({first_day} .. {last_day}), "
            f"at least {2 * horizon} needed for a {horizon}-day horizon (--horizon-days)"
        )
    return None


def _evaluate_and_score(
    build: CuratedBuild,
    sales_df: DataFrame,
    cancellations_df: DataFrame | None,
    last_day: date,
    report: dict[str, Any],
) -> tuple[str | None, list[tuple], DataFrame]:
    args = build.args
    horizon, seed, folds = args.horizon_days, args.model_seed, args.churn_folds
    needed = 2 * folds  # per class: both classes in every fold, to train and to be scored
    cutoff = last_day - timedelta(days=horizon)
    with_share = cancellations_df is not None
    at_cutoff_df = with_recent_revenue(
        build_customer_features(sales_df, cancellations_df, cutoff), sales_df, cutoff, horizon
    )
    labels_df = build_churn_labels(sales_df, last_day, horizon)
    labelled_df = arranged(
        model_inputs(at_cutoff_df.join(labels_df, "user_id"), with_share).withColumn(
            "fold", fold_of(F.col("user_id"), seed, folds)
        )
    ).persist(StorageLevel.MEMORY_AND_DISK)
    counts = labelled_df.agg(F.count(F.lit(1)), F.count(F.when(F.col("is_churned"), 1))).first()
    eligible, churned = int(counts[0]), int(counts[1])
    report.update(cutoff=cutoff.isoformat(), eligible_customers=eligible, churned=churned)
    if min(churned, eligible - churned) < needed:
        labelled_df.unpersist()
        empty = build.spark.createDataFrame([], SCORE_SCHEMA)
        return (
            f"{eligible} eligible customer(s), {churned} churned: each class needs at least "
            f"{needed} (both in every one of {folds} folds)",
            [],
            empty,
        )
    # Kept: the two curve evaluations and the error aggregate each read the predictions,
    # which would otherwise re-score every fold three times.
    oof_df = out_of_fold(labelled_df, with_share, seed, folds).persist(StorageLevel.MEMORY_AND_DISK)
    metrics = evaluation_metrics(oof_df)
    oof_df.unpersist()
    evaluated_at = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    rows = [
        (
            args.run_id,
            METRIC_MODELS[metric],
            metric,
            cutoff,
            horizon,
            eligible,
            churned,
            churned / eligible,
            round(float(model_value), METRIC_DECIMALS),
            None if baseline is None else round(float(baseline), METRIC_DECIMALS),
            evaluated_at,
        )
        for metric, (model_value, baseline) in metrics.items()
    ]
    report.update(
        {name: round(value[0], 4) for name, value in metrics.items()},
        baseline_mae=round(metrics["mae"][1], 2),
        figures=["eligible_customers", "churned", "roc_auc", "mae", "baseline_mae"],
    )
    models = fit_both(labelled_df, with_share, seed)
    current_df = with_recent_revenue(
        build_customer_features(sales_df, cancellations_df, last_day), sales_df, last_day, horizon
    )
    scored_df = score(models, arranged(model_inputs(current_df, with_share)))
    scores_df = _score_columns(scored_df, args, last_day, evaluated_at)
    labelled_df.unpersist()
    return None, rows, scores_df


# Published scores and metrics are rounded: a model refitted on the same rows, read in another
# order (a rebuilt partition's file), sums its gradients in another order and differs in the
# last bits (seen: 0.3920383307165748 against ...751); rounded, two runs on the same data
# publish the same numbers.
PROBABILITY_DECIMALS = 6
METRIC_DECIMALS = 9


def risk_band(probability: F.Column, medium: float, high: float) -> F.Column:
    """low below `medium`, medium from it, high from `high`."""
    return (
        F.when(probability >= high, "high").when(probability >= medium, "medium").otherwise("low")
    )


def _score_columns(scored_df: DataFrame, args, last_day: date, at: datetime) -> DataFrame:
    probability = F.round(F.col("churn_probability").cast("double"), PROBABILITY_DECIMALS)
    return scored_df.select(
        "user_key",
        "user_id",
        risk_band(probability, args.risk_medium, args.risk_high).alias("risk_band"),
        probability.alias("churn_probability"),
        F.col("predicted_revenue").cast("decimal(18,2)").alias("predicted_revenue_next_h"),
        F.col("recent_revenue").cast("decimal(18,2)").alias("revenue_last_h"),
        F.lit(args.horizon_days).cast("int").alias("horizon_days"),
        F.lit(last_day).cast("date").alias("as_of_date"),
        F.lit(at).cast("timestamp").alias("scored_at"),
        F.lit(args.run_id).alias("run_id"),
    )
