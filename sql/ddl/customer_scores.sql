-- table: customer_scores, one row per current customer: churn probability and risk band,
-- revenue forecast over the next horizon_days (models refitted on all history; see
-- model_evaluations for their out-of-fold evaluation)
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
create external table if not exists customer_scores (
    user_key bigint,
    user_id bigint,
    risk_band string,
    churn_probability double,
    predicted_revenue_next_h decimal(18,2),
    revenue_last_h decimal(18,2),
    horizon_days int,
    as_of_date date,
    scored_at timestamp,
    run_id string
)
stored as parquet
location '${LOCATION}/customer_scores/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
