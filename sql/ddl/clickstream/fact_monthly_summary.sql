-- table: fact_monthly_summary, one row per calendar month
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
create external table if not exists fact_monthly_summary (
    month_key int,
    year_month string,
    year int,
    month int,
    month_name string,
    days_in_data bigint,
    orders bigint,
    buyers bigint,
    items bigint,
    revenue decimal(18,2),
    average_order_value decimal(18,2),
    month_start_date date
)
stored as parquet
location '${LOCATION}/fact_monthly_summary/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
