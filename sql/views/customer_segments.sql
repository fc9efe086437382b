-- grain: one row per current customer segment (customer_features, the model job's k-means)
-- customers and revenue as of the last sale day; shares of all segmented customers; average
-- spend = revenue per customer, aov = revenue per order, recency in days before that day.
create or replace view customer_segments as
with customers as (
    select
        customer_features.segment,
        customer_features.frequency,
        customer_features.monetary,
        customer_features.recency_days
    from customer_features
    where customer_features.segment is not null
),

segments as (
    select
        customers.segment,
        count(*) as customers,
        sum(customers.frequency) as orders,
        sum(customers.monetary) as revenue,
        sum(customers.recency_days) as recency_days
    from customers
    group by customers.segment
),

final as (
    select
        segments.segment,
        segments.customers,
        cast(segments.customers as double) / sum(segments.customers) over () as customer_share,
        cast(segments.revenue as decimal(18, 2)) as revenue,
        cast(segments.revenue as double)
        / nullif(cast(sum(segments.revenue) over () as double), 0) as revenue_share,
        cast(segments.revenue / segments.customers as decimal(18, 2)) as average_spend,
        cast(segments.revenue / segments.orders as decimal(18, 2)) as average_order_value,
        cast(segments.orders as double) / segments.customers as orders_per_customer,
        cast(segments.recency_days as double) / segments.customers as average_recency_days
    from segments
)

select * from final
