-- table: model_evaluations, one row per run, model and metric: out-of-fold evaluation of
-- the churn and CLV models (cutoff = last sale day - horizon) and the baselines
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
create external table if not exists model_evaluations (
    run_id string,
    model string,
    metric string,
    cutoff_date date,
    horizon_days int,
    eligible_customers bigint,
    churned_customers bigint,
    churn_rate double,
    model_value double,
    baseline_value double,
    evaluated_at timestamp
)
stored as parquet
location '${LOCATION}/model_evaluations/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
