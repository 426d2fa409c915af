"""The identity key of names: spellings a person would call the same must collide."""

from __future__ import annotations

import unicodedata

import pytest

from index.names import fold_chars, normalise_name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Daft Punk", "DAFT PUNK"),
        ("Daft Punk", "  Daft \t Punk \n"),
        ("Daft Punk", "Ｄａｆｔ　Ｐｕｎｋ"),  # full-width letters and ideographic space (NFKC)
        ("Beyoncé", "Beyonce\u0301"),  # precomposed vs combining accent
        ("Straße", "STRASSE"),  # case folding, not just lower()
        ("ﬁre", "FIRE"),  # ligature (NFKC)
        ("Sigur Rós", "sigur\u00a0rós"),  # no-break space is whitespace
    ],
)
def test_spellings_of_one_name_share_a_key(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Beyoncé", "Beyonce"),  # accents are meaningful: not stripped
        ("AC/DC", "ACDC"),
        ("P!nk", "Pink"),
    ],
)
def test_different_names_stay_different(a: str, b: str) -> None:
    assert normalise_name(a) != normalise_name(b)


def test_key_is_stripped_and_single_spaced() -> None:
    assert normalise_name("  The   Rolling\tStones  ") == "the rolling stones"
    assert normalise_name(" \t\n ") == ""


def test_ascii_shortcut_agrees_with_the_full_rule() -> None:
    def full_rule(s: str) -> str:
        folded = unicodedata.normalize("NFKC", s).casefold()
        return " ".join(unicodedata.normalize("NFKC", folded).split())

    samples = ['Rhythm Is A Dancer - Original 12"', "  AC\\DC ", "MiXeD\tCaSe\x0bvt", "x\x1cy"]
    samples += [chr(c) * 2 + " A" for c in range(128)]
    for s in samples:
        assert normalise_name(s) == full_rule(s), repr(s)


def test_key_is_idempotent_across_unicode() -> None:
    # Folding can produce non-NFKC text (and NFKC can produce foldable text): the key must
    # be a fixed point, or a name read back from the index would not find itself.
    bad = []
    for c in range(0x20, 0x30000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        s = f"a{chr(c)}b {chr(c)}"
        once = normalise_name(s)
        if normalise_name(once) != once:
            bad.append(hex(c))
    assert bad == []


def test_folding_names_joined_equals_folding_each() -> None:
    """The build folds millions of names as one long string (another code path than one
    name's): each name's words must come out as when it is folded alone."""
    names = [
        "Don't Stop Me Now",
        "Sigur Rós – Ný Batterí",
        "Røyksopp & Robyn",
        "Straße der Sehnsucht",
        "Œuvre d’Æther",
        "ʼTil Þe End",
        "Łódź Kaliska `live`",
        "ıstanbul",
    ]
    joined = "\x1e".join(names * 400)  # long enough for the long-text path
    assert len(joined) > 4096
    expected = "\x1e".join(fold_chars(name) for name in names * 400)
    assert fold_chars(joined) == expected
    assert fold_chars("Røyksopp & Robyn") == "royksopp  and  robyn"
    assert fold_chars("Don’t") == "dont"
