"""plan_model decides from the two publications' documents alone: no Spark needed."""

from __future__ import annotations

import pytest

from ecom.errors import InvalidArgumentError
from ecom.jobs.curated import ModelArgs
from ecom.jobs.curated import plan_model as plan_for_star
from ecom.jobs.star_clickstream import CLICKSTREAM_STAR

MODEL_VERSION = CLICKSTREAM_STAR.model_version
STATE_TABLES = CLICKSTREAM_STAR.state_tables


def plan_model(staged, curated, args):
    return plan_for_star(staged, curated, args, CLICKSTREAM_STAR)


ARGS = ModelArgs(staged_path="lake/staged/events", curated_path="lake/curated", run_id="r3")


def staged_document() -> dict:
    """Two ingests: dates 01-02 (generation 1), then 03 (generation 2)."""
    events = {
        "partition_key": "event_date",
        "partitions": {
            "2019-10-01": "v-r1",
            "2019-10-02": "v-r1",
            "2019-10-03": "v-r2",
        },
    }
    return {
        "format": 1,
        "epoch": "r1",
        "generation": 2,
        "tables": {"events": events},
        "changes": [
            {"generation": 1, "run_id": "r1", "dates": ["2019-10-01", "2019-10-02"]},
            {"generation": 2, "run_id": "r2", "dates": ["2019-10-03"]},
        ],
    }


def curated_document(**fields) -> dict:
    """Built from generation 1 by the current model."""
    tables = {name: {"version": "v-r1"} for name in ("fact_purchases", *STATE_TABLES)}
    document = {
        "format": 1,
        "tables": tables,
        "staged": {"epoch": "r1", "generation": 1},
        "model_version": MODEL_VERSION,
    }
    return {**document, **fields}


def test_only_the_dates_changed_since_the_last_publication_are_rebuilt() -> None:
    plan = plan_model(staged_document(), curated_document(), ARGS)
    assert (plan.full, plan.dates) == (False, ["2019-10-03"])


def test_tables_of_an_older_layout_are_rebuilt_whole() -> None:
    older = curated_document()
    del older["model_version"]  # published before the layout was recorded
    plan = plan_model(staged_document(), older, ARGS)
    assert plan.full
    assert plan.dates == ["2019-10-01", "2019-10-02", "2019-10-03"]
    assert plan.reason == "the curated tables have layout 1"


def test_a_newer_layout_is_rebuilt_too() -> None:
    plan = plan_model(staged_document(), curated_document(model_version=MODEL_VERSION + 1), ARGS)
    assert plan.full


def test_model_args_keep_the_jobs_folds_and_k_values_and_refuse_unusable_ones() -> None:
    assert (ARGS.churn_folds, ARGS.segment_k_values) == (5, (2, 3, 4, 5, 6, 7, 8))
    paths = {"staged_path": "s", "curated_path": "c", "run_id": "r"}
    assert ModelArgs(**paths, churn_folds=3, segment_k_values=(2, 3)).churn_folds == 3
    for bad in ({"churn_folds": 1}, {"segment_k_values": ()}, {"segment_k_values": (1, 2)}):
        with pytest.raises(InvalidArgumentError):
            ModelArgs(**paths, **bad)
