"""AWS Glue job 2, model: staged events → curated star schema (Parquet).

Job arguments (all paths `s3://...` on AWS, local paths locally):
  --staged_path   staged events table (written by the ingest job)
  --curated_path  folder of the curated tables, one sub-folder per table
  --report_path   optional: folder for the JSON report of this step
  --run_id        optional: defaults to the Glue job run id
  --database      optional: Glue database to register the published curated tables,
                  their partitions and dq_results in (also after a failed data-quality
                  gate, so the failing run's dq_results are queryable in Athena); without
                  it a local lake's curated zone (`<lake>/curated`) is registered in the
                  local catalog, as `ecom run` does (`ecom.catalog.catalog_for`)
  --full_refresh  optional: "true" rebuilds every curated table from all staged events
  --date_from, --date_to  optional: backfill, rebuild these event dates (YYYY-MM-DD)
  --fiscal_year_start_month  optional: 1-12, the month dim_time's fiscal year starts (1)
  --segment_min_customers    optional: customers needed to segment them (100)
  --horizon_days             optional: churn / CLV horizon in days (90)
  --risk_medium, --risk_high optional: churn probabilities of medium / high risk (0.4, 0.7)
  --model_seed               optional: seed of every model (42)

Runs unchanged on Glue (GlueContext, Job, job.commit()) and locally.
"""

from __future__ import annotations

import json
import sys

REQUIRED = ("staged_path", "curated_path")
OPTIONAL = {
    "report_path": None,
    "run_id": None,
    "database": None,
    "full_refresh": "false",
    "date_from": None,
    "date_to": None,
    "fiscal_year_start_month": "1",
    "segment_min_customers": "100",
    "horizon_days": "90",
    "risk_medium": "0.4",
    "risk_high": "0.7",
    "model_seed": "42",
}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the model step, register the catalog, write the report, commit.

    A failed data-quality gate registers the published dq_results and saves the report,
    then fails the job (DataQualityError).
    """
    from ecom.catalog import catalog_for
    from ecom.jobs.curated import ModelArgs
    from ecom.jobs.steps import finish, model_step, step_report
    from ecom.runtime.glue import glue_job, is_true, job_arguments

    with glue_job(argv or sys.argv, REQUIRED, OPTIONAL) as (spark, args):
        model_args = ModelArgs(
            args["staged_path"],
            args["curated_path"],
            args["run_id"],
            full_refresh=is_true(args["full_refresh"]),
            date_from=args["date_from"],
            date_to=args["date_to"],
            fiscal_year_start_month=int(args["fiscal_year_start_month"]),
            segment_min_customers=int(args["segment_min_customers"]),
            horizon_days=int(args["horizon_days"]),
            risk_medium=float(args["risk_medium"]),
            risk_high=float(args["risk_high"]),
            model_seed=int(args["model_seed"]),
        )
        catalog = catalog_for(args["curated_path"], args["database"])
        result, failure, registered = model_step(spark, model_args, catalog)
        print(json.dumps(registered, indent=2, default=str))
        report = step_report(
            result.run_id,
            ["model"],
            job_arguments(args),
            model=result,
            seconds={"model": result.seconds, "total": result.seconds},
            failure=failure,
        )
        print(json.dumps(report, indent=2, default=str))
        finish(spark, args["report_path"], report, failure)
    return 0


if __name__ == "__main__":
    from ecom.runtime.glue import exit_code_of

    sys.exit(exit_code_of(main, "model"))
