"""`ecom deploy`: build the wheel, synthesize the CDK app, deploy it, create the Athena views.

The CDK app is synthesized by running `infra/app.py` with this interpreter (no npm CLI
needed); only the deployment itself runs the pinned CDK CLI through npx. The Athena views
are created afterwards from whatever `sql/views/*.sql` and `sql/views/<source>/*.sql` files
(those of the lake's source) exist at that moment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecom.aws.config import StageConfig
from ecom.errors import EcomError

CDK_CLI = "aws-cdk@2.1148.1"  # the last 2.x CLI line: it reads this aws-cdk-lib's assembly
WHEEL_GLOB = "ecom_analytics-*.whl"


class DeployError(EcomError):
    """Building, synthesizing or deploying the stack failed."""


def find_wheel(repo: Path) -> Path | None:
    """The newest project wheel in `dist/`, or None."""
    wheels = sorted((repo / "dist").glob(WHEEL_GLOB), key=lambda path: path.stat().st_mtime)
    return wheels[-1] if wheels else None


def build_wheel(repo: Path) -> Path:
    """`pip wheel . --no-deps -w dist/`: the project wheel the Glue jobs import."""
    command = [sys.executable, "-m", "pip", "wheel", str(repo), "--no-deps", "-q"]
    command += ["-w", str(repo / "dist")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wheel = find_wheel(repo)
    if done.returncode != 0 or wheel is None:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no wheel written"]
        raise DeployError(f"building the wheel failed: {last[0]}")
    return wheel


def find_or_build_wheel(repo: Path) -> Path:
    return find_wheel(repo) or build_wheel(repo)


def synth(
    repo: Path, config: StageConfig, *, outdir: Path, wheel: Path, account: str | None = None
) -> dict[str, Any]:
    """Run `infra/app.py` for the stage into `outdir`; return the stack's template."""
    env = {**os.environ, "ECOM_STAGE": config.stage, "ECOM_WHEEL": str(wheel)}
    env["CDK_OUTDIR"] = str(outdir)
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    if account:
        env["CDK_DEFAULT_ACCOUNT"] = account
    done = subprocess.run(
        [sys.executable, str(repo / "infra" / "app.py")],
        capture_output=True,
        text=True,
        env=env,
        cwd=repo,
        check=False,
    )
    template = outdir / f"{config.stack_name}.template.json"
    if done.returncode != 0 or not template.is_file():
        report = outdir / "validation-report.json"
        where = f"; cdk-nag findings in {report}" if report.is_file() else ""
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise DeployError(f"synthesis failed: {lines[-1] if lines else 'no template'}{where}")
    return json.loads(template.read_text(encoding="utf-8"))


def summarize(template: dict[str, Any]) -> list[str]:
    """One line per resource type with its count and the names it will have, if fixed."""
    by_type: dict[str, list[str]] = {}
    for logical_id, resource in template.get("Resources", {}).items():
        props = resource.get("Properties", {})
        name = _fixed_name(props) or logical_id
        by_type.setdefault(resource["Type"], []).append(name)
    counts = Counter({kind: len(names) for kind, names in by_type.items()})
    lines = [f"{sum(counts.values())} resources in {len(counts)} types"]
    for kind, count in sorted(counts.items()):
        names = ", ".join(sorted(by_type[kind])[:6])
        more = f", … (+{count - 6})" if count > 6 else ""
        lines.append(f"  {count:>3}  {kind:<36} {names}{more}")
    return lines


def _fixed_name(props: dict[str, Any]) -> str | None:
    for key in ("Name", "BucketName", "TopicName", "RoleName", "DataSourceId"):
        if isinstance(props.get(key), str):
            return props[key]
    database = props.get("DatabaseInput")
    if isinstance(database, dict) and isinstance(database.get("Name"), str):
        return database["Name"]
    return None


def caller_account(session: Any) -> str | None:
    """The account of the current credentials, or None when there are none."""
    if session.get_credentials() is None:
        return None
    return session.client("sts").get_caller_identity()["Account"]


def run_cdk_deploy(repo: Path, config: StageConfig, assembly: Path, profile: str | None) -> None:
    """`npx aws-cdk@2.1148.1 deploy` of the synthesized assembly (needs node and npx)."""
    npx = shutil.which("npx")
    if npx is None:
        raise DeployError("npx not found: install Node.js (the CDK CLI runs through npx)")
    command = [npx, "--yes", CDK_CLI, "deploy", config.stack_name, "--app", str(assembly)]
    command += ["--require-approval", "never"]
    if profile:
        command += ["--profile", profile]
    if subprocess.run(command, cwd=repo, check=False).returncode != 0:
        raise DeployError(f"cdk deploy of {config.stack_name} failed (see the output above)")


@dataclass
class ViewsResult:
    created: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def view_files(sql_dir: Path, source: str | None = None) -> list[Path]:
    """The `*.sql` files present in `sql/views/` now, by name; with `source`, also that
    source's own (`sql/views/online_retail/` for online-retail), each replacing the shared
    file of its name."""
    if not sql_dir.is_dir():
        return []
    files = {path.stem: path for path in sql_dir.glob("*.sql")}
    if source:
        files.update(
            {path.stem: path for path in (sql_dir / source.replace("-", "_")).glob("*.sql")}
        )
    return [files[name] for name in sorted(files)]


def create_views(
    athena: Any,
    config: StageConfig,
    files: Iterable[Path],
    *,
    poll_seconds: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> ViewsResult:
    """Run each view's `create or replace view` in the stage's workgroup and database.

    Views may read other views, so the failed ones are retried while a pass makes progress.
    """
    pending = {path.stem: path.read_text(encoding="utf-8") for path in files}
    result = ViewsResult()
    while pending:
        failed: dict[str, str] = {}
        for name, sql in pending.items():
            error = _run_query(athena, config, sql, poll_seconds, sleep)
            if error is None:
                result.created.append(name)
            else:
                failed[name] = error
        if len(failed) == len(pending):
            result.failed = failed
            break
        pending = {name: pending[name] for name in failed}
    return result


def _run_query(
    athena: Any, config: StageConfig, sql: str, poll: float, sleep: Callable[[float], None]
) -> str | None:
    """Run one statement to completion; None on success, else Athena's reason."""
    query_id = athena.start_query_execution(
        QueryString=sql,
        QueryExecutionContext={"Database": config.database_name},
        WorkGroup=config.workgroup_name,
    )["QueryExecutionId"]
    while True:
        status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
        if status["State"] == "SUCCEEDED":
            return None
        if status["State"] in ("FAILED", "CANCELLED"):
            return status.get("StateChangeReason", status["State"])
        sleep(poll)
