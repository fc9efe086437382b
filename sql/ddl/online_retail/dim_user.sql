-- table: dim_user, one row per identified customer (guests have none)
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
create external table if not exists dim_user (
    user_key bigint,
    user_id bigint,
    country string,
    is_buyer boolean,
    orders bigint,
    items_purchased bigint,
    revenue decimal(18,2),
    cancelled_orders bigint,
    cancelled_revenue decimal(18,2),
    first_seen_at timestamp,
    last_seen_at timestamp,
    first_order_at timestamp,
    last_order_at timestamp
)
stored as parquet
location '${LOCATION}/dim_user/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
