-- grain: one row per calendar month in the data (months without purchases included)
-- revenue_growth: month over month, null for the first month and after a month without revenue.
create or replace view monthly_revenue as
with months as (
    select
        fact_monthly_summary.month_key,
        fact_monthly_summary.year_month,
        fact_monthly_summary.year,
        fact_monthly_summary.month,
        fact_monthly_summary.month_name,
        fact_monthly_summary.days_in_data,
        fact_monthly_summary.orders,
        fact_monthly_summary.buyers,
        fact_monthly_summary.items,
        fact_monthly_summary.revenue,
        fact_monthly_summary.average_order_value,
        fact_monthly_summary.month_start_date
    from fact_monthly_summary
),

with_previous as (
    select
        months.month_key,
        months.year_month,
        months.year,
        months.month,
        months.month_name,
        months.days_in_data,
        months.orders,
        months.buyers,
        months.items,
        months.revenue,
        months.average_order_value,
        lag(months.revenue) over (order by months.month_key) as previous_revenue,
        months.month_start_date
    from months
),

final as (
    select
        with_previous.month_key,
        with_previous.year_month,
        with_previous.year,
        with_previous.month,
        with_previous.month_name,
        with_previous.days_in_data,
        with_previous.orders,
        with_previous.buyers,
        with_previous.items,
        with_previous.revenue,
        with_previous.average_order_value,
        with_previous.previous_revenue,
        cast(
            with_previous.revenue - with_previous.previous_revenue as decimal(18, 2)
        ) as revenue_change,
        case
            when with_previous.previous_revenue > 0
                then cast(with_previous.revenue - with_previous.previous_revenue as double)
                / cast(with_previous.previous_revenue as double)
        end as revenue_growth,
        with_previous.month_start_date
    from with_previous
)

select * from final
