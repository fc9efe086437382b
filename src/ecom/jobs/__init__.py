"""The two Glue jobs as functions of (SparkSession, arguments); entry scripts wrap them."""
