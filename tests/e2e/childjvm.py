"""The environment of a test's child process that starts its own Spark JVM (the kill tests'
`ecom run`, the Glue entry scripts): the same run, for less CPU.

Such a JVM lives for one short run, and its JIT's optimising tier (C2) compiles for longer
than the run gains from it: most of a cold run's CPU time, on a 2-core machine the other
core's. C1 alone runs the same code. The child's session takes the tests' Spark settings
(tests/conftest.py's TEST_CONF, through $ECOM_SPARK_CONF), as the test process's does.
"""

from __future__ import annotations

import os

from ecom.runtime.spark import EXTRA_CONF_ENV
from tests.conftest import TEST_CONF

CHILD_JVM = {
    "JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1",
    EXTRA_CONF_ENV: " ".join(f"{key}={value}" for key, value in TEST_CONF.items()),
}


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment, `extra` and CHILD_JVM (a JVM prints that it picked it up
    on stderr: 'Picked up JAVA_TOOL_OPTIONS: ...')."""
    return {**os.environ, **extra, **CHILD_JVM}
