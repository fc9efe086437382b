"""Data-quality gates in the model job: results recorded and queryable, warnings recorded,
an error-level failure stops publication and the next good run catches up."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from ecom import cli
from ecom.devdata.generate import generate
from ecom.jobs import model as model_job
from ecom.jobs.pipeline import run_pipeline
from ecom.quality.results import DataQualityError
from ecom.quality.rules import CLICKSTREAM_RULES, ERROR, value_range
from ecom.query.local import LocalEngine
from ecom.storage.lake import Lake
from tests.lakeread import lake_rows

pytestmark = pytest.mark.e2e

# An error-level rule the generated data breaks: some purchase costs more than 1.00.
CHEAP_ONLY = value_range(
    "fact_purchases", "unit_price", name="unit_price_at_most_1", max_value=1, level=ERROR
)


def with_rules(monkeypatch, rules) -> None:
    """The model job builds the clickstream star with `rules` for the rest of the test."""
    star = dataclasses.replace(model_job.STARS["clickstream"], rules=rules)
    monkeypatch.setitem(model_job.STARS, "clickstream", star)


def rows_of(lake: Lake) -> dict[str, list[tuple]]:
    """Every curated table as sorted rows, without the columns naming the run."""
    return lake_rows(lake, "clickstream")


@pytest.fixture(scope="module")
def raw_days(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dq-days")
    generate(folder, 2_000, seed=3, months=1)
    files = sorted(folder.glob("events-2019-10-*.csv"))[:4]
    first, second = tmp_path_factory.mktemp("dq-raw-1"), tmp_path_factory.mktemp("dq-raw-2")
    for index, path in enumerate(files):
        shutil.copy(path, (first if index < 2 else second) / path.name)
    return first, second


@pytest.fixture(scope="module")
def published(spark, raw_days, tmp_path_factory):
    """A lake after one good run of days 1-2."""
    lake = tmp_path_factory.mktemp("dq-lake") / "lake"
    report = run_pipeline(spark, str(raw_days[0]), str(lake), run_id="good", show_progress=False)
    return Lake(str(lake)), report


def test_every_rule_is_recorded_in_the_report_and_in_dq_results(published) -> None:
    lake, report = published
    dq = report["dq"]
    assert dq["rules"] == len(CLICKSTREAM_RULES) and dq["failed"] == 0
    assert dq["passed"] + dq["warned"] == len(CLICKSTREAM_RULES)
    # October 2019 data is years old: the warn-level freshness rule fails and only warns.
    stale = [r for r in dq["results"] if r["rule_name"] == "summary_date_fresh"]
    assert stale and not stale[0]["is_passed"] and stale[0]["level"] == "warn"
    assert report["model"]["published"] is True
    with LocalEngine(lake.root) as engine:
        result = engine.query(
            "select rule_name, is_passed from dq_results "
            "where run_id = 'good' and table_name = 'fact_purchases' order by rule_name"
        )
    by_rule = dict(result.rows)
    assert len(by_rule) == len(
        [rule for rule in CLICKSTREAM_RULES if rule.table == "fact_purchases"]
    )
    assert by_rule["purchase_key_unique"] is True
    assert by_rule["user_key_in_dim_user"] is True


def test_failed_error_rule_publishes_nothing_but_its_results(
    spark, published, raw_days, tmp_path, monkeypatch
) -> None:
    lake_before, _ = published
    lake = Lake(str(tmp_path / "lake"))
    shutil.copytree(lake_before.root, lake.root)
    before = rows_of(lake)
    with_rules(monkeypatch, [*CLICKSTREAM_RULES, CHEAP_ONLY])

    with pytest.raises(DataQualityError) as raised:
        run_pipeline(spark, str(raw_days[1]), lake.root, run_id="bad", show_progress=False)
    message = str(raised.value)
    assert message.startswith("data-quality gate failed, curated tables not published: ")
    assert "fact_purchases.unit_price_at_most_1 failed on " in message
    assert "\n" not in message
    report = raised.value.report
    assert report["status"] == "failed" and report["dq"]["failed"] == 1
    assert report["model"]["published"] is False
    assert rows_of(lake) == before  # every table as the good run published it
    with LocalEngine(lake.root) as engine:
        failed = engine.query(
            "select table_name, rule_name from dq_results where run_id = 'bad' and not is_passed"
            " and level = 'error'"
        ).rows
        latest_good = engine.query("select count(*) from dq_results where run_id = 'good'").rows
    assert failed == [("fact_purchases", "unit_price_at_most_1")]
    assert latest_good[0][0] == len(CLICKSTREAM_RULES)

    # The rule is fixed: the next run publishes the changes the failed run could not.
    with_rules(monkeypatch, CLICKSTREAM_RULES)
    retry = run_pipeline(spark, str(raw_days[1]), lake.root, run_id="retry", show_progress=False)
    assert retry["rows"]["read"] == 0  # the raw files were ingested by the failed run
    assert retry["model"]["published"] is True
    reference = Lake(str(tmp_path / "reference"))
    shutil.copytree(lake_before.root, reference.root)
    run_pipeline(spark, str(raw_days[1]), reference.root, run_id="bad", show_progress=False)
    assert rows_of(lake) == rows_of(reference)


def test_cli_prints_the_summary_and_one_line_error_on_a_failed_gate(
    spark, published, raw_days, tmp_path, monkeypatch, capsys
) -> None:
    lake_before, _ = published
    lake = tmp_path / "lake"
    shutil.copytree(lake_before.root, lake)
    with_rules(monkeypatch, [*CLICKSTREAM_RULES, CHEAP_ONLY])
    monkeypatch.setattr("ecom.runtime.spark.local_session", lambda *args, **kwargs: spark)
    code = cli.main(["run", "--raw", str(raw_days[1]), "--lake", str(lake), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "error fact_purchases.unit_price_at_most_1:" in out
    assert err.startswith("ecom run: error: data-quality gate failed")
    assert err.count("\n") == 1


def test_status_lists_recent_runs_from_their_reports(published, raw_days, capsys) -> None:
    lake, _ = published
    assert cli.main(["status", "--lake", lake.root]) == 0
    out = capsys.readouterr().out
    files = sorted(raw_days[0].glob("*.csv"))
    lines = sum(len(path.read_text().splitlines()) - 1 for path in files)
    assert "curated  published by good" in out
    assert "  good  succeeded" in out
    assert f"files {len(files)} read, 0 skipped, 0 rejected; rows read {lines:,}," in out
    assert "staged   published by good" in out and f"{len(files)} raw file(s) ingested" in out
