-- table: fact_adjustments, one row per adjustment line (InvoiceNo A..., or Quantity or
-- UnitPrice <= 0); partitioned by adjustment_date; amount is the line total, reason says why
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); see ecom.catalog.ddl.render_ddl.
-- Partitions live in version folders (<table>/v-<run_id>/<key>=<value>/) named per partition
-- by <curated>/_current.json: the model job registers each one at its folder, so there is
-- no partition projection (one location template cannot name per-partition versions)
-- and msck repair table does not apply.
create external table if not exists fact_adjustments (
    adjustment_key bigint,
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
    amount decimal(18,3),
    reason string,
    adjusted_at timestamp,
    source_file string,
    ingest_run_id string
)
partitioned by (adjustment_date date)
stored as parquet
location '${LOCATION}/fact_adjustments/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
