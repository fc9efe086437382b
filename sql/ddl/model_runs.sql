-- table: model_runs, one row per run, model, k and metric (k-means: silhouette, inertia,
-- calinski_harabasz, davies_bouldin for every k tried; is_chosen marks the k used)
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
create external table if not exists model_runs (
    run_id string,
    model string,
    k int,
    metric string,
    value double,
    customers bigint,
    is_chosen boolean
)
stored as parquet
location '${LOCATION}/model_runs/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
