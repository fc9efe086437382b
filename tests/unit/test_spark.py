"""ecom.runtime.spark: extra Spark settings from the environment."""

from __future__ import annotations

import pytest

from ecom.runtime.spark import EXTRA_CONF_ENV, extra_conf


def test_extra_conf_parses_whitespace_separated_pairs() -> None:
    text = " spark.eventLog.enabled=true\n spark.eventLog.dir=file:///tmp/a=b "
    assert extra_conf(text) == {
        "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": "file:///tmp/a=b",  # split at the first '=' only
    }


def test_extra_conf_is_empty_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(EXTRA_CONF_ENV, raising=False)
    assert extra_conf() == {}


def test_extra_conf_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_CONF_ENV, "spark.a=1 spark.b=")
    assert extra_conf() == {"spark.a": "1", "spark.b": ""}


@pytest.mark.parametrize("text", ["spark.a", "=1", "spark.a=1 oops"])
def test_extra_conf_rejects_an_item_without_a_key_and_value(text: str) -> None:
    with pytest.raises(ValueError, match=EXTRA_CONF_ENV):
        extra_conf(text)
