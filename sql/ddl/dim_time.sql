-- table: dim_time, one row per calendar date from the first to the last event date
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated), substituted before running;
-- see ecom.catalog.ddl.render_ddl.
create external table if not exists dim_time (
    date_key int,
    calendar_date date,
    year int,
    quarter int,
    month int,
    month_name string,
    year_month string,
    day_of_month int,
    iso_year int,
    iso_week int,
    iso_weekday int,
    weekday_name string,
    is_weekend boolean
)
stored as parquet
location '${LOCATION}/dim_time/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
