"""Tests of the data helpers in scripts/ (generators of synthetic benchmark data)."""
