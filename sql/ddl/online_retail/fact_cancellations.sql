-- table: fact_cancellations, one row per cancellation line (InvoiceNo C...); partitioned by
-- cancellation_date; revenue is the line total as published, cancelled_revenue its absolute value
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); see ecom.catalog.ddl.render_ddl.
-- Partitions live in version folders (<table>/v-<run_id>/<key>=<value>/) named per partition
-- by <curated>/_current.json: the model job registers each one at its folder, so there is
-- no partition projection (one location template cannot name per-partition versions)
-- and msck repair table does not apply.
create external table if not exists fact_cancellations (
    cancellation_key bigint,
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
    cancelled_revenue decimal(18,3),
    cancelled_at timestamp,
    source_file string,
    ingest_run_id string
)
partitioned by (cancellation_date date)
stored as parquet
location '${LOCATION}/fact_cancellations/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
