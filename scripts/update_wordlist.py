"""Refresh the bundled word list (bot/wordfilter/profanity_en.txt) from a glin-profanity wheel.

The bot never downloads its list at run time; a maintainer refreshes the copy in the repo:

    pip download --no-deps -d /tmp/wheels glin-profanity
    python scripts/update_wordlist.py /tmp/wheels/glin_profanity-*.whl

It reads ``glin_profanity/data/dictionaries/english.json`` from the wheel, rewrites the list
with a header naming the version, and prints how many entries were added and removed, so the
change can be read before it is committed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.wordfilter import LIST_PATH, read_list  # noqa: E402

MEMBER = "glin_profanity/data/dictionaries/english.json"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("wheel", type=Path, help="a glin_profanity-X.Y.Z-py3-none-any.whl")
    args = p.parse_args()
    version = re.search(r"glin_profanity-([^-]+)-", args.wheel.name)
    with zipfile.ZipFile(args.wheel) as wheel:
        words = [w.strip() for w in json.loads(wheel.read(MEMBER))["words"] if w.strip()]
    old = set(read_list())
    header = [
        f"# English profanity and slur list of glin-profanity "
        f"{version.group(1) if version else '?'} (PyPI: glin-profanity,",
        f"# {MEMBER}), MIT License, see LICENSE-glin-profanity.txt.",
        "# One word or phrase a line; bot.wordfilter folds case, accents and leetspeak when "
        "matching.",
        "# Refresh with: python scripts/update_wordlist.py glin_profanity-X.Y.Z-py3-none-any.whl",
    ]
    LIST_PATH.write_text("\n".join([*header, *words]) + "\n", encoding="utf-8")
    print(f"{len(words)} entries; {len(set(words) - old)} added, {len(old - set(words))} removed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
