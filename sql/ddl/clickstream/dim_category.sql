-- table: dim_category, one row per category_id
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
create external table if not exists dim_category (
    category_key bigint,
    category_id bigint,
    category_code string,
    category_level1 string,
    category_level2 string,
    category_level3 string,
    has_category_code boolean
)
stored as parquet
location '${LOCATION}/dim_category/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
