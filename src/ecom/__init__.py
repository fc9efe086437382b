"""E-commerce clickstream analytics: Glue PySpark jobs, a Parquet star schema and its SQL layer."""

__version__ = "0.1.0"
