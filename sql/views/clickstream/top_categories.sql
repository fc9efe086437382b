-- grain: one row per known category code (categories without a code are left out)
-- revenue_share is of all revenue, including categories without a code.
create or replace view top_categories as
with purchases as (
    select
        fact_purchases.category_key,
        fact_purchases.order_id,
        fact_purchases.user_id,
        fact_purchases.quantity,
        fact_purchases.revenue
    from fact_purchases
),

categories as (
    select
        dim_category.category_key,
        dim_category.category_code,
        dim_category.category_level1,
        dim_category.has_category_code
    from dim_category
),

totals as (
    select sum(purchases.revenue) as total_revenue
    from purchases
),

category_totals as (
    select
        categories.category_code,
        categories.category_level1,
        count(distinct purchases.order_id) as orders,
        count(distinct purchases.user_id) as buyers,
        sum(purchases.quantity) as items,
        sum(purchases.revenue) as revenue
    from purchases
    inner join categories
        on purchases.category_key = categories.category_key
    where categories.has_category_code
    group by
        categories.category_code,
        categories.category_level1
),

final as (
    select
        rank() over (order by category_totals.revenue desc) as revenue_rank,
        category_totals.category_code,
        category_totals.category_level1,
        category_totals.orders,
        category_totals.buyers,
        category_totals.items,
        cast(category_totals.revenue as decimal(18, 2)) as revenue,
        cast(category_totals.revenue as double)
        / nullif(cast(totals.total_revenue as double), 0) as revenue_share
    from category_totals
    cross join totals
)

select * from final
