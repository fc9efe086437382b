-- grain: one row per run, segment left, segment entered and customer country
-- (dim_customer_segment, SCD 2) a spell opened by a run is a transition from the spell it
-- follows ('(new)' for a customer's first segment); customers counts the customers who moved
-- so in that run; country: the customer's now (customer_features), 'unknown' where none is
-- known (every clickstream customer, a customer no longer segmented).
create or replace view segment_transitions as
with spells as (
    select
        dim_customer_segment.user_id,
        dim_customer_segment.segment_version,
        dim_customer_segment.segment,
        dim_customer_segment.valid_from,
        dim_customer_segment.changed_by_run
    from dim_customer_segment
),

countries as (
    select
        customer_features.user_id,
        customer_features.country
    from customer_features
),

moves as (
    select
        opened.changed_by_run as run_id,
        opened.valid_from as changed_on,
        coalesce(previous.segment, '(new)') as from_segment,
        opened.segment as to_segment,
        coalesce(countries.country, 'unknown') as country,
        opened.user_id
    from spells as opened
    left join spells as previous
        on
            previous.user_id = opened.user_id
            and previous.segment_version = opened.segment_version - 1
    left join countries
        on countries.user_id = opened.user_id
),

final as (
    select
        moves.run_id,
        moves.changed_on,
        moves.from_segment,
        moves.to_segment,
        moves.country,
        count(*) as customers
    from moves
    group by
        moves.run_id,
        moves.changed_on,
        moves.from_segment,
        moves.to_segment,
        moves.country
)

select * from final
