-- table: fact_daily_summary, one row per calendar date, no gaps
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
create external table if not exists fact_daily_summary (
    date_key int,
    events bigint,
    `views` bigint,
    carts bigint,
    cart_removals bigint,
    purchase_events bigint,
    sessions bigint,
    converted_sessions bigint,
    orders bigint,
    buyers bigint,
    items bigint,
    revenue decimal(18,2),
    average_order_value decimal(18,2),
    summary_date date
)
stored as parquet
location '${LOCATION}/fact_daily_summary/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
