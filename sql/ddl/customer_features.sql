-- table: customer_features, one row per identified customer with a sale: features as of
-- the last sale day, the current segment (null when the run skipped segmentation), RFM score;
-- country: of the customer's latest sale invoice (Online Retail; null for clickstream)
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version.
create external table if not exists customer_features (
    user_key bigint,
    user_id bigint,
    country string,
    segment string,
    cluster int,
    rfm_score int,
    recency_days int,
    frequency bigint,
    monetary decimal(18,2),
    avg_order_value decimal(18,2),
    items bigint,
    tenure_days int,
    days_between_orders double,
    cancellation_share double,
    first_order_date date,
    last_order_date date,
    as_of_date date,
    run_id string
)
stored as parquet
location '${LOCATION}/customer_features/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
