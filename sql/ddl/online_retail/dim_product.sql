-- table: dim_product, one row per stock code (upper-cased), products and non-product codes
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
create external table if not exists dim_product (
    product_key bigint,
    stock_code string,
    description string,
    code_kind string,
    is_product boolean,
    sale_lines bigint,
    latest_price decimal(18,3),
    first_seen_at timestamp,
    last_seen_at timestamp
)
stored as parquet
location '${LOCATION}/dim_product/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
