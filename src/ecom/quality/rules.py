"""Data-quality rules, declared once per curated table as data.

A rule names its table, a kind, a level and the column(s) it checks. `evaluate` runs them
with Spark inside the model job and `dqdl.render_rulesets` renders the same rules for AWS Glue
Data Quality. Null handling follows dbt's tests: only `not_null` fails on nulls; `unique`,
`foreign_key`, `accepted_values` and `value_range` ignore rows whose checked column is null.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ecom.errors import InvalidArgumentError
from ecom.transforms.customers.names import segment_names

ERROR = "error"
WARN = "warn"
LEVELS: tuple[str, ...] = (ERROR, WARN)

NOT_NULL = "not_null"
UNIQUE = "unique"
FOREIGN_KEY = "foreign_key"
ACCEPTED_VALUES = "accepted_values"
VALUE_RANGE = "value_range"
FRESHNESS = "freshness"
ROW_COUNT_CHANGE = "row_count_change"
ROW_CONDITION = "row_condition"

# Kinds that count failing rows; the others judge the table as a whole.
ROW_KINDS: tuple[str, ...] = (
    NOT_NULL,
    UNIQUE,
    FOREIGN_KEY,
    ACCEPTED_VALUES,
    VALUE_RANGE,
    ROW_CONDITION,
)
TABLE_KINDS: tuple[str, ...] = (FRESHNESS, ROW_COUNT_CHANGE)
KINDS: tuple[str, ...] = ROW_KINDS + TABLE_KINDS

# Parameters each kind requires (value_range needs at least one of min and max).
REQUIRED_PARAMS: dict[str, tuple[str, ...]] = {
    FOREIGN_KEY: ("ref_table", "ref_column"),
    ACCEPTED_VALUES: ("values",),
    FRESHNESS: ("max_age_days",),
    ROW_COUNT_CHANGE: ("max_change",),
    ROW_CONDITION: ("condition",),
}


@dataclass(frozen=True)
class Rule:
    """One check on one table: `kind` over `columns`, configured by `params`.

    params by kind: foreign_key {ref_table, ref_column}; accepted_values {values};
    value_range {min and/or max, inclusive}; freshness {max_age_days};
    row_condition {condition: a SQL boolean expression over `columns` that every row must
    satisfy; a row where it is null passes, as nulls do for the other row kinds};
    row_count_change {max_change, a fraction: 0.5 = 50%}.
    """

    table: str
    name: str
    kind: str
    level: str
    columns: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"dq rule {self.table}.{self.name}"
        if isinstance(self.columns, str):
            object.__setattr__(self, "columns", (self.columns,))
        else:
            object.__setattr__(self, "columns", tuple(self.columns))
        if self.kind not in KINDS:
            raise InvalidArgumentError(f"{where}: unknown kind {self.kind!r}")
        if self.level not in LEVELS:
            raise InvalidArgumentError(f"{where}: level must be one of {LEVELS}")
        if self.kind != ROW_COUNT_CHANGE and not self.columns:
            raise InvalidArgumentError(f"{where}: a {self.kind} rule needs a column")
        missing = [name for name in REQUIRED_PARAMS.get(self.kind, ()) if name not in self.params]
        if self.kind == VALUE_RANGE and "min" not in self.params and "max" not in self.params:
            missing.append("min or max")
        if missing:
            raise InvalidArgumentError(f"{where}: missing param(s): {', '.join(missing)}")

    @property
    def column(self) -> str:
        """The first (usually the only) checked column."""
        return self.columns[0]


def not_null(table: str, column: str, level: str = ERROR) -> Rule:
    return Rule(table, f"{column}_not_null", NOT_NULL, level, (column,))


def unique(table: str, *columns: str, level: str = ERROR) -> Rule:
    return Rule(table, f"{'_'.join(columns)}_unique", UNIQUE, level, columns)


def primary_key(table: str, column: str) -> list[Rule]:
    """The key of a table: not null and unique (error level)."""
    return [not_null(table, column), unique(table, column)]


def foreign_key(
    table: str, column: str, ref_table: str, ref_column: str | None = None, level: str = ERROR
) -> Rule:
    ref = {"ref_table": ref_table, "ref_column": ref_column or column}
    return Rule(table, f"{column}_in_{ref_table}", FOREIGN_KEY, level, (column,), ref)


def accepted_values(table: str, column: str, values: Iterable[object], level: str = ERROR) -> Rule:
    params = {"values": tuple(values)}
    return Rule(table, f"{column}_accepted_values", ACCEPTED_VALUES, level, (column,), params)


def value_range(
    table: str,
    column: str,
    *,
    name: str,
    min_value: object = None,
    max_value: object = None,
    level: str = ERROR,
) -> Rule:
    params = {
        key: value for key, value in (("min", min_value), ("max", max_value)) if value is not None
    }
    return Rule(table, name, VALUE_RANGE, level, (column,), params)


def freshness(table: str, column: str, max_age_days: int, level: str = WARN) -> Rule:
    params = {"max_age_days": max_age_days}
    return Rule(table, f"{column}_fresh", FRESHNESS, level, (column,), params)


def row_count_change(table: str, max_change: float, level: str = WARN) -> Rule:
    return Rule(table, "row_count_change", ROW_COUNT_CHANGE, level, (), {"max_change": max_change})


def row_condition(
    table: str, name: str, condition: str, columns: Iterable[str], level: str = ERROR
) -> Rule:
    """An invariant every row must satisfy, e.g. `tenure_days >= recency_days`."""
    return Rule(table, name, ROW_CONDITION, level, tuple(columns), {"condition": condition})


def _not_negative(table: str, column: str) -> Rule:
    return value_range(table, column, name=f"{column}_not_negative", min_value=0)


# Days the latest daily summary may lag the run's reference date (data arrives daily,
# one day late at most, plus one day of slack for a late delivery).
SUMMARY_MAX_AGE_DAYS = 2
# Relative change in fact rows between two runs beyond which a warning is recorded.
MAX_ROW_COUNT_CHANGE = 0.5

# Model metrics recorded in model_runs (see ecom.jobs.segments).
MODEL_RUN_METRICS = ("silhouette", "inertia", "calinski_harabasz", "davies_bouldin")
# Churn and CLV (see ecom.jobs.churn): risk bands and evaluation metrics.
RISK_BANDS = ("low", "medium", "high")
EVALUATION_METRICS = ("roc_auc", "pr_auc", "mae", "rmse")


def customer_rules(segments: Iterable[str]) -> list[Rule]:
    """The customer models' tables, the same for every source (`segments`: the names a
    segment may take)."""
    features, history, runs = "customer_features", "dim_customer_segment", "model_runs"
    scores, evaluations = "customer_scores", "model_evaluations"
    return [
        # customer_features: one row per identified customer with a sale
        *primary_key(features, "user_key"),
        not_null(features, "user_id"),
        foreign_key(features, "user_key", "dim_user"),
        accepted_values(features, "segment", segments),
        value_range(
            features, "rfm_score", name="rfm_score_in_111_555", min_value=111, max_value=555
        ),
        value_range(features, "frequency", name="frequency_at_least_1", min_value=1),
        _not_negative(features, "recency_days"),
        _not_negative(features, "monetary"),
        value_range(features, "cancellation_share", name="share_in_0_1", min_value=0, max_value=1),
        row_condition(
            features,
            "tenure_covers_recency",
            "tenure_days >= recency_days",
            ("tenure_days", "recency_days"),
        ),
        row_condition(
            features,
            "aov_times_orders_is_revenue",
            "abs(avg_order_value * frequency - monetary) <= 0.005 * frequency",
            ("avg_order_value", "frequency", "monetary"),
        ),
        # dim_customer_segment: one row per customer and segment spell (SCD Type 2)
        *primary_key(history, "customer_segment_key"),
        unique(history, "user_id", "segment_version"),
        not_null(history, "user_key"),
        not_null(history, "segment"),
        not_null(history, "valid_from"),
        not_null(history, "is_current"),
        not_null(history, "changed_by_run"),
        accepted_values(history, "segment", segments),
        value_range(history, "segment_version", name="version_at_least_1", min_value=1),
        row_condition(
            history,
            "open_iff_current",
            "(valid_to is null) = is_current",
            ("valid_to", "is_current"),
        ),
        row_condition(
            history,
            "valid_to_not_before_valid_from",
            "valid_to >= valid_from",
            ("valid_from", "valid_to"),
        ),
        # model_runs: one row per run, model, k and metric
        not_null(runs, "run_id"),
        not_null(runs, "metric"),
        unique(runs, "run_id", "model", "k", "metric"),
        accepted_values(runs, "model", ("kmeans",)),
        accepted_values(runs, "metric", MODEL_RUN_METRICS),
        row_condition(
            runs,
            "silhouette_in_minus_1_1",
            "metric <> 'silhouette' or value between -1 and 1",
            ("metric", "value"),
        ),
        # customer_scores: one row per current customer (the latest run's scores)
        *primary_key(scores, "user_key"),
        not_null(scores, "user_id"),
        not_null(scores, "churn_probability"),
        foreign_key(scores, "user_key", "dim_user"),
        accepted_values(scores, "risk_band", RISK_BANDS),
        value_range(
            scores, "churn_probability", name="probability_in_0_1", min_value=0, max_value=1
        ),
        _not_negative(scores, "predicted_revenue_next_h"),
        _not_negative(scores, "revenue_last_h"),
        # model_evaluations: one row per run, model and metric
        not_null(evaluations, "run_id"),
        not_null(evaluations, "model_value"),
        unique(evaluations, "run_id", "model", "metric"),
        accepted_values(evaluations, "metric", EVALUATION_METRICS),
        row_condition(
            evaluations,
            "churn_rate_is_churned_over_eligible",
            "abs(churn_rate * eligible_customers - churned_customers) < 0.5",
            ("churn_rate", "eligible_customers", "churned_customers"),
        ),
        row_condition(
            evaluations,
            "churned_within_eligible",
            "churned_customers between 0 and eligible_customers",
            ("churned_customers", "eligible_customers"),
        ),
    ]


CLICKSTREAM_RULES: list[Rule] = [
    # fact_purchases: one row per purchase event
    *primary_key("fact_purchases", "purchase_key"),
    not_null("fact_purchases", "user_key"),
    not_null("fact_purchases", "product_key"),
    not_null("fact_purchases", "category_key"),
    not_null("fact_purchases", "date_key"),
    foreign_key("fact_purchases", "user_key", "dim_user"),
    foreign_key("fact_purchases", "product_key", "dim_product"),
    foreign_key("fact_purchases", "category_key", "dim_category"),
    foreign_key("fact_purchases", "date_key", "dim_time"),
    _not_negative("fact_purchases", "revenue"),
    value_range("fact_purchases", "quantity", name="quantity_at_least_1", min_value=1),
    row_count_change("fact_purchases", MAX_ROW_COUNT_CHANGE),
    # fact_sessions: one row per session
    # session_key is a hash of session_id: unique keys mean unique ids (a collision would
    # fail the rule, never pass a duplicate), and 8-byte keys are far cheaper to compare.
    not_null("fact_sessions", "session_id"),
    *primary_key("fact_sessions", "session_key"),
    not_null("fact_sessions", "user_key"),
    foreign_key("fact_sessions", "user_key", "dim_user"),
    value_range("fact_sessions", "events", name="events_at_least_1", min_value=1),
    _not_negative("fact_sessions", "revenue"),
    row_count_change("fact_sessions", MAX_ROW_COUNT_CHANGE),
    # dimensions: one row per entity
    *primary_key("dim_user", "user_key"),
    *primary_key("dim_product", "product_key"),
    *primary_key("dim_category", "category_key"),
    *primary_key("dim_time", "date_key"),
    accepted_values("dim_time", "iso_weekday", range(1, 8)),
    # summaries: one row per date, one row per month
    *primary_key("fact_daily_summary", "date_key"),
    _not_negative("fact_daily_summary", "revenue"),
    freshness("fact_daily_summary", "summary_date", SUMMARY_MAX_AGE_DAYS),
    *primary_key("fact_monthly_summary", "month_key"),
    _not_negative("fact_monthly_summary", "revenue"),
    *customer_rules(segment_names()),
]


# Online Retail: guests (no CustomerID) have no user_key, so user_key may be null in the
# facts (a foreign key ignores nulls); every other key is required.
RETAIL_RULES: list[Rule] = [
    # fact_purchases: one row per sale line
    *primary_key("fact_purchases", "purchase_key"),
    not_null("fact_purchases", "order_id"),
    not_null("fact_purchases", "product_key"),
    not_null("fact_purchases", "date_key"),
    foreign_key("fact_purchases", "user_key", "dim_user"),
    foreign_key("fact_purchases", "product_key", "dim_product"),
    foreign_key("fact_purchases", "date_key", "dim_time"),
    value_range("fact_purchases", "quantity", name="quantity_at_least_1", min_value=1),
    value_range("fact_purchases", "unit_price", name="unit_price_positive", min_value=0.001),
    row_count_change("fact_purchases", MAX_ROW_COUNT_CHANGE),
    # fact_cancellations: one row per cancellation line
    *primary_key("fact_cancellations", "cancellation_key"),
    not_null("fact_cancellations", "product_key"),
    foreign_key("fact_cancellations", "user_key", "dim_user"),
    foreign_key("fact_cancellations", "product_key", "dim_product"),
    foreign_key("fact_cancellations", "date_key", "dim_time"),
    _not_negative("fact_cancellations", "cancelled_revenue"),
    # fact_adjustments: one row per adjustment line
    *primary_key("fact_adjustments", "adjustment_key"),
    accepted_values(
        "fact_adjustments",
        "reason",
        ("bad_debt_adjustment", "non_positive_quantity", "zero_price", "negative_price"),
    ),
    foreign_key("fact_adjustments", "date_key", "dim_time"),
    # dimensions: one row per entity
    *primary_key("dim_user", "user_key"),
    not_null("dim_user", "user_id"),
    *primary_key("dim_product", "product_key"),
    not_null("dim_product", "code_kind"),
    *primary_key("dim_time", "date_key"),
    accepted_values("dim_time", "iso_weekday", range(1, 8)),
    # summaries: one row per date, one row per month
    *primary_key("fact_daily_summary", "date_key"),
    _not_negative("fact_daily_summary", "revenue"),
    _not_negative("fact_daily_summary", "cancelled_revenue"),
    freshness("fact_daily_summary", "summary_date", SUMMARY_MAX_AGE_DAYS),
    *primary_key("fact_monthly_summary", "month_key"),
    _not_negative("fact_monthly_summary", "revenue"),
    *customer_rules(segment_names()),
]
RULES_BY_SOURCE: dict[str, list[Rule]] = {
    "clickstream": CLICKSTREAM_RULES,
    "online-retail": RETAIL_RULES,
}


def rules_for(table: str, rules: Iterable[Rule]) -> list[Rule]:
    """The rules of one table, in declaration order."""
    return [rule for rule in rules if rule.table == table]
