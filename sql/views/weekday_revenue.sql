-- grain: one row per calendar month × ISO weekday (1 = Monday ... 7 = Sunday)
create or replace view weekday_revenue as
with days as (
    select
        fact_daily_summary.date_key,
        fact_daily_summary.orders,
        fact_daily_summary.items,
        fact_daily_summary.revenue
    from fact_daily_summary
),

calendar as (
    select
        dim_time.date_key,
        dim_time.year_month,
        dim_time.iso_weekday,
        dim_time.weekday_name,
        dim_time.is_weekend
    from dim_time
),

weekdays as (
    select
        calendar.year_month,
        calendar.iso_weekday,
        calendar.weekday_name,
        calendar.is_weekend,
        count(*) as days,
        sum(days.orders) as orders,
        sum(days.items) as items,
        sum(days.revenue) as revenue
    from days
    inner join calendar
        on days.date_key = calendar.date_key
    group by
        calendar.year_month,
        calendar.iso_weekday,
        calendar.weekday_name,
        calendar.is_weekend
),

final as (
    select
        weekdays.year_month,
        weekdays.iso_weekday,
        weekdays.weekday_name,
        weekdays.is_weekend,
        weekdays.days,
        weekdays.orders,
        weekdays.items,
        cast(weekdays.revenue as decimal(18, 2)) as revenue,
        cast(
            cast(weekdays.revenue as decimal(38, 12)) / weekdays.days as decimal(18, 2)
        ) as average_daily_revenue,
        cast(weekdays.revenue as double)
        / nullif(cast(sum(weekdays.revenue) over (partition by weekdays.year_month) as double), 0)
        as share_of_month_revenue
    from weekdays
)

select * from final
