package com.amazonaws.services.glue.util;

import java.io.FileWriter;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stand-in for AWS Glue's JVM Job: records init and commit, one line each, in the file named
 * by the ECOM_GLUE_STANDIN_LOG environment variable.
 */
public class Job {
    private static boolean initialized = false;

    public static synchronized void record(String line) {
        String path = System.getenv("ECOM_GLUE_STANDIN_LOG");
        if (path == null) {
            return;
        }
        try (FileWriter out = new FileWriter(path, true)) {
            out.write(line + "\n");
        } catch (IOException error) {
            throw new RuntimeException(error);
        }
    }

    public static void init(String name, Object sparkSession, Map<String, String> args) {
        initialized = true;
        record("init " + name + " " + new TreeMap<>(args));
    }

    public static boolean isInitialized() {
        return initialized;
    }

    public static void commit() {
        record("commit");
    }
}
