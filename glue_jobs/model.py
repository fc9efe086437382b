"""AWS Glue job 2, model: staged events → curated star schema (Parquet).

Job arguments (all paths `s3://...` on AWS, local paths locally):
  --staged_path   staged events table (written by the ingest job)
  --curated_path  folder of the curated tables, one sub-folder per table
  --report_path   optional: folder for the JSON report of this step
  --run_id        optional: defaults to the Glue job run id
  --database      optional: Glue database to register the curated tables and partitions in

Runs unchanged on Glue (GlueContext, Job, job.commit()) and locally.
"""

from __future__ import annotations

import json
import sys

REQUIRED = ("staged_path", "curated_path")
OPTIONAL = {"report_path": None, "run_id": None, "database": None}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the model job, write its report, commit the Glue job."""
    from ecom import hadoopfs
    from ecom.glue import glue_job
    from ecom.jobs.model import ModelArgs, run_model
    from ecom.lake import join_path

    with glue_job(argv or sys.argv, REQUIRED, OPTIONAL) as (spark, args):
        result = run_model(
            spark, ModelArgs(args["staged_path"], args["curated_path"], args["run_id"])
        )
        report = json.dumps({"step": "model", **result.to_dict()}, indent=2, default=str)
        if args["report_path"]:
            path = join_path(args["report_path"], f"{result.run_id}-model.json")
            hadoopfs.write_text(spark, path, report + "\n")
        print(report)
        if args["database"]:
            import boto3

            from ecom.catalog import register_glue, spark_table_schemas

            tables = spark_table_schemas(spark, args["curated_path"])
            catalog = register_glue(
                boto3.client("glue"), args["database"], args["curated_path"], tables
            )
            print(json.dumps(catalog, indent=2, default=str))
    return 0


if __name__ == "__main__":
    from ecom.glue import exit_code_of

    sys.exit(exit_code_of(main, "model"))
