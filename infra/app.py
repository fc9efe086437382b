"""CDK app: one `PipelineStack` for the stage named by context `stage` (default: dev).

Synthesize without the npm CLI:  python infra/app.py            (writes cdk.out/)
Choose the stage and the wheel:  ECOM_STAGE=prod ECOM_WHEEL=dist/x.whl python infra/app.py
With the CDK CLI (deploy):       npx aws-cdk@2.1148.1 deploy --app "python infra/app.py" \
                                     -c stage=dev   (what `ecom deploy --stage dev` runs)

cdk-nag's AwsSolutions pack runs at every synthesis: an unacknowledged finding stops it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for folder in (REPO / "src", REPO / "infra"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from ecom.aws.config import load_config  # noqa: E402
from ecom.aws.deploy import find_or_build_wheel  # noqa: E402
from stacks.pipeline import CodePaths, PipelineStack  # noqa: E402
from stacks.quicksight import load_dashboard_spec  # noqa: E402

# Feature flags this app relies on (a cdk.json would carry them for the CLI; the app sets them
# itself so that `python infra/app.py` and the tests synthesize the same template).
FEATURE_FLAGS = {
    # Access-log delivery through a bucket policy, not the legacy LogDeliveryWrite ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}


def build_app(
    stage: str | None = None, *, context: dict[str, str] | None = None, outdir: str | None = None
) -> tuple[cdk.App, PipelineStack]:
    """The app with the stage's stack and cdk-nag registered; call `app.synth()` next."""
    app = cdk.App(context={**FEATURE_FLAGS, **(context or {})}, outdir=outdir)
    stage = stage or app.node.try_get_context("stage") or os.environ.get("ECOM_STAGE", "dev")
    expansions = {
        name: str(value)
        for name in ("CDK_DEFAULT_ACCOUNT", "ECOM_ACCOUNT")
        if (value := app.node.try_get_context(name))
    }
    config = load_config(stage, expansions)
    wheel = app.node.try_get_context("wheel") or os.environ.get("ECOM_WHEEL")
    code = CodePaths(
        ingest_script=REPO / "glue_jobs" / "ingest.py",
        model_script=REPO / "glue_jobs" / "model.py",
        wheel=Path(wheel) if wheel else find_or_build_wheel(REPO),
    )
    spec = (
        load_dashboard_spec(REPO / config.dashboard_spec, config.raw_source)
        if config.dashboard_spec
        else None
    )
    stack = PipelineStack(
        app,
        config.stack_name,
        config=config,
        code=code,
        dashboard_spec=spec,  # type: ignore[arg-type]
        env=cdk.Environment(account=config.account, region=config.region),
        description=f"ecom analytics pipeline, stage {config.stage}",
    )
    cdk.Tags.of(stack).add("project", "ecom-analytics")
    cdk.Tags.of(stack).add("stage", config.stage)
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True)
    )
    return app, stack


if __name__ == "__main__":
    build_app()[0].synth()
