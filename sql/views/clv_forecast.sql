-- grain: one row per decile of predicted revenue over the next H days (1 = highest)
-- customers ranked by predicted revenue (ties by customer id); the CLV model's out-of-fold
-- MAE and the naive baseline's (last H days' revenue again) stand next to the forecast.
create or replace view clv_forecast as
with scores as (
    select
        customer_scores.run_id,
        customer_scores.user_id,
        customer_scores.predicted_revenue_next_h,
        customer_scores.revenue_last_h
    from customer_scores
),

ranked as (
    select
        scores.run_id,
        scores.predicted_revenue_next_h,
        scores.revenue_last_h,
        ntile(10) over (
            order by scores.predicted_revenue_next_h desc, scores.user_id
        ) as decile
    from scores
),

quality as (
    select
        model_evaluations.run_id,
        max(model_evaluations.model_value) as clv_mae,
        max(model_evaluations.baseline_value) as baseline_mae
    from model_evaluations
    where model_evaluations.metric = 'mae'
    group by model_evaluations.run_id
),

deciles as (
    select
        ranked.run_id,
        ranked.decile,
        count(*) as customers,
        sum(ranked.predicted_revenue_next_h) as predicted_revenue,
        sum(ranked.revenue_last_h) as revenue_last_h,
        min(ranked.predicted_revenue_next_h) as min_predicted_revenue,
        max(ranked.predicted_revenue_next_h) as max_predicted_revenue
    from ranked
    group by
        ranked.run_id,
        ranked.decile
),

final as (
    select
        deciles.decile,
        deciles.customers,
        cast(deciles.predicted_revenue as decimal(18, 2)) as predicted_revenue,
        cast(deciles.predicted_revenue / deciles.customers as decimal(18, 2))
        as average_predicted_revenue,
        deciles.min_predicted_revenue,
        deciles.max_predicted_revenue,
        cast(deciles.revenue_last_h as decimal(18, 2)) as revenue_last_h,
        quality.clv_mae,
        quality.baseline_mae,
        deciles.run_id
    from deciles
    left join quality
        on deciles.run_id = quality.run_id
)

select * from final
