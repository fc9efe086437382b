-- grain: one row per churn risk band (low, medium, high) of the latest scores
-- current revenue: the customers' sales over the last H days; revenue at risk: that revenue
-- weighted by each customer's churn probability; the churn model's out-of-fold ROC and PR
-- AUC of the run that scored them stand next to the scores.
create or replace view churn_risk as
with scores as (
    select
        customer_scores.run_id,
        customer_scores.risk_band,
        customer_scores.churn_probability,
        customer_scores.predicted_revenue_next_h,
        customer_scores.revenue_last_h
    from customer_scores
),

quality as (
    select
        model_evaluations.run_id,
        max(case when model_evaluations.metric = 'roc_auc' then model_evaluations.model_value end)
        as churn_roc_auc,
        max(case when model_evaluations.metric = 'pr_auc' then model_evaluations.model_value end)
        as churn_pr_auc
    from model_evaluations
    group by model_evaluations.run_id
),

bands as (
    select
        scores.run_id,
        scores.risk_band,
        count(*) as customers,
        sum(scores.revenue_last_h) as current_revenue,
        sum(scores.predicted_revenue_next_h) as predicted_revenue,
        sum(scores.churn_probability * cast(scores.revenue_last_h as double)) as at_risk,
        avg(scores.churn_probability) as average_churn_probability
    from scores
    group by
        scores.run_id,
        scores.risk_band
),

final as (
    select
        bands.risk_band,
        bands.customers,
        cast(bands.customers as double) / sum(bands.customers) over () as customer_share,
        cast(bands.current_revenue as decimal(18, 2)) as current_revenue,
        cast(bands.predicted_revenue as decimal(18, 2)) as predicted_revenue,
        cast(round(bands.at_risk, 2) as decimal(18, 2)) as revenue_at_risk,
        bands.average_churn_probability,
        quality.churn_roc_auc,
        quality.churn_pr_auc,
        bands.run_id
    from bands
    left join quality
        on bands.run_id = quality.run_id
)

select * from final
