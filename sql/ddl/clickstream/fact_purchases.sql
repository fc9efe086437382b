-- table: fact_purchases, one row per purchase event (order line); partitioned by purchase_date
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); see ecom.catalog.ddl.render_ddl.
-- Partitions live in version folders (<table>/v-<run_id>/<key>=<value>/) named per partition
-- by <curated>/_current.json: the model job registers each one at its folder, so there is
-- no partition projection (one location template cannot name per-partition versions)
-- and msck repair table does not apply.
create external table if not exists fact_purchases (
    purchase_key bigint,
    order_id string,
    date_key int,
    user_key bigint,
    product_key bigint,
    category_key bigint,
    user_id bigint,
    product_id bigint,
    category_id bigint,
    quantity int,
    unit_price decimal(18,2),
    revenue decimal(18,2),
    purchased_at timestamp,
    source_file string,
    ingest_run_id string
)
partitioned by (purchase_date date)
stored as parquet
location '${LOCATION}/fact_purchases/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
