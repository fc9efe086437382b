-- grain: one row per calendar date in the data (quiet days included, with zeros)
-- transactions are orders: sessions with a purchase that day.
create or replace view daily_kpis as
with days as (
    select
        fact_daily_summary.date_key,
        fact_daily_summary.summary_date,
        fact_daily_summary.events,
        fact_daily_summary.views,
        fact_daily_summary.carts,
        fact_daily_summary.cart_removals,
        fact_daily_summary.purchase_events,
        fact_daily_summary.sessions,
        fact_daily_summary.converted_sessions,
        fact_daily_summary.orders,
        fact_daily_summary.buyers,
        fact_daily_summary.items,
        fact_daily_summary.revenue,
        fact_daily_summary.average_order_value
    from fact_daily_summary
),

final as (
    select
        days.date_key,
        days.summary_date,
        days.orders as transactions,
        days.buyers,
        days.items,
        days.revenue,
        days.average_order_value,
        days.cart_removals,
        days.carts,
        days.views,
        days.events,
        days.sessions,
        days.converted_sessions,
        cast(days.converted_sessions as double) / nullif(days.sessions, 0) as conversion_rate,
        cast(days.cart_removals as double) / nullif(days.carts, 0) as cart_removal_rate
    from days
)

select * from final
