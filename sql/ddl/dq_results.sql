-- table: dq_results, one row per data-quality rule per model run (every run's outcomes)
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated); ${VERSION}: the version folder
-- <curated>/_current.json names for the table (v-<run_id>); see ecom.catalog.ddl.render_ddl.
-- The model job registers this table itself and moves its location to each new version;
-- a run whose error-level rules fail publishes only this table.
create external table if not exists dq_results (
    run_id string,
    table_name string,
    rule_name string,
    rule_kind string,
    level string,
    is_passed boolean,
    failed_rows bigint,
    checked_rows bigint,
    details string,
    evaluated_at timestamp
)
stored as parquet
location '${LOCATION}/dq_results/${VERSION}/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
