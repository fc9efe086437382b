-- grain: one row per period: each calendar day (period_grain = 'day') and each calendar
-- month (period_grain = 'month'); sessions count on the date they start.
-- rates: view→cart = sessions with a cart / sessions with a view; cart→purchase = sessions
-- with a cart and a purchase / sessions with a cart; abandonment = 1 - cart→purchase.
create or replace view session_funnel as
with sessions as (
    select
        fact_sessions.session_date,
        fact_sessions.views,
        fact_sessions.has_cart,
        fact_sessions.is_converted
    from fact_sessions
),

calendar as (
    select
        dim_time.calendar_date,
        dim_time.year_month
    from dim_time
),

months as (
    select
        fact_monthly_summary.year_month,
        fact_monthly_summary.month_start_date
    from fact_monthly_summary
),

session_days as (
    select
        sessions.session_date,
        count(*) as sessions,
        count_if(sessions.views > 0) as view_sessions,
        count_if(sessions.has_cart) as cart_sessions,
        count_if(sessions.is_converted) as purchase_sessions,
        count_if(sessions.has_cart and sessions.is_converted) as cart_purchase_sessions,
        count_if(sessions.has_cart and not sessions.is_converted) as abandoned_cart_sessions
    from sessions
    group by sessions.session_date
),

days as (
    select
        calendar.calendar_date,
        calendar.year_month,
        coalesce(session_days.sessions, 0) as sessions,
        coalesce(session_days.view_sessions, 0) as view_sessions,
        coalesce(session_days.cart_sessions, 0) as cart_sessions,
        coalesce(session_days.purchase_sessions, 0) as purchase_sessions,
        coalesce(session_days.cart_purchase_sessions, 0) as cart_purchase_sessions,
        coalesce(session_days.abandoned_cart_sessions, 0) as abandoned_cart_sessions
    from calendar
    left join session_days
        on calendar.calendar_date = session_days.session_date
),

periods as (
    select
        'day' as period_grain,
        days.calendar_date as period_start,
        cast(days.calendar_date as varchar) as period_label,
        days.sessions,
        days.view_sessions,
        days.cart_sessions,
        days.purchase_sessions,
        days.cart_purchase_sessions,
        days.abandoned_cart_sessions
    from days

    union all

    select
        'month' as period_grain,
        months.month_start_date as period_start,
        months.year_month as period_label,
        sum(days.sessions) as sessions,
        sum(days.view_sessions) as view_sessions,
        sum(days.cart_sessions) as cart_sessions,
        sum(days.purchase_sessions) as purchase_sessions,
        sum(days.cart_purchase_sessions) as cart_purchase_sessions,
        sum(days.abandoned_cart_sessions) as abandoned_cart_sessions
    from days
    inner join months
        on days.year_month = months.year_month
    group by
        months.month_start_date,
        months.year_month
),

final as (
    select
        periods.period_grain,
        periods.period_start,
        periods.period_label,
        periods.sessions,
        periods.view_sessions,
        periods.cart_sessions,
        periods.purchase_sessions,
        periods.cart_purchase_sessions,
        periods.abandoned_cart_sessions,
        cast(periods.cart_sessions as double)
        / nullif(periods.view_sessions, 0) as view_to_cart_rate,
        cast(periods.cart_purchase_sessions as double)
        / nullif(periods.cart_sessions, 0) as cart_to_purchase_rate,
        cast(periods.purchase_sessions as double)
        / nullif(periods.view_sessions, 0) as view_to_purchase_rate,
        cast(periods.abandoned_cart_sessions as double)
        / nullif(periods.cart_sessions, 0) as cart_abandonment_rate
    from periods
)

select * from final
