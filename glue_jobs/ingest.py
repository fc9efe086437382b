"""AWS Glue job 1, ingest: raw CSV → staged events (Parquet by event_date) + quarantine.

Job arguments (all paths `s3://...` on AWS, local paths locally):
  --raw_path         folder (or file) of raw CSV / CSV.gz files
  --staged_path      staged events table
  --quarantine_path  quarantine table
  --report_path      optional: folder for the JSON report of this step
  --full_refresh     optional: "true" rebuilds the staged events from every raw file;
                     otherwise files already ingested (recorded in the staged zone's
                     publication) are skipped and new rows merge into the dates they touch
  --run_id           optional: defaults to the Glue job run id
  --source           optional: clickstream | online-retail (default: the lake's source,
                     else the one the new files' headers carry)

Runs unchanged on Glue (GlueContext, Job, job.commit()) and locally:
  python glue_jobs/ingest.py --raw_path data/raw --staged_path lake/staged/events ...
"""

from __future__ import annotations

import json
import sys

REQUIRED = ("raw_path", "staged_path", "quarantine_path")
OPTIONAL = {"report_path": None, "run_id": None, "full_refresh": "false", "source": None}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the ingest step, write its report, commit the Glue job.

    Rows that do not reconcile save the report, then fail the job (ReconciliationError).
    """
    from ecom.jobs.ingest import IngestArgs
    from ecom.jobs.steps import finish, ingest_step, step_report
    from ecom.runtime.glue import glue_job, is_true, job_arguments

    with glue_job(argv or sys.argv, REQUIRED, OPTIONAL) as (spark, args):
        result, failure = ingest_step(
            spark,
            IngestArgs(
                raw_path=args["raw_path"],
                staged_path=args["staged_path"],
                quarantine_path=args["quarantine_path"],
                run_id=args["run_id"],
                full_refresh=is_true(args["full_refresh"]),
                source=args["source"],
            ),
        )
        report = step_report(
            result.run_id,
            ["ingest"],
            job_arguments(args),
            ingest=result,
            seconds={"ingest": result.seconds, "total": result.seconds},
            failure=failure,
        )
        print(json.dumps(report, indent=2, default=str))
        finish(spark, args["report_path"], report, failure)
    return 0


if __name__ == "__main__":
    from ecom.runtime.glue import exit_code_of

    sys.exit(exit_code_of(main, "ingest"))
