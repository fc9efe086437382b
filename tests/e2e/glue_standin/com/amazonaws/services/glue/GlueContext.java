package com.amazonaws.services.glue;

import org.apache.spark.SparkContext;

/** Stand-in for AWS Glue's JVM GlueContext: awsglue's Python GlueContext only constructs it. */
public class GlueContext {
    private final SparkContext sparkContext;

    public GlueContext(SparkContext sparkContext) {
        this.sparkContext = sparkContext;
        com.amazonaws.services.glue.util.Job.record("context " + sparkContext.appName());
    }

    public GlueContext(SparkContext sparkContext, int minPartitions, int targetPartitions) {
        this(sparkContext);
    }
}
