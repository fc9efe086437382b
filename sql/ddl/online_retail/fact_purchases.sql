-- table: fact_purchases, one row per sale line (neither a cancellation nor an adjustment);
-- partitioned by purchase_date; user_id is null for a guest's line, revenue is the exact
-- line total (Quantity × UnitPrice, 3 decimal places)
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
    user_id bigint,
    stock_code string,
    description string,
    country string,
    is_product boolean,
    quantity int,
    unit_price decimal(18,3),
    revenue decimal(18,3),
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
