-- grain: one row per non-product stock code × line kind (sale, cancellation, adjustment)
-- non-product codes are postage, manual, discount, fees, ... (dim_product.code_kind).
-- quantity and amount are as the lines have them (a cancellation's are negative when it
-- returns goods); amount: exact line totals summed, rounded to cents once.
create or replace view non_product_lines as
with coded_lines as (
    select
        fact_purchases.product_key,
        'sale' as line_kind,
        fact_purchases.quantity,
        fact_purchases.revenue as amount
    from fact_purchases
    where not fact_purchases.is_product

    union all

    select
        fact_cancellations.product_key,
        'cancellation' as line_kind,
        fact_cancellations.quantity,
        fact_cancellations.revenue as amount
    from fact_cancellations
    where not fact_cancellations.is_product

    union all

    select
        fact_adjustments.product_key,
        'adjustment' as line_kind,
        fact_adjustments.quantity,
        fact_adjustments.amount
    from fact_adjustments
    where not fact_adjustments.is_product
),

kinds as (
    select
        coded_lines.product_key,
        coded_lines.line_kind,
        count(*) as lines,
        sum(coded_lines.quantity) as quantity,
        sum(coded_lines.amount) as amount
    from coded_lines
    group by
        coded_lines.product_key,
        coded_lines.line_kind
),

products as (
    select
        dim_product.product_key,
        dim_product.stock_code,
        dim_product.code_kind
    from dim_product
),

final as (
    select
        products.stock_code,
        products.code_kind,
        kinds.line_kind,
        kinds.lines,
        kinds.quantity,
        cast(kinds.amount as decimal(18, 2)) as amount
    from kinds
    inner join products
        on kinds.product_key = products.product_key
)

select * from final
