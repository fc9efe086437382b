-- grain: one row (the whole history in the lake)
-- repeat customers have 2+ orders; an order is a session with at least one purchase.
create or replace view kpi_summary as
with customers as (
    select
        count(*) as total_customers,
        count_if(user_ltv.orders >= 2) as repeat_customers,
        coalesce(sum(user_ltv.orders), 0) as total_orders,
        coalesce(sum(user_ltv.items), 0) as total_items,
        coalesce(sum(user_ltv.revenue), 0) as lifetime_revenue
    from user_ltv
),

final as (
    select
        cast(customers.lifetime_revenue as decimal(18, 2)) as lifetime_revenue,
        cast(
            customers.lifetime_revenue / nullif(customers.total_customers, 0) as decimal(18, 2)
        ) as average_customer_ltv,
        customers.total_customers,
        customers.repeat_customers,
        cast(customers.repeat_customers as double)
        / nullif(customers.total_customers, 0) as repeat_rate,
        customers.total_orders,
        customers.total_items,
        cast(
            customers.lifetime_revenue / nullif(customers.total_orders, 0) as decimal(18, 2)
        ) as average_order_value
    from customers
)

select * from final
