-- The baseline of benchmarks/bench_pipeline.py: the same staged events and star schema as
-- the Spark jobs, built by DuckDB on one machine. Placeholders: {raw_glob}, {out}.
-- Same rules: explicit columns, typed with try_cast, invalid rows set aside, exact
-- duplicates dropped, money as decimal(18,2).

set preserve_insertion_order = false;

create or replace temp table raw_rows as
select *
from read_csv(
    '{raw_glob}',
    header = true,
    auto_detect = false,
    delim = ',',
    quote = '"',
    filename = true,
    store_rejects = true,
    columns = {
        'event_time': 'varchar', 'event_type': 'varchar', 'product_id': 'varchar',
        'category_id': 'varchar', 'category_code': 'varchar', 'brand': 'varchar',
        'price': 'varchar', 'user_id': 'varchar', 'user_session': 'varchar'
    }
);

create or replace temp table typed as
select
    try_cast(substr(trim(event_time), 1, 19) as timestamp) as event_at,
    lower(trim(event_type)) as event_type,
    try_cast(trim(product_id) as bigint) as product_id,
    try_cast(trim(category_id) as bigint) as category_id,
    nullif(trim(category_code), '') as category_code,
    nullif(trim(brand), '') as brand,
    try_cast(trim(price) as decimal(18, 2)) as price,
    try_cast(trim(user_id) as bigint) as user_id,
    nullif(trim(user_session), '') as session_id,
    filename as source_file,
    event_time as raw_event_time
from raw_rows;

create or replace temp table events as
select distinct
    event_at, event_type, product_id, category_id, category_code, brand, price, user_id,
    session_id, cast(event_at as date) as event_date
from typed
where event_at is not null
    and length(trim(raw_event_time)) = 23 and trim(raw_event_time) like '% UTC'
    and event_type in ('view', 'cart', 'remove_from_cart', 'purchase')
    and product_id > 0 and category_id > 0 and user_id > 0
    and session_id is not null and price >= 0;

copy events to '{out}/staged' (format parquet, partition_by (event_date), overwrite_or_ignore true);

create or replace temp table fact_purchases as
select
    hash(event_at, event_type, product_id, category_id, category_code, brand, price, user_id, session_id) as purchase_key,
    session_id as order_id,
    cast(strftime(event_date, '%Y%m%d') as integer) as date_key,
    hash(user_id) as user_key,
    hash(product_id) as product_key,
    hash(category_id) as category_key,
    user_id, product_id, category_id,
    1 as quantity,
    price as unit_price,
    price as revenue,
    event_at as purchased_at,
    event_date as purchase_date
from events
where event_type = 'purchase';
copy fact_purchases to '{out}/fact_purchases' (format parquet, partition_by (purchase_date), overwrite_or_ignore true);

create or replace temp table fact_sessions as
select
    session_id,
    arg_min(user_id, event_at) as user_id,
    min(event_at) as started_at,
    max(event_at) as ended_at,
    count(*) as events,
    count(*) filter (where event_type = 'view') as views,
    count(*) filter (where event_type = 'cart') as carts,
    count(*) filter (where event_type = 'remove_from_cart') as cart_removals,
    count(*) filter (where event_type = 'purchase') as purchases,
    cast(coalesce(sum(price) filter (where event_type = 'purchase'), 0) as decimal(18, 2)) as revenue,
    cast(min(event_at) as date) as session_date
from events
group by session_id;
copy fact_sessions to '{out}/fact_sessions' (format parquet, partition_by (session_date), overwrite_or_ignore true);

copy (
    select
        user_id,
        count(*) as sessions,
        count(*) filter (where purchases > 0) as orders,
        sum(purchases) as items_purchased,
        cast(sum(revenue) as decimal(18, 2)) as revenue,
        min(started_at) as first_seen_at,
        max(ended_at) as last_seen_at
    from fact_sessions
    group by user_id
) to '{out}/dim_user.parquet' (format parquet);

copy (
    select
        product_id,
        arg_max(brand, event_at) filter (where brand is not null) as brand,
        arg_max(category_id, event_at) as category_id,
        arg_max(category_code, event_at) filter (where category_code is not null) as category_code,
        arg_max(price, event_at) as latest_price,
        min(event_at) as first_seen_at,
        max(event_at) as last_seen_at
    from events
    group by product_id
) to '{out}/dim_product.parquet' (format parquet);

copy (
    select
        category_id,
        coalesce(arg_max(category_code, event_at) filter (where category_code is not null), 'unknown') as category_code
    from events
    group by category_id
) to '{out}/dim_category.parquet' (format parquet);

create or replace temp table dim_time as
select
    cast(strftime(day, '%Y%m%d') as integer) as date_key,
    cast(day as date) as calendar_date,
    year(day) as year,
    quarter(day) as quarter,
    month(day) as month,
    monthname(day) as month_name,
    strftime(day, '%Y-%m') as year_month,
    isoyear(day) as iso_year,
    weekofyear(day) as iso_week,
    isodow(day) as iso_weekday,
    isodow(day) >= 6 as is_weekend
from (
    select unnest(generate_series(min(event_date), max(event_date), interval 1 day)) as day
    from events
);
copy dim_time to '{out}/dim_time.parquet' (format parquet);

copy (
    with counts as (
        select
            event_date,
            count(*) as events,
            count(*) filter (where event_type = 'view') as views,
            count(*) filter (where event_type = 'cart') as carts,
            count(*) filter (where event_type = 'remove_from_cart') as cart_removals,
            count(*) filter (where event_type = 'purchase') as purchase_events
        from events
        group by event_date
    ),
    sessions as (
        select session_date, count(*) as sessions
        from fact_sessions
        group by session_date
    ),
    totals as (
        select
            purchase_date,
            count(distinct order_id) as orders,
            count(distinct user_id) as buyers,
            sum(quantity) as items,
            sum(revenue) as revenue
        from fact_purchases
        group by purchase_date
    )
    select
        dim_time.date_key,
        coalesce(counts.events, 0) as events,
        coalesce(counts.views, 0) as views,
        coalesce(counts.carts, 0) as carts,
        coalesce(counts.cart_removals, 0) as cart_removals,
        coalesce(counts.purchase_events, 0) as purchase_events,
        coalesce(sessions.sessions, 0) as sessions,
        coalesce(totals.orders, 0) as orders,
        coalesce(totals.buyers, 0) as buyers,
        coalesce(totals.items, 0) as items,
        cast(coalesce(totals.revenue, 0) as decimal(18, 2)) as revenue,
        cast(totals.revenue / nullif(totals.orders, 0) as decimal(18, 2)) as average_order_value,
        dim_time.calendar_date as summary_date
    from dim_time
    left join counts on counts.event_date = dim_time.calendar_date
    left join sessions on sessions.session_date = dim_time.calendar_date
    left join totals on totals.purchase_date = dim_time.calendar_date
) to '{out}/fact_daily_summary.parquet' (format parquet);

copy (
    select
        strftime(purchase_date, '%Y-%m') as year_month,
        count(distinct order_id) as orders,
        count(distinct user_id) as buyers,
        sum(quantity) as items,
        cast(sum(revenue) as decimal(18, 2)) as revenue,
        cast(sum(revenue) / count(distinct order_id) as decimal(18, 2)) as average_order_value
    from fact_purchases
    group by 1
) to '{out}/fact_monthly_summary.parquet' (format parquet);
