"""Customer-level transforms shared by every source: features, RFM scores, segment names,
the segment history (SCD Type 2) and the churn / CLV labels."""
