-- grain: one row per first-purchase month (cohort) × month since the first purchase
-- months without a returning customer are included with zero retained; guests (purchases
-- without a user_id) are left out.
create or replace view cohort_retention as
with purchases as (
    select
        fact_purchases.user_id,
        fact_purchases.date_key
    from fact_purchases
    where fact_purchases.user_id is not null
),

calendar as (
    select
        dim_time.date_key,
        dim_time.year_month,
        dim_time.year * 12 + dim_time.month - 1 as month_index
    from dim_time
),

months as (
    select
        fact_monthly_summary.year_month,
        fact_monthly_summary.year * 12 + fact_monthly_summary.month - 1 as month_index
    from fact_monthly_summary
),

user_months as (
    select distinct
        purchases.user_id,
        calendar.month_index
    from purchases
    inner join calendar
        on purchases.date_key = calendar.date_key
),

cohorts as (
    select
        user_months.user_id,
        min(user_months.month_index) as cohort_index
    from user_months
    group by user_months.user_id
),

cohort_sizes as (
    select
        cohorts.cohort_index,
        count(*) as cohort_users
    from cohorts
    group by cohorts.cohort_index
),

retained as (
    select
        cohorts.cohort_index,
        user_months.month_index,
        count(*) as retained_users
    from user_months
    inner join cohorts
        on user_months.user_id = cohorts.user_id
    group by
        cohorts.cohort_index,
        user_months.month_index
),

grid as (
    select
        cohort_sizes.cohort_index,
        cohort_sizes.cohort_users,
        months.month_index,
        months.year_month
    from cohort_sizes
    inner join months
        on months.month_index >= cohort_sizes.cohort_index
),

final as (
    select
        cohort_months.year_month as cohort_month,
        grid.month_index - grid.cohort_index as months_since_first_purchase,
        grid.year_month as activity_month,
        grid.cohort_users,
        coalesce(retained.retained_users, 0) as retained_users,
        cast(coalesce(retained.retained_users, 0) as double) / grid.cohort_users
        as retention_rate
    from grid
    inner join months as cohort_months
        on grid.cohort_index = cohort_months.month_index
    left join retained
        on
            grid.cohort_index = retained.cohort_index
            and grid.month_index = retained.month_index
)

select * from final
