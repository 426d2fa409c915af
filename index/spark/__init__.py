"""The Spark build engine: the same index as ``index.build``, for catalogues past one machine.

Needs the optional ``spark`` extra (PySpark) and Java 17. Entry point:
:func:`index.spark.engine.spark_build`; see docs/SCALE.md.
"""
