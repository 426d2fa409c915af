"""Tests of the helper scripts under scripts/."""
