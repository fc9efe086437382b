-- table: fact_monthly_summary, one row per calendar month
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated), substituted before running;
-- see ecom.catalog.ddl.render_ddl.
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
location '${LOCATION}/fact_monthly_summary/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
