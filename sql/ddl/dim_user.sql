-- table: dim_user, one row per user
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated), substituted before running;
-- see ecom.catalog.ddl.render_ddl.
create external table if not exists dim_user (
    user_key bigint,
    user_id bigint,
    is_buyer boolean,
    sessions bigint,
    orders bigint,
    items_purchased bigint,
    revenue decimal(18,2),
    first_seen_at timestamp,
    last_seen_at timestamp,
    first_order_at timestamp,
    last_order_at timestamp
)
stored as parquet
location '${LOCATION}/dim_user/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
