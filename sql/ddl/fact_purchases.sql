-- table: fact_purchases, one row per purchase event (order line); partitioned by purchase_date
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated), substituted before running;
-- see ecom.catalog.ddl.render_ddl.
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
    'parquet.compression' = 'SNAPPY',
    'projection.enabled' = 'true',
    'projection.purchase_date.type' = 'date',
    'projection.purchase_date.format' = 'yyyy-MM-dd',
    'projection.purchase_date.range' = '${PROJECTION_START},NOW',
    'projection.purchase_date.interval' = '1',
    'projection.purchase_date.interval.unit' = 'DAYS',
    'storage.location.template' = '${LOCATION}/fact_purchases/purchase_date=${purchase_date}/'
)
