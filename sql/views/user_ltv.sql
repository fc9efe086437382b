-- grain: one row per purchasing user (a user with at least one purchase)
-- guests (purchases without a user_id: online-retail lines without a customer) are left out.
-- ltv_tier: revenue quartile by rank; tied users share the quartile of the first of them,
-- so equal revenue always means equal tier (Low = bottom quarter ... VIP = top quarter).
create or replace view user_ltv as
with purchases as (
    select
        fact_purchases.user_id,
        fact_purchases.user_key,
        fact_purchases.order_id,
        fact_purchases.quantity,
        fact_purchases.revenue,
        fact_purchases.purchased_at,
        fact_purchases.purchase_date
    from fact_purchases
    where fact_purchases.user_id is not null
),

customers as (
    select
        purchases.user_id,
        min(purchases.user_key) as user_key,
        count(distinct purchases.order_id) as orders,
        sum(purchases.quantity) as items,
        sum(purchases.revenue) as revenue,
        min(purchases.purchase_date) as first_purchase_date,
        max(purchases.purchase_date) as last_purchase_date,
        min(purchases.purchased_at) as first_purchased_at,
        max(purchases.purchased_at) as last_purchased_at
    from purchases
    group by purchases.user_id
),

ranked as (
    select
        customers.user_id,
        customers.user_key,
        customers.orders,
        customers.items,
        customers.revenue,
        customers.first_purchase_date,
        customers.last_purchase_date,
        customers.first_purchased_at,
        customers.last_purchased_at,
        rank() over (order by customers.revenue) - 1 as revenue_position,
        count(*) over () as customer_count
    from customers
),

final as (
    select
        ranked.user_id,
        ranked.user_key,
        ranked.orders,
        ranked.items,
        cast(ranked.revenue as decimal(18, 2)) as revenue,
        cast(
            cast(ranked.revenue as decimal(38, 12)) / ranked.orders as decimal(18, 2)
        ) as average_order_value,
        ranked.first_purchase_date,
        ranked.last_purchase_date,
        date_diff('day', ranked.first_purchase_date, ranked.last_purchase_date) as tenure_days,
        case
            when ranked.revenue_position * 4 < ranked.customer_count then 1
            when ranked.revenue_position * 4 < ranked.customer_count * 2 then 2
            when ranked.revenue_position * 4 < ranked.customer_count * 3 then 3
            else 4
        end as ltv_quartile,
        case
            when ranked.revenue_position * 4 < ranked.customer_count then 'Low'
            when ranked.revenue_position * 4 < ranked.customer_count * 2 then 'Medium'
            when ranked.revenue_position * 4 < ranked.customer_count * 3 then 'High'
            else 'VIP'
        end as ltv_tier,
        ranked.first_purchased_at,
        ranked.last_purchased_at
    from ranked
)

select * from final
