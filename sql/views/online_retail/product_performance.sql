-- grain: one row per product (a product stock code, not postage, fees, ...) with a sale line
-- revenue: exact line totals summed, rounded to cents once; average_unit_price = revenue /
-- quantity to 3 decimal places, as unit prices have; buyers counts identified customers;
-- revenue_rank and quantity_rank: 1 = leader, ties share a rank.
create or replace view product_performance as
with purchases as (
    select
        fact_purchases.product_key,
        fact_purchases.order_id,
        fact_purchases.user_id,
        fact_purchases.quantity,
        fact_purchases.revenue
    from fact_purchases
    where fact_purchases.is_product
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
        dim_product.stock_code,
        dim_product.description,
        dim_product.latest_price
    from dim_product
),

final as (
    select
        products.stock_code,
        products.description,
        product_totals.orders,
        product_totals.buyers,
        product_totals.quantity,
        cast(product_totals.revenue as decimal(18, 2)) as revenue,
        cast(
            cast(product_totals.revenue as decimal(38, 12)) / product_totals.quantity
            as decimal(18, 3)
        ) as average_unit_price,
        products.latest_price,
        rank() over (order by product_totals.revenue desc) as revenue_rank,
        rank() over (order by product_totals.quantity desc) as quantity_rank
    from product_totals
    inner join products
        on product_totals.product_key = products.product_key
)

select * from final
