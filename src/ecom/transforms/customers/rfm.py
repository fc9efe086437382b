"""RFM scores of customers from the quintile bounds of recency, frequency and monetary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from ecom.transforms.columns import require_columns


def quintile_score(value: Column, bounds: Sequence[float], *, lower_is_better: bool) -> Column:
    """1..5 from the four quintile bounds: 1 + the bounds below the value (reversed when a
    lower value is better); null stays null."""
    above = sum((F.when(value > F.lit(bound), 1).otherwise(0) for bound in bounds), F.lit(0))
    score = F.lit(5) - above if lower_is_better else F.lit(1) + above
    return F.when(value.isNotNull(), score.cast("int"))


def with_rfm_score(features_df: DataFrame, bounds: Mapping[str, Sequence[float]]) -> DataFrame:
    """Customer features + the quintile bounds of recency, frequency and monetary → plus
    `rfm_score`, the three 1..5 scores as one number (555 best: recent, frequent, big)."""
    require_columns(features_df, ("recency_days", "frequency", "monetary"), "with_rfm_score")
    recency = quintile_score(F.col("recency_days"), bounds["recency_days"], lower_is_better=True)
    frequency = quintile_score(F.col("frequency"), bounds["frequency"], lower_is_better=False)
    monetary = quintile_score(F.col("monetary"), bounds["monetary"], lower_is_better=False)
    return features_df.withColumn("rfm_score", recency * 100 + frequency * 10 + monetary)
