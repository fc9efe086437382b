package com.amazonaws.services.glue.log;

/** Stand-in for AWS Glue's GlueLogger (awsglue's GlueContext creates one). */
public class GlueLogger {
    public void info(String message) {}

    public void warn(String message) {}

    public void error(String message) {}
}
