"""Customer models with pyspark.ml: k-means segments, churn risk and CLV. DataFrames in,
fitted models, DataFrames and small metric rows out; no I/O (the model job writes)."""
