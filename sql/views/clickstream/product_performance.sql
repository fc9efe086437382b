-- grain: one row per product with at least one purchase
-- revenue_rank and quantity_rank: 1 = leader; ties share a rank.
create or replace view product_performance as
with purchases as (
    select
        fact_purchases.product_key,
        fact_purchases.order_id,
        fact_purchases.user_id,
        fact_purchases.quantity,
        fact_purchases.revenue
    from fact_purchases
),

product_totals as (
    select
        purchases.product_key,
        count(distinct purchases.order_id) as orders,
        count(distinct purchases.user_id) as buyers,
        sum(purchases.quantity) as quantity,
        sum(purchases.revenue) as revenue
    from purchases
    group by purchases.product_key
),

products as (
    select
        dim_product.product_key,
        dim_product.product_id,
        dim_product.category_key,
        dim_product.brand,
        dim_product.latest_price
    from dim_product
),

categories as (
    select
        dim_category.category_key,
        dim_category.category_code,
        dim_category.category_level1
    from dim_category
),

final as (
    select
        products.product_id,
        products.brand,
        categories.category_code,
        categories.category_level1,
        product_totals.orders,
        product_totals.buyers,
        product_totals.quantity,
        cast(product_totals.revenue as decimal(18, 2)) as revenue,
        cast(product_totals.revenue / product_totals.quantity as decimal(18, 2))
        as average_unit_price,
        products.latest_price,
        rank() over (order by product_totals.revenue desc) as revenue_rank,
        rank() over (order by product_totals.quantity desc) as quantity_rank
    from product_totals
    inner join products
        on product_totals.product_key = products.product_key
    left join categories
        on products.category_key = categories.category_key
)

select * from final
