"""The discovery setting as users write it: ``--popular`` after a song, or a slash option.

The rankings themselves live in :mod:`index.read.ranking` (``closest`` is the default, measured
in ``docs/QUALITY.md``); this module only reads a user's words for them, so prefix
commands, slash commands and the console accept the same spellings.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_, _
from index.read.ranking import DEFAULT_RANKING, DISCOVERY

# What each setting does, in a user's words (the slash option's choices and /help).
# Shown translated (bot.i18n): explained(), ranking_name(), choice_name().
EXPLAINED: dict[str, str] = {
    "closest": N_("songs most like it, the default"),
    "popular": N_("better-known songs, more familiar"),
    "deep cuts": N_("less-known songs with the same taste"),
}
NAMES: dict[str, str] = {
    "closest": N_("closest"),
    "popular": N_("popular"),
    "deep cuts": N_("deep cuts"),
}
# The slash option's choices: Discord shows them translated through the command tree's
# translator, which finds these texts in the catalogue.
CHOICE_NAMES: dict[str, str] = {
    "closest": N_("closest — songs most like it, the default"),
    "popular": N_("popular — better-known songs, more familiar"),
    "deep cuts": N_("deep cuts — less-known songs with the same taste"),
}

FLAGS: dict[str, str] = {"--" + r.replace(" ", "-"): r for r in DISCOVERY}  # --deep-cuts
_SPELLINGS: dict[str, str] = {
    **{r: r for r in DISCOVERY},
    **{r.replace(" ", "-"): r for r in DISCOVERY},
    **{r.replace(" ", ""): r for r in DISCOVERY},
    **{r.replace(" ", "_"): r for r in DISCOVERY},
    "default": DEFAULT_RANKING,
    "familiar": "popular",
    "deep": "deep cuts",
}
FLAG_HINT = " | ".join(FLAGS)  # "--closest | --popular | --deep-cuts"
# Phones turn "--" into a dash ("—popular"); read those as flags too.
_DASHES = ("--", "\u2014", "\u2013")


class UnknownDiscovery(ValueError):
    """A ``--flag`` or setting that is not one of the discovery settings."""

    def __init__(self, given: str) -> None:
        self.given = given
        super().__init__(
            _(
                "“{given}” is not a discovery setting: use `--closest` (the default), "
                "`--popular` (better-known songs) or `--deep-cuts` (less-known ones).",
                given=given,
            )
        )


@dataclass(frozen=True)
class Discovery:
    """A command's text without its discovery flag, and the setting it asked for (if any)."""

    text: str
    ranking: str | None


def explained(ranking: str) -> str:
    """What a discovery setting does, in the language being written."""
    return _(EXPLAINED[ranking])


def ranking_name(ranking: str) -> str:
    """A discovery setting's name as a reply shows it, in the language being written."""
    return _(NAMES[ranking]) if ranking in NAMES else ranking


def ranking_named(word: str) -> str:
    """The ranking a user means by ``word`` ("--deep-cuts", "deep cuts", "Popular")."""
    key = " ".join(word.strip().casefold().split())
    for dash in _DASHES:
        key = key.removeprefix(dash)
    if key.strip() in _SPELLINGS:
        return _SPELLINGS[key.strip()]
    raise UnknownDiscovery(word.strip())


def split_discovery(text: str) -> Discovery:
    """Take ``--popular`` / ``--deep-cuts`` / ``--closest`` off a command's text.

    Flags at the end count, so a title with dashes in it is never read as one, and a
    ``--setting`` put first; when several are given, the last wins. An unknown ``--word``
    at the end raises :class:`UnknownDiscovery` rather than being searched for as part of
    the song.
    """
    words = text.split()
    ranking: str | None = None
    lead: str | None = None
    while words and words[0].startswith("--"):  # "--popular get lucky": a setting's name only
        try:
            lead = ranking_named(words[0])
        except UnknownDiscovery:
            break
        del words[0]
    while words:
        last = words[-1]
        if len(words) >= 2 and _bare(words[-2]) == "deep" and last.casefold() == "cuts":
            found, used = "deep cuts", 2  # "--deep cuts", as people will type it
        elif _bare(last) is None:
            break
        elif last.startswith("--"):
            found, used = ranking_named(last), 1
        else:
            # A typographic dash ("—popular", from a phone) counts only when it names a
            # setting: "Song —Live" stays a title.
            try:
                found, used = ranking_named(last), 1
            except UnknownDiscovery:
                break
        del words[-used:]
        ranking = ranking or found  # read right to left: the last flag wins
    ranking = ranking or lead
    if ranking is None:
        return Discovery(text, None)
    return Discovery(" ".join(words), ranking)


def choose(option: str | None, text_flag: str | None, default: str = DEFAULT_RANKING) -> str:
    """The setting to use: the slash option if given, else the text's flag, else the default
    (closest, or the server's choice)."""
    if option:
        return ranking_named(option)
    return text_flag or default


def _bare(word: str) -> str | None:
    """``word`` without its leading flag dashes, casefolded; None when it is no flag."""
    for dash in _DASHES:
        if word.startswith(dash) and len(word) > len(dash):
            return word[len(dash) :].casefold()
    return None
