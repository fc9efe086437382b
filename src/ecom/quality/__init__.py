"""Data-quality gates: rules declared once per curated table, evaluated with Spark."""

from ecom.quality.evaluate import evaluate
from ecom.quality.results import (
    RESULT_SCHEMA,
    DataQualityError,
    failing_errors,
    raise_on_failing_errors,
)
from ecom.quality.rules import RULES_BY_SOURCE, Rule

__all__ = [
    "RESULT_SCHEMA",
    "RULES_BY_SOURCE",
    "DataQualityError",
    "Rule",
    "evaluate",
    "failing_errors",
    "raise_on_failing_errors",
]
