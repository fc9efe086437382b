-- table: dim_customer_segment, one row per customer and segment spell (SCD Type 2):
-- the open spell has is_current and no valid_to; a run that changes the segment closes it
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
create external table if not exists dim_customer_segment (
    customer_segment_key bigint,
    user_key bigint,
    user_id bigint,
    segment_version int,
    segment string,
    rfm_score int,
    valid_from date,
    valid_to date,
    is_current boolean,
    changed_by_run string
)
stored as parquet
location '${LOCATION}/dim_customer_segment/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
