-- table: dim_category, one row per category_id
-- ${LOCATION}: the curated root (e.g. s3://bucket/curated), substituted before running;
-- see ecom.catalog.ddl.render_ddl.
create external table if not exists dim_category (
    category_key bigint,
    category_id bigint,
    category_code string,
    category_level1 string,
    category_level2 string,
    category_level3 string,
    has_category_code boolean
)
stored as parquet
location '${LOCATION}/dim_category/'
tblproperties (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
)
