-- table: fact_sessions, one row per session; partitioned by session_date (the date it starts)
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); see ecom.catalog.ddl.render_ddl.
-- Partitions live in version folders (<table>/v-<run_id>/<key>=<value>/) named per partition
-- by <curated>/_current.json: the model job registers each one at its folder, so there is
-- no partition projection (one location template cannot name per-partition versions)
-- and msck repair table does not apply.
create external table if not exists fact_sessions (
    session_id string,
    session_key bigint,
    date_key int,
    user_key bigint,
    user_id bigint,
    is_converted boolean,
    has_cart boolean,
    events bigint,
    `views` bigint,
    carts bigint,
    cart_removals bigint,
    purchases bigint,
    revenue decimal(18,2),
    duration_seconds bigint,
    started_at timestamp,
    ended_at timestamp
)
partitioned by (session_date date)
stored as parquet
location '${LOCATION}/fact_sessions/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
