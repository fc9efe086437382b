"""`ecom deploy | trigger | status | destroy`: the AWS side of the `ecom` command.

`register(subparsers)` adds the four subcommands to the CLI's parser; each sets
`args.handler` to its function, which returns an exit code and raises EcomError subclasses
for anything the user can fix. boto3 is imported and its clients created only inside the
handlers, with the region of the stage configuration unless --region/$AWS_REGION says else.
"""

from __future__ import annotations

import argparse
import os
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from ecom.aws.config import StageConfig, load_config, repo_root
from ecom.errors import InvalidArgumentError
from ecom.storage.lake import DEFAULT_SOURCE


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stage", default="dev", help="stage file infra/config/<stage>.json")
    parser.add_argument("--region", default=None, help="AWS region (default: the stage's)")
    parser.add_argument("--profile", default=None, help="AWS named profile (default: env)")


def register(subparsers: Any) -> None:
    """Add `deploy`, `trigger`, `status` and `destroy` to the CLI's subparsers object."""
    deploy = subparsers.add_parser("deploy", help="build, synthesize and deploy a stage to AWS")
    _add_common(deploy)
    deploy.add_argument(
        "--dry-run", action="store_true", help="synthesize and list, deploy nothing"
    )
    deploy.add_argument("--views-only", action="store_true", help="only (re)create Athena views")
    deploy.add_argument(
        "--source",
        choices=("clickstream", "online-retail"),
        default=None,
        help="the lake's source, whose views to create (default: as the Glue database "
        "records it, else clickstream)",
    )
    deploy.add_argument("--wheel", default=None, help="use this wheel instead of building one")
    deploy.add_argument("--outdir", default=None, help="cloud assembly folder (default: cdk.out)")
    deploy.set_defaults(handler=cmd_deploy)

    trigger = subparsers.add_parser("trigger", help="start the workflow, or one job run")
    _add_common(trigger)
    trigger.add_argument("--job", choices=("ingest", "model"), help="run one job, not the workflow")
    trigger.add_argument("--run-id", default=None, help="run id for the job's report (--job only)")
    trigger.add_argument(
        "--raw-prefix", default=None, help="ingest only this raw prefix, e.g. events/2019-10/"
    )
    trigger.add_argument(
        "--arg", action="append", default=[], metavar="NAME=VALUE", help="extra job argument"
    )
    trigger.set_defaults(handler=cmd_trigger)

    status = subparsers.add_parser(
        "status",
        help="recent runs: of the local lake (default), or of a stage's Glue jobs (--stage)",
    )
    status.add_argument(
        "--stage", default=None, help="AWS stage: show its Glue job runs (infra/config/<stage>)"
    )
    status.add_argument("--region", default=None, help="AWS region (default: the stage's)")
    status.add_argument("--profile", default=None, help="AWS named profile (default: env)")
    status.add_argument(
        "--lake", default=None, help="local lake (default: $ECOM_LAKE or data/lake)"
    )
    status.add_argument("--limit", type=int, default=5, help="runs to list (default 5)")
    status.set_defaults(handler=cmd_status)

    destroy = subparsers.add_parser("destroy", help="delete a stage (data buckets kept)")
    _add_common(destroy)
    destroy.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    destroy.add_argument(
        "--delete-data", action="store_true", help="also empty and delete raw/curated/log buckets"
    )
    destroy.set_defaults(handler=cmd_destroy)


def session_for(args: argparse.Namespace, config: StageConfig) -> Any:
    """A boto3 Session: --profile/$AWS_PROFILE, region from --region, $AWS_REGION or stage."""
    import boto3

    region = args.region or os.environ.get("AWS_REGION") or config.region
    return boto3.Session(profile_name=args.profile, region_name=region)


def _require_credentials(session: Any, what: str) -> None:
    if session.get_credentials() is None:
        raise InvalidArgumentError(f"{what} needs AWS credentials (none found for this profile)")


def require_infra_extra() -> None:
    """One line saying how to install the CDK libraries, instead of a traceback later."""
    missing = [name for name in ("aws_cdk", "constructs", "cdk_nag") if find_spec(name) is None]
    if missing:
        raise InvalidArgumentError(
            f"deploy needs the CDK libraries ({', '.join(missing)} not installed): run "
            "`make deploy-check`, or `pip install -e '.[infra]'` in this environment"
        )


def cmd_deploy(args: argparse.Namespace) -> int:
    """`ecom deploy`: wheel → synth (cdk-nag) → summary → cdk deploy → Athena views."""
    from ecom.aws import deploy

    config = load_config(args.stage)
    if not args.views_only:
        require_infra_extra()
    repo = repo_root()
    if args.views_only:
        return _create_views(args, config, repo)
    account = None
    session = None
    if not args.dry_run:
        session = session_for(args, config)
        _require_credentials(session, "deploy (use --dry-run to only synthesize)")
        account = deploy.caller_account(session)
    wheel = Path(args.wheel) if args.wheel else deploy.build_wheel(repo)
    if not wheel.is_file():
        raise InvalidArgumentError(f"--wheel {wheel}: no such file")
    outdir = Path(args.outdir) if args.outdir else repo / "cdk.out"
    print(f"synthesizing stage {config.stage} ({config.stack_name}, {config.region}) ...")
    template = deploy.synth(repo, config, outdir=outdir, wheel=wheel, account=account)
    print(f"stack {config.stack_name}: cdk-nag clean; would create:")
    for line in deploy.summarize(template):
        print(f"  {line}")
    source = args.source or DEFAULT_SOURCE
    views = deploy.view_files(repo / "sql" / "views", source)
    print(f"  then create {len(views)} Athena view(s) of {source} from sql/views/")
    if args.dry_run:
        print(f"dry run: nothing deployed (assembly in {outdir})")
        return 0
    deploy.run_cdk_deploy(repo, config, outdir, args.profile)
    return _create_views(args, config, repo, session)


def _registered_source(session: Any, config: StageConfig) -> str | None:
    """The source the model job recorded on the stage's database (None: not yet)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from ecom.catalog.glue import registered_source

    try:
        return registered_source(session.client("glue"), config.database_name)
    except (BotoCoreError, ClientError) as error:
        raise InvalidArgumentError(
            f"cannot read the source of database {config.database_name} ({error}): pass --source"
        ) from None


def _create_views(
    args: argparse.Namespace, config: StageConfig, repo: Path, session: Any = None
) -> int:
    from ecom.aws import deploy

    session = session or session_for(args, config)
    _require_credentials(session, "creating the Athena views")
    source = args.source or _registered_source(session, config) or DEFAULT_SOURCE
    files = deploy.view_files(repo / "sql" / "views", source)
    if not files:
        print("no sql/views/*.sql files: no Athena views to create")
        return 0
    result = deploy.create_views(session.client("athena"), config, files)
    for name in result.created:
        print(f"  view {config.database_name}.{name}: created")
    for name, reason in result.failed.items():
        print(f"  view {config.database_name}.{name}: not created: {reason}")
    if result.failed:
        print(
            "views read the tables the model job registers: after the first pipeline run, rerun "
            f"`ecom deploy --stage {config.stage} --views-only`"
        )
    return 0


def _parse_pairs(pairs: list[str]) -> dict[str, str]:
    parsed = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip("-"):
            raise InvalidArgumentError(f"--arg {pair!r}: expected NAME=VALUE")
        parsed[name] = value
    return parsed


def cmd_trigger(args: argparse.Namespace) -> int:
    """`ecom trigger`: start the workflow, or with --job one job run with arguments."""
    from ecom.aws import runs

    config = load_config(args.stage)
    extra = _parse_pairs(args.arg)
    if not args.job and (args.run_id or args.raw_prefix or extra):
        raise InvalidArgumentError("--run-id, --raw-prefix and --arg need --job ingest|model")
    session = session_for(args, config)
    _require_credentials(session, "trigger")
    if args.job:
        run_id = runs.start_job(
            session, config, args.job, run_id=args.run_id, raw_prefix=args.raw_prefix, extra=extra
        )
        print(f"started {config.job_name(args.job)}: job run {run_id}")
    else:
        run_id = runs.start_workflow(session, config)
        print(f"started workflow {config.workflow_name}: run {run_id}")
    print(f"follow it with: ecom status --stage {config.stage}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """`ecom status`: recent local runs from their reports; with --stage, the Glue job runs."""
    if args.limit < 1:
        raise InvalidArgumentError("--limit must be at least 1")
    if args.stage is None:  # the local lake's run reports
        from ecom.cli.status import format_status

        lake = args.lake or os.environ.get("ECOM_LAKE", str(Path("data") / "lake"))
        for line in format_status(lake, args.limit):
            print(line)
        return 0
    from ecom.aws import runs

    config = load_config(args.stage)
    session = session_for(args, config)
    _require_credentials(session, "status")
    for line in runs.format_runs(runs.recent_runs(session, config, limit=args.limit)):
        print(line)
    return 0


def cmd_destroy(args: argparse.Namespace) -> int:
    """`ecom destroy`: delete the stack after confirmation; keep data unless --delete-data."""
    from ecom.aws import runs

    config = load_config(args.stage)
    session = session_for(args, config)
    _require_credentials(session, "destroy")
    return runs.destroy(session, config, yes=args.yes, delete_data=args.delete_data)


HANDLERS = {
    "deploy": cmd_deploy,
    "trigger": cmd_trigger,
    "status": cmd_status,
    "destroy": cmd_destroy,
}

__all__ = ["HANDLERS", "register"]
