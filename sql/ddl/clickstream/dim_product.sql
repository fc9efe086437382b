-- table: dim_product, one row per product
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
create external table if not exists dim_product (
    product_key bigint,
    product_id bigint,
    category_key bigint,
    category_id bigint,
    brand string,
    has_brand boolean,
    category_code string,
    latest_price decimal(18,2),
    first_seen_at timestamp,
    last_seen_at timestamp
)
stored as parquet
location '${LOCATION}/dim_product/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
