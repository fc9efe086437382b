-- table: fact_daily_summary, one row per calendar date, no gaps
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated), substituted before running;
-- see ecom.catalog.ddl.render_ddl.
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
location '${LOCATION}/fact_daily_summary/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
