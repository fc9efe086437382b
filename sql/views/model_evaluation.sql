-- grain: one row per run, model and metric (model_evaluations: out-of-fold, every eligible
-- customer scored by a model trained on the other folds)
-- baseline: chance (ROC AUC 0.5), the churn rate (PR AUC), the naive forecast (MAE, RMSE);
-- beats_baseline: higher is better for the AUCs, lower for the errors.
create or replace view model_evaluation as
with evaluations as (
    select
        model_evaluations.run_id,
        model_evaluations.model,
        model_evaluations.metric,
        model_evaluations.cutoff_date,
        model_evaluations.horizon_days,
        model_evaluations.eligible_customers,
        model_evaluations.churned_customers,
        model_evaluations.churn_rate,
        model_evaluations.model_value,
        model_evaluations.baseline_value,
        model_evaluations.evaluated_at
    from model_evaluations
),

final as (
    select
        evaluations.run_id,
        evaluations.model,
        evaluations.cutoff_date,
        evaluations.horizon_days,
        evaluations.eligible_customers,
        evaluations.churned_customers,
        evaluations.churn_rate,
        evaluations.metric,
        evaluations.model_value,
        evaluations.baseline_value,
        case
            when evaluations.metric in ('mae', 'rmse')
                then evaluations.model_value < evaluations.baseline_value
            else evaluations.model_value > evaluations.baseline_value
        end as beats_baseline,
        evaluations.evaluated_at
    from evaluations
)

select * from final
