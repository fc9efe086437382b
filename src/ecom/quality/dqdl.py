"""Render the data-quality rules as AWS Glue Data Quality (DQDL) rulesets, one per table.

Mapping (DQDL rule types as documented in the Glue developer guide):
- not_null → `IsComplete "col"`; unique → `IsUnique "col"` (several columns: `"a" "b"`).
- foreign_key → `ReferentialIntegrity "col" "dim_x.key" = 1.0`: the evaluation run must pass
  the dimension as an additional data source under the alias `dim_x`.
- accepted_values → `ColumnValues "col" in [...]`.
- value_range → `ColumnValues "col" >= min` / `<= max`; both bounds are written as two
  rules joined by `and` rather than `between`, so the bounds stay inclusive as in evaluate.
- row_condition → `CustomSql "select count(*) from primary where not (<condition>)" = 0`.
- freshness and row_count_change have no faithful DQDL form; they are listed as `#`
  comments that say why.

Null handling differs in one place: DQDL's ColumnValues fails null rows, while `evaluate`
leaves nulls to not_null rules. Glue rules carry no level: warn rules render as plain rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ecom.quality.rules import (
    ACCEPTED_VALUES,
    FOREIGN_KEY,
    FRESHNESS,
    NOT_NULL,
    ROW_CONDITION,
    ROW_COUNT_CHANGE,
    UNIQUE,
    VALUE_RANGE,
    Rule,
)

INDENT = "    "

UNSUPPORTED: dict[str, str] = {
    FRESHNESS: (
        "DQDL DataFreshness checks every row against now(); this rule checks only the "
        "latest date against the run's reference date"
    ),
    ROW_COUNT_CHANGE: (
        "it compares with the previous run's row count; DQDL dynamic rules (last(k)) run "
        "only inside Glue ETL jobs, not on a catalog table ruleset"
    ),
}


def quote(name: str) -> str:
    """A DQDL string literal: double quotes, backslash escapes."""
    return json.dumps(name)


def literal(value: object) -> str:
    """A DQDL value: numbers bare, everything else quoted."""
    if isinstance(value, bool):
        return quote(str(value).lower())
    if isinstance(value, int | float):
        return str(value)
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return quote(str(value))


def render_rule(rule: Rule) -> str | None:
    """One rule → its DQDL text, or None when DQDL has no faithful equivalent."""
    columns = " ".join(quote(column) for column in rule.columns)
    if rule.kind == NOT_NULL:
        parts = [f"IsComplete {quote(column)}" for column in rule.columns]
        return parts[0] if len(parts) == 1 else " and ".join(f"({part})" for part in parts)
    if rule.kind == UNIQUE:
        return f"IsUnique {columns}"
    if rule.kind == FOREIGN_KEY:
        reference = f"{rule.params['ref_table']}.{rule.params['ref_column']}"
        return f"ReferentialIntegrity {quote(rule.column)} {quote(reference)} = 1.0"
    if rule.kind == ACCEPTED_VALUES:
        values = ", ".join(literal(value) for value in rule.params["values"])
        return f"ColumnValues {quote(rule.column)} in [{values}]"
    if rule.kind == VALUE_RANGE:
        bounds = [
            f"ColumnValues {quote(rule.column)} {operator} {literal(rule.params[key])}"
            for key, operator in (("min", ">="), ("max", "<="))
            if key in rule.params
        ]
        return bounds[0] if len(bounds) == 1 else " and ".join(f"({bound})" for bound in bounds)
    if rule.kind == ROW_CONDITION:
        query = f"select count(*) from primary where not ({rule.params['condition']})"
        return f"CustomSql {quote(query)} = 0"
    return None


def comment_for(rule: Rule) -> str:
    """A `#` line naming a rule that is not rendered, and why."""
    why = UNSUPPORTED.get(rule.kind, "no DQDL equivalent")
    return f"# not rendered: {rule.name} ({rule.kind}, {rule.level}): {why}"


def render_ruleset(rules: Iterable[Rule]) -> str:
    """The rules of one table → one DQDL ruleset (`Rules = [ ... ]`)."""
    rules = list(rules)
    rendered = [text for text in (render_rule(rule) for rule in rules) if text is not None]
    comments = [comment_for(rule) for rule in rules if render_rule(rule) is None]
    lines = ["Rules = ["]
    lines += [f"{INDENT}{text}," for text in rendered[:-1]]
    lines += [f"{INDENT}{text}" for text in rendered[-1:]]
    lines += [f"{INDENT}{comment}" for comment in comments]
    lines.append("]")
    return "\n".join(lines) + "\n"


def render_rulesets(rules: Iterable[Rule]) -> dict[str, str]:
    """All rules → {table: DQDL ruleset}; a table with nothing renderable gets no ruleset."""
    by_table: dict[str, list[Rule]] = {}
    for rule in rules:
        by_table.setdefault(rule.table, []).append(rule)
    return {
        table: render_ruleset(table_rules)
        for table, table_rules in by_table.items()
        if any(render_rule(rule) is not None for rule in table_rules)
    }
