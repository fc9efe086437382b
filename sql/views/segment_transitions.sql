-- grain: one row per run, segment left and segment entered (dim_customer_segment, SCD 2)
-- a spell opened by a run is a transition from the spell it follows ('(new)' for a
-- customer's first segment); customers counts the customers who moved so in that run.
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

moves as (
    select
        opened.changed_by_run as run_id,
        opened.valid_from as changed_on,
        coalesce(previous.segment, '(new)') as from_segment,
        opened.segment as to_segment,
        opened.user_id
    from spells as opened
    left join spells as previous
        on
            previous.user_id = opened.user_id
            and previous.segment_version = opened.segment_version - 1
),

final as (
    select
        moves.run_id,
        moves.changed_on,
        moves.from_segment,
        moves.to_segment,
        count(*) as customers
    from moves
    group by
        moves.run_id,
        moves.changed_on,
        moves.from_segment,
        moves.to_segment
)

select * from final
