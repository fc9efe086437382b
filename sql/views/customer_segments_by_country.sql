-- grain: one row per current customer segment and customer country (customer_features)
-- country: of the customer's latest sale invoice, 'unknown' where none is known (every
-- clickstream customer). The measures add up across rows (customers, orders, revenue,
-- total_recency_days): a dashboard filters the rows, sums them, then divides for shares and
-- averages; customer_segments has those per segment over every country.
create or replace view customer_segments_by_country as
with customers as (
    select
        customer_features.segment,
        coalesce(customer_features.country, 'unknown') as country,
        customer_features.frequency,
        customer_features.monetary,
        customer_features.recency_days
    from customer_features
    where customer_features.segment is not null
),

final as (
    select
        customers.segment,
        customers.country,
        count(*) as customers,
        sum(customers.frequency) as orders,
        cast(sum(customers.monetary) as decimal(18, 2)) as revenue,
        sum(customers.recency_days) as total_recency_days
    from customers
    group by
        customers.segment,
        customers.country
)

select * from final
