-- grain: one row per country of the sale lines
-- revenue: exact line totals summed, rounded to cents once; customers counts identified
-- customers, orders the sale invoices; share_of_revenue is of all sale revenue.
create or replace view revenue_by_country as
with purchases as (
    select
        fact_purchases.country,
        fact_purchases.order_id,
        fact_purchases.user_id,
        fact_purchases.revenue
    from fact_purchases
),

countries as (
    select
        purchases.country,
        count(distinct purchases.user_id) as customers,
        count(distinct purchases.order_id) as orders,
        sum(purchases.revenue) as revenue
    from purchases
    group by purchases.country
),

final as (
    select
        countries.country,
        cast(countries.revenue as decimal(18, 2)) as revenue,
        countries.customers,
        countries.orders,
        cast(countries.revenue as double)
        / nullif(cast(sum(countries.revenue) over () as double), 0) as share_of_revenue
    from countries
)

select * from final
