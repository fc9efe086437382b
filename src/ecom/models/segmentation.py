"""K-means segmentation of customers (pyspark.ml): features → scaled vectors → one k-means
model per k, each with its silhouette, inertia, Calinski-Harabasz and Davies-Bouldin index.

Skewed features are log1p'd, every feature standardised; distances are Euclidean in that
space (the silhouette, as Spark's ClusteringEvaluator computes it, on squared Euclidean
distances). Only per-cluster metric rows (k of them) reach the driver.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyspark.sql.functions as F
from pyspark.ml.clustering import KMeans, KMeansModel
from pyspark.ml.feature import StandardScaler, VectorAssembler
from pyspark.ml.functions import vector_to_array
from pyspark.sql import DataFrame

from ecom.transforms.customers.names import Centroid

# Features log1p'd before scaling (long right tails); the share is already in 0..1.
SKEWED = (
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "items",
    "tenure_days",
)
SHARE = "cancellation_share"
K_VALUES = tuple(range(2, 9))
SEED = 42
MAX_ITER = 20
FIT_THREADS = 4
# Customers per partition of the feature vectors: few partitions, few tasks per iteration.
CUSTOMERS_PER_PARTITION = 200_000
# The sweep over k fits a seeded sample of at most this many customers (silhouettes and
# centroids are stable well below it: 20k and 50k of 185k customers chose the same k with
# silhouettes 0.533 and 0.531); the chosen model then assigns every customer.
SWEEP_SAMPLE = 20_000


@dataclass
class Sweep:
    """One k-means fit per k: metrics per k (name → value), the chosen k and its model."""

    metrics: dict[int, dict[str, float]] = field(default_factory=dict)
    models: dict[int, KMeansModel] = field(default_factory=dict)
    chosen_k: int | None = None


def scaled_vectors(features_df: DataFrame, customers: int, with_share: bool) -> DataFrame:
    """Features → user_id, user_key and `features`, a standardised vector; partitioned by
    customer and sorted within partitions, so that the same data gives the same fits."""
    inputs = [F.log1p(F.col(name).cast("double")).alias(name) for name in SKEWED]
    if with_share:
        inputs.append(F.coalesce(F.col(SHARE), F.lit(0.0)).alias(SHARE))
    partitions = 1 + customers // CUSTOMERS_PER_PARTITION
    rows_df = (
        features_df.select("user_id", "user_key", *inputs)
        .repartition(partitions, "user_id")
        .sortWithinPartitions("user_id")
    )
    names = [*SKEWED, SHARE] if with_share else list(SKEWED)
    assembled_df = VectorAssembler(inputCols=names, outputCol="raw").transform(rows_df)
    scaler = StandardScaler(inputCol="raw", outputCol="features", withMean=True, withStd=True)
    return (
        scaler.fit(assembled_df).transform(assembled_df).select("user_id", "user_key", "features")
    )


def sample_for_sweep(vectors_df: DataFrame, customers: int, seed: int) -> DataFrame:
    """At most about SWEEP_SAMPLE customers, picked by a seeded hash of the customer id (the
    same data gives the same sample); all of them when there are fewer."""
    if customers <= SWEEP_SAMPLE:
        return vectors_df
    buckets = 1_000_000
    keep = int(buckets * SWEEP_SAMPLE / customers)
    bucket = F.pmod(F.xxhash64(F.col("user_id"), F.lit(seed)), F.lit(buckets))
    return vectors_df.where(bucket < keep)


def _dot(values: F.Column, vector: list[float]) -> F.Column:
    """x · v for an array column and a constant vector (built-in higher-order functions)."""
    constants = F.array(*[F.lit(float(value)) for value in vector])
    products = F.zip_with(values, constants, lambda a, b: a * b)
    return F.aggregate(products, F.lit(0.0), lambda total, value: total + value)


def _cluster_stats(predicted_df: DataFrame, width: int) -> dict[int, tuple]:
    """Predictions → cluster → (customers, Σx as a list, Σ‖x‖²): one small row per cluster."""
    x = vector_to_array(F.col("features"))
    sums = [F.sum(x[index]) for index in range(width)]
    norm = F.aggregate(x, F.lit(0.0), lambda total, value: total + value * value)
    rows = predicted_df.groupBy("prediction").agg(F.count(F.lit(1)), F.sum(norm), *sums).collect()
    return {int(r[0]): (int(r[1]), [float(v) for v in r[3:]], float(r[2])) for r in rows}


def cluster_quality(
    predicted_df: DataFrame, centers: list[list[float]]
) -> tuple[float, dict[int, tuple[int, float, float]]]:
    """Predictions → (mean silhouette, cluster → (customers, mean distance to its centroid,
    Σ squared distances)), in two passes (cluster sums, then one aggregation).

    The silhouette is Spark's (ClusteringEvaluator's) on squared Euclidean distances: a
    point's mean squared distance to a cluster's points follows from the cluster's count,
    Σx and Σ‖x‖², so no pairwise distances are computed; a point alone in its cluster
    scores 0."""
    stats = _cluster_stats(predicted_df, len(centers[0]))
    x = vector_to_array(F.col("features"))
    norm = F.aggregate(x, F.lit(0.0), lambda total, value: total + value * value)
    own, other, distance = F.lit(None), None, F.lit(None)
    for cluster, (count, total, squares) in stats.items():
        mean_squared = (norm * count - 2 * _dot(x, total) + F.lit(squares)) / count
        here = F.col("prediction") == cluster
        spread = F.when(F.lit(count) > 1, mean_squared * count / (count - 1))
        own = F.when(here, spread).otherwise(own)
        away = F.when(~here, mean_squared)
        other = away if other is None else F.least(other, away)
        center = centers[cluster]
        to_center = norm - 2 * _dot(x, center) + F.lit(sum(value * value for value in center))
        distance = F.when(here, F.greatest(to_center, F.lit(0.0))).otherwise(distance)
    score = F.when(F.col("_a").isNull(), F.lit(0.0)).otherwise(
        (F.col("_b") - F.col("_a")) / F.greatest(F.col("_a"), F.col("_b"))
    )
    points_df = predicted_df.select(
        "prediction", own.alias("_a"), other.alias("_b"), distance.alias("_d2")
    )
    rows = (
        points_df.select("prediction", F.coalesce(score, F.lit(0.0)).alias("_s"), "_d2")
        .groupBy("prediction")
        .agg(F.sum("_s"), F.count(F.lit(1)), F.avg(F.sqrt("_d2")), F.sum("_d2"))
        .collect()
    )
    customers = sum(int(row[2]) for row in rows)
    silhouette = sum(float(row[1]) for row in rows) / customers
    spread = {int(row[0]): (int(row[2]), float(row[3]), float(row[4])) for row in rows}
    return silhouette, spread


def davies_bouldin(centers: list[list[float]], spread: dict[int, tuple]) -> float:
    """Mean over clusters of the worst (s_i + s_j) / d(c_i, c_j) (Davies and Bouldin, 1979)."""
    used = sorted(spread)
    worst = []
    for i in used:
        ratios = [
            (spread[i][1] + spread[j][1]) / max(math.dist(centers[i], centers[j]), 1e-12)
            for j in used
            if j != i
        ]
        worst.append(max(ratios) if ratios else 0.0)
    return sum(worst) / len(worst)


def total_sum_of_squares(vectors_df: DataFrame, width: int) -> float:
    """Σ‖x − mean‖² over the vectors (for the Calinski-Harabasz index)."""
    x = vector_to_array(F.col("features"))
    row = vectors_df.agg(
        *[F.var_pop(x[index]) for index in range(width)], F.count(F.lit(1))
    ).first()
    return float(sum(row[:width])) * int(row[width])


def fit_one(vectors_df: DataFrame, k: int, customers: int, total: float, seed: int):
    """One k-means fit and its metrics (silhouette, inertia, CH, DB, clusters used)."""
    model = KMeans(k=k, seed=seed, maxIter=MAX_ITER, featuresCol="features").fit(vectors_df)
    centers = [list(map(float, center)) for center in model.clusterCenters()]
    silhouette, spread = cluster_quality(model.transform(vectors_df), centers)
    inertia = sum(value[2] for value in spread.values())
    used = len(spread)
    between = max(total - inertia, 0.0)
    fitted = used > 1 and customers > used and inertia > 0
    metrics = {
        "silhouette": silhouette if used > 1 else float("nan"),
        "inertia": inertia,
        "calinski_harabasz": (between / (used - 1)) / (inertia / (customers - used))
        if fitted
        else float("nan"),
        "davies_bouldin": davies_bouldin(centers, spread),
        "clusters": float(used),
    }
    return model, metrics


def kmeans_sweep(
    vectors_df: DataFrame, customers: int, width: int, k_values=K_VALUES, seed=SEED
) -> Sweep:
    """Fit k-means for each k (k < customers) on the vectors (cached by the caller); record
    the four metrics; choose the k of the highest silhouette (the smaller k on a tie).

    The fits run from a few driver threads: on customer-sized data each k-means iteration
    is a short Spark job, and concurrent fits keep the cores busy between them."""
    sweep = Sweep()
    total = total_sum_of_squares(vectors_df, width)
    ks = [value for value in k_values if value < customers]
    with ThreadPoolExecutor(max_workers=FIT_THREADS, thread_name_prefix="kmeans") as pool:
        fits = {k: pool.submit(fit_one, vectors_df, k, customers, total, seed) for k in ks}
        for k, fit in fits.items():
            sweep.models[k], sweep.metrics[k] = fit.result()
    scored = [
        (values["silhouette"], -k)
        for k, values in sweep.metrics.items()
        if not math.isnan(values["silhouette"])
    ]
    if scored:
        sweep.chosen_k = -max(scored)[1]
    return sweep


def centroids_of(features_df: DataFrame, assigned_df: DataFrame) -> list[Centroid]:
    """Features + user_id → cluster: each cluster's size and mean recency, orders, revenue in
    the features' own units (k rows)."""
    rows = (
        features_df.join(assigned_df, "user_id")
        .groupBy("cluster")
        .agg(
            F.count(F.lit(1)),
            F.avg("recency_days"),
            F.avg("frequency"),
            F.avg(F.col("monetary").cast("double")),
        )
        .collect()
    )
    return [Centroid(int(r[0]), int(r[1]), float(r[2]), float(r[3]), float(r[4])) for r in rows]
