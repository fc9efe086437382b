-- grain: one row (the whole history in the lake)
-- money: exact line totals (3 decimal places) summed, then rounded to cents once;
-- net_revenue = gross_revenue - cancelled_revenue of the two rounded figures, so they add up.
-- transactions are sale invoices; cancellation_rate = cancelled invoices / (sale invoices +
-- cancelled invoices). Customer figures count identified customers only (guests have no
-- user_id): repeat customers have 2+ sale invoices, lifetime_revenue is their sales.
create or replace view kpi_summary as
with sales as (
    select
        count(distinct fact_purchases.order_id) as transactions,
        coalesce(sum(fact_purchases.revenue), 0) as gross_revenue
    from fact_purchases
),

cancellations as (
    select
        count(distinct fact_cancellations.order_id) as cancelled_invoices,
        coalesce(sum(fact_cancellations.cancelled_revenue), 0) as cancelled_revenue
    from fact_cancellations
),

customer_sales as (
    select
        fact_purchases.user_id,
        count(distinct fact_purchases.order_id) as orders,
        sum(fact_purchases.quantity) as items,
        sum(fact_purchases.revenue) as revenue
    from fact_purchases
    where fact_purchases.user_id is not null
    group by fact_purchases.user_id
),

customers as (
    select
        count(*) as total_customers,
        count_if(customer_sales.orders >= 2) as repeat_customers,
        coalesce(sum(customer_sales.orders), 0) as total_orders,
        coalesce(sum(customer_sales.items), 0) as total_items,
        coalesce(sum(customer_sales.revenue), 0) as lifetime_revenue
    from customer_sales
),

final as (
    select
        cast(sales.gross_revenue as decimal(18, 2)) as gross_revenue,
        cast(cancellations.cancelled_revenue as decimal(18, 2)) as cancelled_revenue,
        cast(
            cast(sales.gross_revenue as decimal(18, 2))
            - cast(cancellations.cancelled_revenue as decimal(18, 2))
            as decimal(18, 2)
        ) as net_revenue,
        sales.transactions,
        cancellations.cancelled_invoices,
        cast(cancellations.cancelled_invoices as double)
        / nullif(sales.transactions + cancellations.cancelled_invoices, 0) as cancellation_rate,
        cast(
            cast(sales.gross_revenue as decimal(38, 12)) / nullif(sales.transactions, 0)
            as decimal(18, 2)
        ) as average_order_value,
        customers.total_customers,
        customers.repeat_customers,
        cast(customers.repeat_customers as double)
        / nullif(customers.total_customers, 0) as repeat_rate,
        cast(customers.lifetime_revenue as decimal(18, 2)) as lifetime_revenue,
        cast(
            cast(customers.lifetime_revenue as decimal(38, 12))
            / nullif(customers.total_customers, 0)
            as decimal(18, 2)
        ) as average_customer_ltv,
        customers.total_orders,
        customers.total_items
    from sales
    cross join cancellations
    cross join customers
)

select * from final
