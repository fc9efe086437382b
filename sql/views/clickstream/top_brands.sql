-- grain: one row per known brand (products whose brand was never recorded are left out)
-- revenue_share is of all revenue, including products without a brand.
create or replace view top_brands as
with purchases as (
    select
        fact_purchases.product_key,
        fact_purchases.order_id,
        fact_purchases.user_id,
        fact_purchases.quantity,
        fact_purchases.revenue
    from fact_purchases
),

products as (
    select
        dim_product.product_key,
        dim_product.brand,
        dim_product.has_brand
    from dim_product
),

totals as (
    select sum(purchases.revenue) as total_revenue
    from purchases
),

brands as (
    select
        products.brand,
        count(distinct purchases.product_key) as products,
        count(distinct purchases.order_id) as orders,
        count(distinct purchases.user_id) as buyers,
        sum(purchases.quantity) as items,
        sum(purchases.revenue) as revenue
    from purchases
    inner join products
        on purchases.product_key = products.product_key
    where products.has_brand
    group by products.brand
),

final as (
    select
        rank() over (order by brands.revenue desc) as revenue_rank,
        brands.brand,
        brands.products,
        brands.orders,
        brands.buyers,
        brands.items,
        cast(brands.revenue as decimal(18, 2)) as revenue,
        cast(brands.revenue as double)
        / nullif(cast(totals.total_revenue as double), 0) as revenue_share
    from brands
    cross join totals
)

select * from final
