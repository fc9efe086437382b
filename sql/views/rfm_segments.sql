-- grain: one row per purchasing user
-- recency: days from the user's last purchase to the last purchase date in the data.
-- scores 1-5 by quintile of rank (5 = most recent, most orders, most revenue); tied users
-- share the quintile of the first of them. Segments follow the usual R × F map.
create or replace view rfm_segments as
with customers as (
    select
        user_ltv.user_id,
        user_ltv.last_purchase_date,
        user_ltv.orders,
        user_ltv.revenue
    from user_ltv
),

reference as (
    select max(customers.last_purchase_date) as reference_date
    from customers
),

measured as (
    select
        customers.user_id,
        date_diff('day', customers.last_purchase_date, reference.reference_date) as recency_days,
        customers.orders as frequency,
        customers.revenue as monetary
    from customers
    cross join reference
),

ranked as (
    select
        measured.user_id,
        measured.recency_days,
        measured.frequency,
        measured.monetary,
        rank() over (order by measured.recency_days desc) - 1 as recency_position,
        rank() over (order by measured.frequency) - 1 as frequency_position,
        rank() over (order by measured.monetary) - 1 as monetary_position,
        count(*) over () as customer_count
    from measured
),

scored as (
    select
        ranked.user_id,
        ranked.recency_days,
        ranked.frequency,
        ranked.monetary,
        case
            when ranked.recency_position * 5 < ranked.customer_count then 1
            when ranked.recency_position * 5 < ranked.customer_count * 2 then 2
            when ranked.recency_position * 5 < ranked.customer_count * 3 then 3
            when ranked.recency_position * 5 < ranked.customer_count * 4 then 4
            else 5
        end as r_score,
        case
            when ranked.frequency_position * 5 < ranked.customer_count then 1
            when ranked.frequency_position * 5 < ranked.customer_count * 2 then 2
            when ranked.frequency_position * 5 < ranked.customer_count * 3 then 3
            when ranked.frequency_position * 5 < ranked.customer_count * 4 then 4
            else 5
        end as f_score,
        case
            when ranked.monetary_position * 5 < ranked.customer_count then 1
            when ranked.monetary_position * 5 < ranked.customer_count * 2 then 2
            when ranked.monetary_position * 5 < ranked.customer_count * 3 then 3
            when ranked.monetary_position * 5 < ranked.customer_count * 4 then 4
            else 5
        end as m_score
    from ranked
),

final as (
    select
        scored.user_id,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        cast(scored.r_score as varchar)
        || cast(scored.f_score as varchar)
        || cast(scored.m_score as varchar) as rfm_cell,
        case
            when scored.r_score = 5 and scored.f_score >= 4 then 'Champions'
            when scored.r_score between 3 and 4 and scored.f_score >= 4 then 'Loyal'
            when scored.r_score >= 4 and scored.f_score between 2 and 3
                then 'Potential Loyalists'
            when scored.r_score = 5 and scored.f_score = 1 then 'New'
            when scored.r_score = 4 and scored.f_score = 1 then 'Promising'
            when scored.r_score = 3 and scored.f_score = 3 then 'Need Attention'
            when scored.r_score = 3 and scored.f_score <= 2 then 'About to Sleep'
            when scored.r_score <= 2 and scored.f_score = 5 then 'Can''t Lose'
            when scored.r_score <= 2 and scored.f_score between 3 and 4 then 'At Risk'
            else 'Hibernating'
        end as segment
    from scored
)

select * from final
