"""Stage configuration (`infra/config/<stage>.json`) and the AWS names derived from it.

One file per stage holds everything that differs between dev and prod. The CDK app and the
`ecom deploy/trigger/status/destroy` commands read the same file, so the names the stack
creates and the names the commands look up cannot drift apart.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ecom.errors import InvalidArgumentError

# The raw sources a stage can hold (ecom.sources; not imported: this module stays light).
RAW_SOURCES = ("clickstream", "online-retail")
WORKER_TYPES = ("G.1X", "G.2X", "G.4X", "G.8X", "R.1X", "R.2X", "R.4X", "R.8X")
_PLACEHOLDER = re.compile(r"^\$\{([A-Z_][A-Z0-9_]*)\}$")
_STAGE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
_PREFIX = re.compile(r"^[a-z][a-z0-9-]{2,29}$")


def repo_root() -> Path:
    """The project folder: $ECOM_REPO, else the nearest parent of the cwd holding infra/."""
    if os.environ.get("ECOM_REPO"):
        return Path(os.environ["ECOM_REPO"]).resolve()
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "infra" / "config").is_dir():
            return folder
    source_checkout = Path(__file__).resolve().parents[3]  # src/ecom/aws/config.py
    if (source_checkout / "infra" / "config").is_dir():
        return source_checkout
    raise InvalidArgumentError(
        "cannot find infra/config: run from the project folder or set ECOM_REPO"
    )


@dataclass(frozen=True)
class StageConfig:
    """One deployment stage: where it lives, how big the jobs are, when they run."""

    stage: str
    account: str | None
    region: str
    name_prefix: str
    worker_type: str
    number_of_workers: int
    job_timeout_minutes: int
    schedule_cron: str
    schedule_enabled: bool
    bytes_scanned_cutoff_per_query: int
    alert_email: str | None
    raw_transition_to_ia_days: int
    athena_results_expiration_days: int
    access_logs_expiration_days: int
    quicksight_principal_arn: str | None
    dashboard_spec: str | None
    # The raw source the stage's lake holds: `clickstream` or `online-retail`.
    raw_source: str
    # The model job's settings (glue_jobs/model.py arguments without the dashes), e.g.
    # {"fiscal_year_start_month": 4, "horizon_days": 90}; optional, the job has defaults.
    model_settings: dict[str, Any] = field(default_factory=dict)

    # Names of the resources, shared by the stack and the CLI.
    @property
    def stack_name(self) -> str:
        return self.name_prefix

    @property
    def database_name(self) -> str:
        return self.name_prefix.replace("-", "_")

    @property
    def workgroup_name(self) -> str:
        return self.name_prefix

    @property
    def workflow_name(self) -> str:
        return f"{self.name_prefix}-pipeline"

    def job_name(self, step: str) -> str:
        """`ingest` or `model` → the Glue job's name."""
        return f"{self.name_prefix}-{step}"

    def ruleset_name(self, table: str) -> str:
        """The Glue Data Quality ruleset of one curated table."""
        return f"{self.name_prefix}-dq-{table.replace('_', '-')}"


def _expand(value: Any, context: dict[str, str]) -> Any:
    """`"${NAME}"` → context[NAME] or $NAME, or None when neither is set."""
    if isinstance(value, str) and (match := _PLACEHOLDER.match(value)):
        name = match.group(1)
        return context.get(name) or os.environ.get(name) or None
    return value


# Keys a stage's file may leave out, and the model settings it may give.
OPTIONAL_KEYS = ("model_settings",)
MODEL_SETTINGS = (
    "fiscal_year_start_month",
    "segment_min_customers",
    "horizon_days",
    "risk_medium",
    "risk_high",
    "model_seed",
)


def parse_config(
    data: dict[str, Any], source: str, context: dict[str, str] | None = None
) -> StageConfig:
    """Validate one stage's settings; every problem is a one-line InvalidArgumentError."""
    names = {field.name for field in fields(StageConfig)}
    unknown = sorted(set(data) - names)
    missing = sorted(names - set(data) - set(OPTIONAL_KEYS))
    if unknown or missing:
        raise InvalidArgumentError(
            f"{source}: unknown key(s) {unknown or '-'}; missing key(s) {missing or '-'}"
        )
    values = {name: _expand(data[name], context or {}) for name in names if name in data}
    unknown_settings = sorted(set(values.get("model_settings", {})) - set(MODEL_SETTINGS))
    if unknown_settings:
        raise InvalidArgumentError(f"{source}: unknown model setting(s) {unknown_settings}")
    if values["account"] is not None and not re.fullmatch(r"\d{12}", str(values["account"])):
        raise InvalidArgumentError(
            f"{source}: account must be 12 digits, got {values['account']!r}"
        )
    if not _STAGE.match(values["stage"]):
        raise InvalidArgumentError(f"{source}: stage must match {_STAGE.pattern}")
    if not _PREFIX.match(values["name_prefix"]):
        raise InvalidArgumentError(f"{source}: name_prefix must match {_PREFIX.pattern}")
    if values["worker_type"] not in WORKER_TYPES:
        raise InvalidArgumentError(
            f"{source}: worker_type must be one of {', '.join(WORKER_TYPES)}"
        )
    if not 2 <= int(values["number_of_workers"]) <= 299:
        raise InvalidArgumentError(f"{source}: number_of_workers must be 2..299 (Glue minimum 2)")
    if not str(values["schedule_cron"]).startswith("cron("):
        raise InvalidArgumentError(f"{source}: schedule_cron must look like cron(0 3 * * ? *)")
    if values["raw_source"] not in RAW_SOURCES:
        raise InvalidArgumentError(f"{source}: raw_source must be one of {', '.join(RAW_SOURCES)}")
    if int(values["bytes_scanned_cutoff_per_query"]) < 10_000_000:
        raise InvalidArgumentError(f"{source}: bytes_scanned_cutoff_per_query below Athena's 10 MB")
    return StageConfig(**values)


def load_config(stage: str, context: dict[str, str] | None = None) -> StageConfig:
    """Read `infra/config/<stage>.json`; `${VAR}` values come from context, then environment."""
    if not _STAGE.match(stage):
        raise InvalidArgumentError(f"--stage {stage!r}: not a stage name")
    path = repo_root() / "infra" / "config" / f"{stage}.json"
    if not path.is_file():
        raise InvalidArgumentError(f"--stage {stage}: no configuration file {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InvalidArgumentError(f"{path}: not valid JSON: {error}") from None
    config = parse_config(data, str(path), context)
    if config.stage != stage:
        raise InvalidArgumentError(f"{path}: says stage {config.stage!r}, expected {stage!r}")
    return config
