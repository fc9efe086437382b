-- grain: one row per LTV tier that has customers (Low, Medium, High, VIP)
create or replace view ltv_tier_distribution as
with customers as (
    select
        user_ltv.ltv_quartile,
        user_ltv.ltv_tier,
        user_ltv.orders,
        user_ltv.revenue
    from user_ltv
),

tiers as (
    select
        customers.ltv_quartile,
        customers.ltv_tier,
        count(*) as customers,
        sum(customers.orders) as orders,
        sum(customers.revenue) as revenue,
        min(customers.revenue) as min_revenue,
        max(customers.revenue) as max_revenue
    from customers
    group by
        customers.ltv_quartile,
        customers.ltv_tier
),

final as (
    select
        tiers.ltv_quartile,
        tiers.ltv_tier,
        tiers.customers,
        tiers.orders,
        cast(tiers.revenue as decimal(18, 2)) as revenue,
        cast(
            cast(tiers.revenue as decimal(38, 12)) / tiers.customers as decimal(18, 2)
        ) as average_revenue,
        tiers.min_revenue,
        tiers.max_revenue,
        cast(tiers.customers as double) / sum(tiers.customers) over () as customer_share,
        cast(tiers.revenue as double)
        / nullif(cast(sum(tiers.revenue) over () as double), 0) as revenue_share
    from tiers
)

select * from final
