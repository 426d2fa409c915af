"""The build benchmark reads the stage times back from the summary the build prints."""

from __future__ import annotations

from pathlib import Path

from index.build.summary import stage_lines
from tests.support.scripts import load_script

bench = load_script("bench_build")


def test_stage_times_survive_the_printed_summary(tmp_path: Path) -> None:
    stages = {
        "ingest": 12.04,
        "  first half (second half read beside it)": 9.5,
        "neighbours": 30.1,
        "  plan": 0.2,
        "  exact scan": 25.0,
        "write": 8.0,
        "  other corpus tables (alongside neighbours)": 6.1,
    }
    printed = "\n".join(["Built x.sqlite in 50.2 s.", *stage_lines(stages), "  a hint after"])
    assert bench.parse_stages(printed) == {k: round(v, 1) for k, v in stages.items()}
