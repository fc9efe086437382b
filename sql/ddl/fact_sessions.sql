-- table: fact_sessions, one row per session; partitioned by session_date (the date it starts)
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated), substituted before running;
-- see ecom.catalog.ddl.render_ddl.
create external table if not exists fact_sessions (
    session_id string,
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
    'parquet.compression' = 'SNAPPY',
    'projection.enabled' = 'true',
    'projection.session_date.type' = 'date',
    'projection.session_date.format' = 'yyyy-MM-dd',
    'projection.session_date.range' = '${PROJECTION_START},NOW',
    'projection.session_date.interval' = '1',
    'projection.session_date.interval.unit' = 'DAYS',
    'storage.location.template' = '${LOCATION}/fact_sessions/session_date=${session_date}/'
)
