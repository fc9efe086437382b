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
    """Parse arguments, run the ingest job, write its report, commit the Glue job."""
    from ecom.jobs.ingest import IngestArgs, run_ingest
    from ecom.runtime.glue import glue_job, is_true
    from ecom.storage import hadoopfs
    from ecom.storage.lake import join_path

    with glue_job(argv or sys.argv, REQUIRED, OPTIONAL) as (spark, args):
        result = run_ingest(
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
        report = json.dumps({"step": "ingest", **result.to_dict()}, indent=2, default=str)
        if args["report_path"]:
            path = join_path(args["report_path"], f"{result.run_id}-ingest.json")
            hadoopfs.write_text(spark, path, report + "\n")
        print(report)
        if not result.reconciles:
            raise RuntimeError(f"ingest {result.run_id}: row counts do not reconcile")
    return 0


if __name__ == "__main__":
    from ecom.runtime.glue import exit_code_of

    sys.exit(exit_code_of(main, "ingest"))
