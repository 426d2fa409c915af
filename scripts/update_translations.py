"""Refresh songsim's message catalogues after texts changed in the code.

    python scripts/update_translations.py          # bot/locale/songsim.pot and every .po
    python scripts/update_translations.py --add es # start a new language

It writes the template (:func:`bot.i18n.extract.template`: the marked texts and the slash
command and option names) and merges it into ``bot/locale/<lang>/LC_MESSAGES/songsim.po``
(Babel's ``update``, what ``pybabel update`` does): new texts arrive untranslated, changed
ones as fuzzy (both shown in English until translated), removed ones are dropped. Then
translate the empty and fuzzy entries (any PO editor, e.g. Poedit); ``pytest
tests/bot/test_i18n.py`` says what is missing. The bot reads the ``.po`` files directly,
so there is nothing to compile.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from bot.i18n import DOMAIN, LOCALE_DIR, po_path  # noqa: E402
from bot.i18n.extract import template  # noqa: E402


def _strings(message: object) -> tuple[str, ...]:
    string = message.string  # type: ignore[attr-defined]
    return tuple(string) if isinstance(string, tuple | list) else (string,)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--add", metavar="LANG", help="start a catalogue for LANG (e.g. es)")
    args = parser.parse_args()
    pot = template()
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as f:
        write_po(f, pot, width=100, omit_header=False)
    languages = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    if args.add and args.add not in languages:
        po_path(args.add).parent.mkdir(parents=True, exist_ok=True)
        new = Catalog(locale=args.add, domain=DOMAIN, project="songsim", fuzzy=False)
        with po_path(args.add).open("wb") as f:
            write_po(f, new, width=100)
        languages.append(args.add)
    for language in languages:
        with po_path(language).open("rb") as f:
            po = read_po(f, locale=language, domain=DOMAIN)
        po.update(pot, update_header_comment=False)
        with po_path(language).open("wb") as f:
            write_po(f, po, width=100, ignore_obsolete=True, include_previous=False)
        missing = sum(1 for m in po if m.id and (m.fuzzy or not all(_strings(m))))
        print(f"{language}: {len(po) - 1} messages, {missing} to translate")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
