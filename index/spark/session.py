"""Start (or reuse) the SparkSession a build runs in, with a clear error when it cannot.

PySpark is an optional dependency (``pip install songsim[spark]``) and needs a Java 17
runtime; both are checked up front so the user gets one sentence, not a Py4J trace.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from index.build.options import DEFAULTS

# The driver JVM's heap. In local mode the executors live in it too; 1.5 GB keeps the
# whole process tree (JVM + Python workers) under 4 GB at 1M rows with no slowdown
# against 2 GB (spills go to disk). Raise it for much bigger inputs on one machine.
DEFAULT_DRIVER_MEMORY = "1536m"


class SparkUnavailable(RuntimeError):
    """PySpark or Java is missing, so the Spark engine cannot run on this machine."""


def check_spark_available() -> None:
    """Raise :class:`SparkUnavailable` (a sentence naming the fix) when Spark cannot start."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkUnavailable(
            "The Spark engine needs PySpark: install it with `pip install 'songsim[spark]'` "
            "(or `pip install pyspark`), or build with the local engine."
        ) from exc
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and (Path(java_home) / "bin" / "java").exists()) and not shutil.which("java"):
        raise SparkUnavailable(
            "The Spark engine needs a Java 17 runtime and none was found: install one "
            "(e.g. `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME, "
            "or build with the local engine."
        )


def _local_cores(master: str) -> int:
    """Cores of a ``local``, ``local[N]`` or ``local[*]`` master."""
    inside = master[len("local") :].strip("[]").split(",")[0] or "1"
    return (os.cpu_count() or 2) if inside == "*" else int(inside)


def get_session(
    master: str = DEFAULTS.master,
    *,
    shuffle_partitions: int | None = None,
    driver_memory: str = DEFAULT_DRIVER_MEMORY,
    conf: dict[str, str] | None = None,
    progress: bool = False,
):
    """A SparkSession for ``master`` (``local[N]``, ``spark://host:7077``, ``yarn``, ``k8s://...``).

    Executors run this interpreter's Python when local; on a cluster ``PYSPARK_PYTHON``
    must name an interpreter that has songsim installed (see docs/SCALE.md).
    """
    check_spark_available()
    from pyspark.sql import SparkSession

    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if shuffle_partitions is None:
        shuffle_partitions = 2 * _local_cores(master) if master.startswith("local") else 400
    builder = (
        SparkSession.builder.master(master)
        .appName("songsim-index-build")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.showConsoleProgress", "true" if progress else "false")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.python.worker.reuse", "true")
    )
    if master.startswith("local"):
        # One JVM holds the driver, the executors and their cached tables, so a broadcast
        # join's hash table competes with them for one heap: at full scale (12.9M rows,
        # 1536m) the neighbour expansion's was refused ("Not enough memory to build and
        # broadcast"). Shuffle joins spill to disk instead; a cluster keeps broadcasts.
        builder = builder.config("spark.sql.autoBroadcastJoinThreshold", "-1")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def label_stages(spark, text: str | None) -> None:
    """Describe the Spark jobs started from here on as ``text`` (``None``: no description),
    so the UI and ``scripts/bench_spark.py`` say which step of the build a stage was."""
    spark.sparkContext.setJobDescription(text)
