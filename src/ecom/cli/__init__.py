"""The `ecom` command: generate data, run the pipeline on local Spark, and more."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from ecom.cli.aws import register as register_aws_commands
from ecom.cli.dashboard import register as register_dashboard_commands
from ecom.cli.query import register as register_query_commands
from ecom.errors import EcomError

DEFAULT_LAKE = Path("data") / "lake"
# The raw sources `--source` accepts (ecom.sources.SOURCES; not imported: it needs pyspark).
SOURCE_NAMES = ("clickstream", "online-retail")


def default_lake() -> str:
    """The lake of `ecom` commands: $ECOM_LAKE, else the one `make demo` writes."""
    return os.environ.get("ECOM_LAKE", str(DEFAULT_LAKE))


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text!r}")
    return value


# The model job's settings beyond paths and dates: CLI flag → ModelArgs field and type.
MODEL_OPTIONS: dict[str, tuple[str, object, str]] = {
    "--fiscal-year-start-month": (
        "fiscal_year_start_month",
        _positive_int,
        "month the fiscal year starts in, 1-12 (default 1: January; 4: the UK's April)",
    ),
    "--horizon-days": (
        "horizon_days",
        _positive_int,
        "churn / CLV horizon in days (default 90)",
    ),
    "--risk-medium": ("risk_medium", _probability, "churn probability of medium risk (0.4)"),
    "--risk-high": ("risk_high", _probability, "churn probability of high risk (0.7)"),
    "--segment-min-customers": (
        "segment_min_customers",
        _positive_int,
        "customers needed to segment them (default 100)",
    ),
    "--model-seed": ("model_seed", int, "seed of every model (default 42)"),
}


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """The model settings as flags; unset ones keep ModelArgs' defaults."""
    for flag, (dest, kind, text) in MODEL_OPTIONS.items():
        parser.add_argument(flag, dest=dest, type=kind, default=None, help=text)


def model_options(args: argparse.Namespace) -> dict[str, object]:
    """The model settings given on the command line (ModelArgs field → value)."""
    fields = (dest for dest, _, _ in MODEL_OPTIONS.values())
    return {name: getattr(args, name) for name in fields if getattr(args, name) is not None}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="ecom", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write synthetic raw clickstream CSV")
    generate.add_argument("--out", required=True, help="folder to write the CSV files into")
    generate.add_argument("--rows", type=_positive_int, default=1_000_000, help="data rows")
    generate.add_argument("--seed", type=int, default=42, help="random seed (deterministic)")
    generate.add_argument("--start", type=_iso_date, default=date(2019, 10, 1))
    generate.add_argument("--months", type=_positive_int, default=3)
    generate.add_argument("--single-file", action="store_true", help="one file, not one per day")
    generate.add_argument("--gzip", action="store_true", help="write .csv.gz")
    generate.add_argument(
        "--users", type=_positive_int, default=None, help="distinct users (default rows / 10)"
    )

    run = commands.add_parser("run", help="run ingest and model on local Spark")
    run.add_argument("--raw", required=True, help="raw CSV folder or file")
    run.add_argument("--lake", default=None, help="lake folder (default: $ECOM_LAKE or data/lake)")
    run.add_argument("--run-id", default=None, help="run id (default: time + random suffix)")
    run.add_argument("--quiet", action="store_true", help="no progress lines")
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="forget which raw files were ingested and rebuild staged and curated from all",
    )
    run.add_argument(
        "--from",
        dest="date_from",
        type=_iso_date,
        default=None,
        help="backfill: also rebuild the curated tables for event dates from this one",
    )
    run.add_argument(
        "--to",
        dest="date_to",
        type=_iso_date,
        default=None,
        help="backfill: ... up to this event date (inclusive)",
    )
    run.add_argument(
        "--source",
        choices=sorted(SOURCE_NAMES),
        default=None,
        help="the raw source (default: the lake's, else told by the files' headers)",
    )
    run.add_argument(
        "--glue-database",
        default=None,
        help="register the published tables in this Glue database (default: the local "
        "catalog of a local lake, none for an s3:// lake)",
    )
    run.add_argument("--driver-memory", default="3g", help="local Spark driver memory")
    add_model_options(run)

    commands.add_parser(
        "class-archive",
        help="build the archive of Spark's classes that makes local runs start faster",
    )

    register_aws_commands(commands)
    register_query_commands(commands)
    register_dashboard_commands(commands)
    return parser


def cmd_generate(args: argparse.Namespace) -> int:
    """`ecom generate`: write synthetic raw CSV."""
    from ecom.devdata.generate import generate

    result = generate(
        args.out,
        args.rows,
        seed=args.seed,
        start=args.start,
        months=args.months,
        per_day=not args.single_file,
        gzip=args.gzip,
        users=args.users,
    )
    print(
        f"wrote {result.rows:,} rows ({result.duplicates:,} exact duplicates) in "
        f"{len(result.files)} file(s), {result.first_date} to {result.last_date}, to {args.out}"
    )
    return 0


def root_cause(error: Exception) -> str:
    """The innermost cause of a Spark/JVM error as one line (e.g. a truncated gzip's EOF)."""
    java_error = getattr(error, "java_exception", None)
    if java_error is not None:
        cause = java_error
        while cause.getCause() is not None and cause.getCause() != cause:
            cause = cause.getCause()
        return f"{cause.getClass().getName()}: {cause.getMessage()}".splitlines()[0]
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def cmd_run(args: argparse.Namespace) -> int:
    """`ecom run`: both jobs on local Spark, then the summary."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    from ecom.jobs.pipeline import check_local_arguments, run_pipeline
    from ecom.jobs.report import format_summary
    from ecom.quality.results import DataQualityError
    from ecom.runtime.spark import local_session
    from ecom.storage.lake import resolve_root

    lake = args.lake or default_lake()
    check_local_arguments(args.raw, lake)  # before the JVM starts: fast one-line errors
    spark = local_session("ecom-run", driver_memory=args.driver_memory)
    spark.sparkContext.setLogLevel("FATAL")  # a failure is reported below, on one line
    try:
        report = run_pipeline(
            spark,
            args.raw,
            resolve_root(lake),
            run_id=args.run_id,
            show_progress=not args.quiet,
            full_refresh=args.full_refresh,
            date_from=args.date_from.isoformat() if args.date_from else None,
            date_to=args.date_to.isoformat() if args.date_to else None,
            source=args.source,
            model_options=model_options(args),
            database=args.glue_database,
        )
    except DataQualityError as error:  # the report is saved; the summary says what failed
        print(format_summary(error.report))
        print(f"  report         {error.report['report_path']}")
        raise
    except (Py4JJavaError, PySparkException) as error:
        raise EcomError(f"Spark failed: {root_cause(error)}") from None
    print(format_summary(report))
    print(f"  report         {report['report_path']}")
    return 0


def cmd_class_archive(args: argparse.Namespace) -> int:
    """`ecom class-archive`: build the class-data-sharing archive of the local Spark JVM."""
    from ecom.cli.archive import build

    build()
    return 0


COMMANDS = {"generate": cmd_generate, "run": cmd_run, "class-archive": cmd_class_archive}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ecom` console script; EcomError → one line on stderr, exit 2."""
    args = build_parser().parse_args(argv)
    try:
        handler = COMMANDS.get(args.command) or args.handler
        return handler(args)
    except EcomError as error:
        print(f"ecom {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"ecom {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
