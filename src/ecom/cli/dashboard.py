"""`ecom dashboards deploy|render` (QuickSight) and `ecom dashboard` (served locally).

    ecom dashboards render [--out DIR] [--stage dev] [--account ID] [--region R]
    ecom dashboards deploy [--stage dev] [--region R] [--profile P] [--import-mode MODE]
    ecom dashboard [--lake DIR] [--port 8501]

`register(subparsers)` adds both commands to the `ecom` parser; each sets `args.handler`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ecom.errors import InvalidArgumentError

PLACEHOLDER_ACCOUNT = "000000000000"
APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def _target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stage", default="dev", help="stage file infra/config/<stage>.json")
    parser.add_argument("--region", default=None, help="AWS region (default: the stage's)")
    parser.add_argument(
        "--spec", default=None, help="dashboard spec (default: dashboards/spec.json)"
    )
    parser.add_argument(
        "--import-mode",
        choices=("DIRECT_QUERY", "SPICE"),
        default=None,
        help="dataset mode (default: $ECOM_QUICKSIGHT_IMPORT_MODE, else the spec's)",
    )
    parser.add_argument(
        "--principal", default=None, help="QuickSight owner ARN (default: stage / env)"
    )


def register(subparsers: Any) -> None:
    """Add `dashboards` (deploy, render) and `dashboard` (serve locally)."""
    dashboards = subparsers.add_parser("dashboards", help="the QuickSight dashboard as code")
    actions = dashboards.add_subparsers(dest="dashboards_command", required=True)
    render = actions.add_parser("render", help="write the generated QuickSight requests as JSON")
    _target_arguments(render)
    render.add_argument("--out", default="build/quicksight", help="folder for the JSON files")
    render.add_argument("--account", default=None, help="account id (default: stage, else zeros)")
    render.set_defaults(handler=cmd_render)
    deploy = actions.add_parser("deploy", help="create or update the dashboard in QuickSight")
    _target_arguments(deploy)
    deploy.add_argument("--profile", default=None, help="AWS named profile (default: env)")
    deploy.set_defaults(handler=cmd_deploy)

    serve = subparsers.add_parser("dashboard", help="serve the dashboard locally (Streamlit)")
    serve.add_argument(
        "--lake", default=None, help="lake folder (default: $ECOM_LAKE or data/lake)"
    )
    serve.add_argument("--port", type=int, default=8501, help="port on 127.0.0.1 (default 8501)")
    serve.set_defaults(handler=cmd_serve)


def _stage(args: argparse.Namespace) -> tuple[Any, str]:
    from ecom.aws.config import load_config

    config = load_config(args.stage)
    return config, args.region or os.environ.get("AWS_REGION") or config.region


def cmd_render(args: argparse.Namespace) -> int:
    """`ecom dashboards render`: the requests deploy would send, one JSON file each."""
    from ecom.dashboard.deploy import resolve_target
    from ecom.dashboard.quicksight import all_requests
    from ecom.dashboard.spec import for_source, load_spec

    config, region = _stage(args)
    spec = for_source(load_spec(args.spec), config.raw_source)
    account = args.account or config.account or PLACEHOLDER_ACCOUNT
    principal = args.principal or os.environ.get("ECOM_QUICKSIGHT_PRINCIPAL_ARN")
    principal = principal or config.quicksight_principal_arn
    principal = principal or f"arn:aws:quicksight:{region}:{account}:user/default/OWNER"
    target = resolve_target(
        config,
        account_id=account,
        region=region,
        import_mode=args.import_mode,
        principal_arn=principal,
        spec=spec,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    files = all_requests(spec, target)
    for name, request in files.items():
        (out / name).write_text(json.dumps(request, indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(files)} QuickSight request(s) for account {account} to {out}")
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    """`ecom dashboards deploy`: describe → create or update every resource."""
    import boto3

    from ecom.dashboard.deploy import deploy_dashboard, resolve_target
    from ecom.dashboard.spec import for_source, load_spec

    config, region = _stage(args)
    spec = for_source(load_spec(args.spec), config.raw_source)
    session = boto3.Session(profile_name=args.profile, region_name=region)
    if session.get_credentials() is None:
        raise InvalidArgumentError("dashboards deploy needs AWS credentials (none found)")
    account = config.account or session.client("sts").get_caller_identity()["Account"]
    target = resolve_target(
        config,
        account_id=account,
        region=region,
        import_mode=args.import_mode,
        principal_arn=args.principal,
        spec=spec,
    )
    result = deploy_dashboard(session.client("quicksight"), spec, target)
    print(f"QuickSight {target.account_id} {region}:")
    print(result.summary())
    return 0


def streamlit_command(lake: str, port: int) -> list[str]:
    """`streamlit run app.py` on 127.0.0.1, headless, without telemetry or file watching."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.headless=true",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--global.developmentMode=false",
        "--",
        "--lake",
        lake,
    ]


def cmd_serve(args: argparse.Namespace) -> int:
    """`ecom dashboard`: run the Streamlit app until interrupted."""
    from ecom.cli.query import default_lake

    lake = str(Path(args.lake or default_lake()).resolve())
    print(f"dashboard on http://127.0.0.1:{args.port} (lake {lake}); Ctrl-C stops it")
    return subprocess.call(streamlit_command(lake, args.port))
