-- grain: one row per run and k tried by the k-means segmentation (model_runs)
-- silhouette (higher is better, chooses k), inertia (within-cluster squared distances),
-- Calinski-Harabasz (higher is better), Davies-Bouldin (lower is better).
create or replace view segment_model_quality as
with metrics as (
    select
        model_runs.run_id,
        model_runs.k,
        model_runs.metric,
        model_runs.value,
        model_runs.customers,
        model_runs.is_chosen
    from model_runs
    where model_runs.model = 'kmeans'
),

final as (
    select
        metrics.run_id,
        metrics.k,
        max(metrics.customers) as customers,
        max(case when metrics.metric = 'silhouette' then metrics.value end) as silhouette,
        max(case when metrics.metric = 'inertia' then metrics.value end) as inertia,
        max(case when metrics.metric = 'calinski_harabasz' then metrics.value end)
        as calinski_harabasz,
        max(case when metrics.metric = 'davies_bouldin' then metrics.value end)
        as davies_bouldin,
        bool_or(metrics.is_chosen) as is_chosen
    from metrics
    group by
        metrics.run_id,
        metrics.k
)

select * from final
