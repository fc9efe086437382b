"""Churn risk and CLV with pyspark.ml, evaluated out of fold.

The same feature vector serves both models: log1p of recency, frequency, monetary, AOV,
items, tenure, days between orders (a one-order customer: their tenure) and the revenue of
the last H days before the cutoff, plus the cancellation share where the source has it;
standardised inside each pipeline (fitted on the training folds only).

Churn: logistic regression → p = P(churned).

CLV, revenue over the next H days, as a hurdle model: a customer the churn model finds
likely enough to churn (p ≥ a threshold t) is forecast 0; any other a blend of two
forecasts of an active customer's revenue: w · expm1(μ + r), with μ a linear regression of
log1p(revenue) fitted on the active customers of the training folds and r the median of its
residuals (so: the median revenue of an active customer like them), and (1 − w) · their
revenue of the last H days. The absolute error rewards medians, and the median of "0 with
probability p, else active revenue" is 0 from p = 0.5 down; t (0.20, 0.25 … 0.60) and w
(0, 0.25 … 1) are chosen by the absolute error on the training folds alone.

Every eligible customer is scored by models trained on the other folds; the metrics are
computed over all of them at once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pyspark.sql.functions as F
from pyspark.ml import Pipeline
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import StandardScaler, VectorAssembler
from pyspark.ml.functions import vector_to_array
from pyspark.ml.regression import LinearRegression
from pyspark.sql import DataFrame

LOGGED = (
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "items",
    "tenure_days",
    "days_between_orders",
    "recent_revenue",
)
SHARE = "cancellation_share"
CHURN_MODEL = "churn_logistic_regression"
CLV_MODEL = "clv_hurdle_lognormal"
FOLD_THREADS = 3
# Churn probabilities from which the CLV forecast is 0: one is chosen per fit.
THRESHOLDS = [round(0.2 + 0.05 * step, 2) for step in range(9)]
# Weights of the regression's forecast against the last H days' revenue: chosen per fit.
WEIGHTS = [0.25, 0.5, 0.75, 1.0]


INPUT_DECIMALS = 9


def model_inputs(features_df: DataFrame, with_share: bool) -> DataFrame:
    """Features (+ recent_revenue) → the model's numeric columns, nulls filled."""
    filled = {
        "days_between_orders": F.coalesce(F.col("days_between_orders"), F.col("tenure_days")),
        "recent_revenue": F.coalesce(F.col("recent_revenue"), F.lit(0)),
    }
    # Rounded to INPUT_DECIMALS: averages of doubles (days between orders) come out of an
    # aggregation in the last bits its partial sums' order gives; rounded, a rerun on the
    # same lines feeds the models the same numbers.
    columns = [
        F.round(F.log1p(filled.get(name, F.col(name)).cast("double")), INPUT_DECIMALS).alias(
            f"x_{name}"
        )
        for name in LOGGED
    ]
    if with_share:
        share = F.round(F.coalesce(F.col(SHARE), F.lit(0.0)), INPUT_DECIMALS)
        columns.append(share.alias(f"x_{SHARE}"))
    return features_df.select("*", *columns)


def input_names(with_share: bool) -> list[str]:
    return [f"x_{name}" for name in LOGGED] + ([f"x_{SHARE}"] if with_share else [])


def churn_pipeline(with_share: bool, seed: int) -> Pipeline:
    """Assemble → standardise → logistic regression on `is_churned` (as 0/1 `label`)."""
    return Pipeline(
        stages=[
            VectorAssembler(inputCols=input_names(with_share), outputCol="raw"),
            StandardScaler(inputCol="raw", outputCol="features", withMean=True, withStd=True),
            LogisticRegression(featuresCol="features", labelCol="label", maxIter=50, regParam=0.01),
        ]
    )


def clv_pipeline(with_share: bool) -> Pipeline:
    """Assemble → standardise → linear regression of log1p(revenue) (`log_target`)."""
    return Pipeline(
        stages=[
            VectorAssembler(inputCols=input_names(with_share), outputCol="raw"),
            StandardScaler(inputCol="raw", outputCol="features", withMean=True, withStd=True),
            LinearRegression(
                featuresCol="features", labelCol="log_target", solver="normal", regParam=0.01
            ),
        ]
    )


def _prepared(labelled_df: DataFrame) -> DataFrame:
    return labelled_df.withColumn("label", F.col("is_churned").cast("double")).withColumn(
        "target", F.col("future_revenue").cast("double")
    )


def fit_both(train_df: DataFrame, with_share: bool, seed: int) -> tuple:
    """(churn pipeline, CLV pipeline on the active customers, its median residual, (the
    churn threshold t, the blend weight w)), all from the same rows (`seed` is for learners
    that draw: these two do not)."""
    prepared_df = _prepared(train_df)
    churn = churn_pipeline(with_share, seed).fit(prepared_df)
    active_df = prepared_df.where(~F.col("is_churned")).withColumn(
        "log_target", F.log1p(F.col("target"))
    )
    clv = clv_pipeline(with_share).fit(active_df)
    residual = F.col("log_target") - F.col("prediction")
    median = float(
        clv.transform(active_df).agg(F.percentile_approx(residual, 0.5, 10_000)).first()[0]
    )
    scored_df = _scored(churn, clv, median, prepared_df)
    candidates = [(threshold, weight) for threshold in THRESHOLDS for weight in WEIGHTS]
    errors = scored_df.agg(
        *[
            F.avg(F.abs(_hurdle(*candidate) - F.col("target"))).alias(str(index))
            for index, candidate in enumerate(candidates)
        ]
    ).first()
    best = min(range(len(candidates)), key=lambda index: (errors[index], index))
    return churn, clv, median, candidates[best]


def _hurdle(threshold: float, weight: float) -> F.Column:
    """0 from the churn threshold up, else the blend of the regression's median forecast
    and the last H days' revenue."""
    recent = F.expm1(F.col("x_recent_revenue"))  # the feature is log1p(revenue)
    active = F.lit(weight) * F.col("_active") + F.lit(1 - weight) * recent
    return F.when(F.col("churn_probability") >= threshold, F.lit(0.0)).otherwise(active)


def _scored(churn, clv, median: float, inputs_df: DataFrame) -> DataFrame:
    """Inputs → plus churn_probability and `_active`, the active-customer median forecast."""
    churned_df = churn.transform(inputs_df).select(
        *inputs_df.columns, vector_to_array("probability")[1].alias("churn_probability")
    )
    active = F.greatest(F.expm1(F.col("prediction") + F.lit(median)), F.lit(0.0))
    return clv.transform(churned_df).select(*churned_df.columns, active.alias("_active"))


def score(models: tuple, inputs_df: DataFrame) -> DataFrame:
    """Model inputs → plus `churn_probability` and `predicted_revenue` (the hurdle forecast)."""
    churn, clv, median, chosen = models
    scored_df = _scored(churn, clv, median, inputs_df)
    return scored_df.select(
        *inputs_df.columns, "churn_probability", _hurdle(*chosen).alias("predicted_revenue")
    )


def out_of_fold(labelled_df: DataFrame, with_share: bool, seed: int, folds: int) -> DataFrame:
    """Each fold (`fold` 0..folds-1) scored by the models trained on the other folds; the
    union of the folds."""

    def one(fold: int) -> DataFrame:
        models = fit_both(labelled_df.where(F.col("fold") != fold), with_share, seed)
        return score(models, labelled_df.where(F.col("fold") == fold))

    with ThreadPoolExecutor(max_workers=FOLD_THREADS, thread_name_prefix="fold") as pool:
        scored = list(pool.map(one, range(folds)))
    union_df = scored[0]
    for frame in scored[1:]:
        union_df = union_df.unionByName(frame)
    return union_df


def evaluation_metrics(scored_df: DataFrame) -> dict[str, tuple[float, float | None]]:
    """Out-of-fold predictions → metric → (model value, baseline value): ROC AUC (baseline
    0.5: chance), PR AUC (baseline: the churn rate), MAE and RMSE of the revenue forecast and
    of the naive baseline (the last H days' revenue again)."""
    prepared_df = _prepared(scored_df).withColumn("rawPrediction", F.col("churn_probability"))
    # numBins=0: the exact curves. Down-sampled (the default, 1000 bins) the points are
    # grouped within each partition of the sorted scores, and the partitions' bounds come
    # from a sample: the same scores gave AUCs 2e-6 apart on two runs.
    evaluator = BinaryClassificationEvaluator(
        labelCol="label", rawPredictionCol="rawPrediction", numBins=0
    )
    roc = evaluator.evaluate(prepared_df, {evaluator.metricName: "areaUnderROC"})
    pr = evaluator.evaluate(prepared_df, {evaluator.metricName: "areaUnderPR"})
    error = F.col("predicted_revenue") - F.col("target")
    naive = F.col("baseline_revenue") - F.col("future_revenue")  # exact decimals
    row = prepared_df.agg(
        F.avg("label"),
        F.avg(F.abs(error)),
        F.sqrt(F.avg(error * error)),
        F.avg(F.abs(naive)),
        F.sqrt(F.avg((naive * naive).cast("double"))),
    ).first()
    return {
        "roc_auc": (roc, 0.5),
        "pr_auc": (pr, float(row[0])),
        "mae": (float(row[1]), float(row[3])),
        "rmse": (float(row[2]), float(row[4])),
    }
