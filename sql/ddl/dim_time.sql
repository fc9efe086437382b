-- table: dim_time, one row per calendar date from the first to the last event date
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
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
    is_weekend boolean,
    fiscal_year int,
    fiscal_quarter int,
    fiscal_month int,
    fiscal_week int
)
stored as parquet
location '${LOCATION}/dim_time/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
