"""The custom ids of songsim's buttons and menus: all a press needs, in at most 100 characters.

Discord keeps a component's ``custom_id`` with the message and sends it back with every
press, so a press can be answered by a process that never saw the message (one started
after a deploy or a crash): the id holds who may press it, what the list is and which
page to show. Version 1 of the layout (numbers in base 36; a later layout gets a new
prefix and this one keeps being read)::

    ss1:<act>:<owner>:<list>     under a list: More (m), Back (b), Why? (w), Export (e);
                                 the private "Why?" menu (y)
    ss1:c:<owner>:<purpose><ranking><flags>
                                 a "did you mean" menu, each option's value one song
    ss1:x:<owner>:<d|c>          /privacy delete's Delete my data (d) and Cancel (c)
    <list>  = <mode><ranking><flags>:<offset>:<number>:<seeds>
    <seeds> = <id>.<check>,…     the list's seed songs (bot.replies.refs)
            | @<key>             seeds too many to fit, and a file's note: in the database
            | (empty)            /foryou, whose seeds are the user's likes at each press
    <song>  = <id>.<check>       a menu option's value

``mode`` is s(imilar), m(ix), f(oryou) or p(laylist file); ``ranking`` c(losest), p(opular)
or d(eep cuts); ``flags`` a digit, 1 for other artists only plus 2 for liked songs
included; ``purpose`` s(imilar), l(ike) or a(rtist). A Back button's number is the page
after it (``~``-marked): the page numbers itself once read (:meth:`PageSpec.numbered`).
No Discord import: the codec is tested on its own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from bot.replies.refs import SongRef, base36
from bot.replies.reply import Mode, PageSpec, Purpose

MAX_LEN = 100  # Discord's limit on a custom_id
VERSION = "ss1"
KEY_LEN = 10  # base-36 characters of a saved list's key

MODES: dict[Mode, str] = {"similar": "s", "mix": "m", "foryou": "f", "playlist": "p"}
RANKINGS = {"closest": "c", "popular": "p", "deep cuts": "d"}  # every discovery setting
PURPOSES: dict[Purpose, str] = {"similar": "s", "like": "l", "artist": "a"}

_N = "[0-9a-z]{1,13}"  # a base-36 number (a Discord id needs up to 13)
_LIST = rf"(?P<mode>[a-z])(?P<ranking>[a-z])(?P<flags>[0-3]):(?P<offset>{_N}):(?P<number>~?{_N}):(?P<seeds>[0-9a-z.,@]*)"
LIST_BUTTON = rf"{VERSION}:(?P<act>[mbwe]):(?P<owner>{_N}):{_LIST}"
WHY_MENU = rf"{VERSION}:y:(?P<owner>{_N}):{_LIST}"
CHOICE_MENU = rf"{VERSION}:c:(?P<owner>{_N}):(?P<purpose>[a-z])(?P<ranking>[a-z])(?P<flags>[0-3])"
CONFIRM_DELETE = rf"{VERSION}:x:(?P<owner>{_N}):(?P<act>[dc])"
_SONG = re.compile(rf"({_N})\.([0-9a-z]{{4}})")
_WORST_PAGE = f"{'z' * 4}:~{'z' * 4}"  # offset and number of a page no list reaches


class BadCustomId(ValueError):
    """A custom id this version cannot read (a field out of range)."""


@dataclass(frozen=True)
class Options:
    """What a "did you mean" pick is answered with."""

    purpose: Purpose
    ranking: str
    other_artists: bool
    include_liked: bool


def _flags(other_artists: bool, include_liked: bool) -> str:
    return str(int(other_artists) + 2 * int(include_liked))


def _name(table: dict[str, str], letter: str) -> str:
    for name, code in table.items():
        if code == letter:
            return name
    raise BadCustomId(f"unknown code {letter!r}")


def songs_text(refs: list[SongRef] | tuple[SongRef, ...]) -> str:
    """``id.check,id.check…``: songs as a custom id (or a saved list) writes them."""
    return ",".join(song_value(r) for r in refs)


def song_value(ref: SongRef) -> str:
    """One song as a menu option's value."""
    return f"{base36(ref.track_id)}.{ref.check}"


def read_song(value: str) -> SongRef:
    m = _SONG.fullmatch(value)
    if m is None:
        raise BadCustomId(f"not a song: {value!r}")
    return SongRef(int(m[1], 36), m[2])


def read_songs(text: str) -> list[SongRef]:
    return [read_song(part) for part in text.split(",")] if text else []


def seeds_of(spec: PageSpec) -> str:
    """The list's seeds written inline (none for ``/foryou``, whose seeds are the likes)."""
    if spec.mode == "foryou":
        return ""
    return songs_text([SongRef(i, c) for i, c in zip(spec.seeds, spec.checks, strict=True)])


def fits_inline(spec: PageSpec, owner_id: int) -> bool:
    """True when the list's seeds fit in its buttons' ids on every page; a list with a
    note (a file's mix) never does: the note is kept with it in the database."""
    if spec.note:
        return False
    head = f"{VERSION}:m:{base36(owner_id)}:sc0:{_WORST_PAGE}:"
    return len(head) + len(seeds_of(spec)) <= MAX_LEN


def list_key(owner_id: int, seeds: str, note: str) -> str:
    """The key a list too long for a custom id is saved under (the same list, the same key)."""
    digest = hashlib.blake2b(f"{owner_id}\0{seeds}\0{note}".encode(), digest_size=8).digest()
    return base36(int.from_bytes(digest, "big")).rjust(KEY_LEN, "0")[-KEY_LEN:]


def list_id(act: str, owner_id: int, spec: PageSpec, seeds: str) -> str:
    """The custom id of a button under the list ``spec`` (or of its "Why?" menu, act y);
    ``seeds`` is :func:`seeds_of` the list, or ``@key`` when it is saved."""
    number = f"~{base36(spec.next_number)}" if spec.next_number is not None else base36(spec.number)
    text = (
        f"{VERSION}:{act}:{base36(owner_id)}:"
        f"{MODES[spec.mode]}{RANKINGS[spec.ranking]}"
        f"{_flags(spec.other_artists, spec.include_liked)}:"
        f"{base36(spec.offset)}:{number}:{seeds}"
    )
    if len(text) > MAX_LEN:
        raise BadCustomId(f"{len(text)} characters is over Discord's {MAX_LEN}")
    return text


def read_list(match: re.Match[str]) -> tuple[int, PageSpec, str | None]:
    """``(owner id, the page, the saved list's key or None)`` from a list id's match; a
    saved list's spec has no seeds until they are read from the database."""
    seeds_text, key = match["seeds"], None
    refs: list[SongRef] = []
    if seeds_text.startswith("@"):
        key = seeds_text[1:]
    else:
        refs = read_songs(seeds_text)
    number = match["number"]
    flags = int(match["flags"])
    spec = PageSpec(
        _name(MODES, match["mode"]),  # type: ignore[arg-type]
        tuple(r.track_id for r in refs),
        offset=int(match["offset"], 36),
        number=1 if number.startswith("~") else int(number, 36),
        next_number=int(number[1:], 36) if number.startswith("~") else None,
        ranking=_name(RANKINGS, match["ranking"]),
        other_artists=bool(flags & 1),
        include_liked=bool(flags & 2),
        checks=tuple(r.check for r in refs),
    )
    return int(match["owner"], 36), spec, key


def with_saved(spec: PageSpec, seeds: str, note: str) -> PageSpec:
    """A saved list's page with its seeds and note read back from the database."""
    refs = read_songs(seeds)
    return replace(
        spec,
        seeds=tuple(r.track_id for r in refs),
        checks=tuple(r.check for r in refs),
        note=note,
    )


def choice_id(owner_id: int, options: Options) -> str:
    return (
        f"{VERSION}:c:{base36(owner_id)}:{PURPOSES[options.purpose]}"
        f"{RANKINGS[options.ranking]}"
        f"{_flags(options.other_artists, options.include_liked)}"
    )


def read_choice(match: re.Match[str]) -> tuple[int, Options]:
    flags = int(match["flags"])
    options = Options(
        _name(PURPOSES, match["purpose"]),  # type: ignore[arg-type]
        _name(RANKINGS, match["ranking"]),
        bool(flags & 1),
        bool(flags & 2),
    )
    return int(match["owner"], 36), options


def confirm_id(owner_id: int, act: str) -> str:
    """``/privacy delete``'s Delete my data (``d``) or Cancel (``c``) button for ``owner_id``."""
    return f"{VERSION}:x:{base36(owner_id)}:{act}"
