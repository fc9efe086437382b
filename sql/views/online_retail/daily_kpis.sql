-- grain: one row per calendar date in the data (quiet days included, with zeros)
-- transactions are that day's sale invoices, customers the identified customers who bought,
-- cancellations the cancelled invoices; money as fact_daily_summary has it (exact line
-- totals summed, rounded to cents once). cancellation_rate = cancellations /
-- (transactions + cancellations), null on a day with neither.
create or replace view daily_kpis as
with days as (
    select
        fact_daily_summary.date_key,
        fact_daily_summary.summary_date,
        fact_daily_summary.orders,
        fact_daily_summary.buyers,
        fact_daily_summary.items,
        fact_daily_summary.revenue,
        fact_daily_summary.average_order_value,
        fact_daily_summary.cancellations,
        fact_daily_summary.cancelled_items,
        fact_daily_summary.cancelled_revenue
    from fact_daily_summary
),

final as (
    select
        days.date_key,
        days.summary_date,
        days.orders as transactions,
        days.buyers as customers,
        days.items,
        days.revenue,
        days.average_order_value,
        days.cancellations,
        days.cancelled_items,
        days.cancelled_revenue,
        cast(days.cancellations as double)
        / nullif(days.orders + days.cancellations, 0) as cancellation_rate
    from days
)

select * from final
