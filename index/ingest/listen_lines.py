"""One ListenBrainz listen per line, decoded fast and checked by the format's rules.

:class:`ListenReader` turns lines into listens for a :class:`~index.ingest.rows.CorpusBuilder`
(rules: :mod:`index.ingest.listenbrainz`). Lines are decoded in blocks by msgspec into
typed structs (only the fields a build uses are materialised; the rest of each line is
skipped, not built into dicts). A block holding a bad line is decoded around it, and only
the bad lines go through the slow, dictionary-based checks, which apply the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, BinaryIO

import msgspec

from index.corpus import DatasetError
from index.ingest.rows import CorpusBuilder
from index.ingest.values import SPOTIFY_TRACK_PREFIX, SPOTIFY_TRACK_RE

BLOCK_BYTES = 1 << 20  # small: a bad line sends only its block the slow way
MAX_LINE_BYTES = 1 << 24
BOM = b"\xef\xbb\xbf"
MBID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_INDEX_RE = re.compile(r"\$\[(\d+)\]")
_BYTE_RE = re.compile(r"\(byte (\d+)\)")


class _Mapping(msgspec.Struct):
    recording_mbid: Any = None


class _Info(msgspec.Struct):
    recording_mbid: Any = None
    spotify_id: Any = None
    isrc: Any = None


class _Meta(msgspec.Struct):
    artist_name: str
    track_name: str
    additional_info: _Info | None = None
    mbid_mapping: _Mapping | None = None


class _Listen(msgspec.Struct):
    track_metadata: _Meta
    listened_at: int | float | None = None
    timestamp: int | float | None = None
    user_id: Any = None
    user_name: Any = None


class _Payload(msgspec.Struct):
    payload: list[msgspec.Raw]


_DECODER = msgspec.json.Decoder(_Listen)


class ListenReader:
    """Turns blocks of lines into listens for one builder (module doc for the rules)."""

    def __init__(self, builder: CorpusBuilder, default_user: str) -> None:
        self.b = builder
        self.default_user = default_user
        self._texts: dict[str, str] = {}  # one object per distinct artist name and MBID
        builder.row_word = "line"

    # -- files

    def read_lines(self, stream: BinaryIO, name: str, done: Callable[[], int]) -> None:
        """Every line of one listens file, in blocks (no copy of a block but its last line)."""
        self.b.label = name
        line_no = 1
        carry = stream.read(len(BOM)).removeprefix(BOM)  # a file saved with a UTF-8 BOM
        while True:
            block = stream.read(BLOCK_BYTES)
            if not block:
                if carry.strip():
                    self.read_block(carry + b"\n", 0, len(carry) + 1, line_no)
                return
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                carry += block
                if len(carry) > MAX_LINE_BYTES:
                    shown = carry[:200].decode("utf-8", "replace")
                    self.b.malformed(line_no, shown, "it is longer than 16 MB")
                    carry = b""
                    self._skip_to_newline(stream)
                    line_no += 1
                continue
            start = 0
            if carry:  # the line that straddled two blocks, on its own
                first = block.find(b"\n") + 1
                joined = carry + block[:first]
                line_no += self.read_block(joined, 0, len(joined), line_no)
                start = first
            line_no += self.read_block(block, start, cut, line_no)
            carry = block[cut:]

    def _skip_to_newline(self, stream: BinaryIO) -> None:
        while True:
            block = stream.read(BLOCK_BYTES)
            if not block or b"\n" in block:
                return

    def read_document(self, data: bytes, name: str) -> None:
        """A JSON array of listens, or ListenBrainz's ``{"payload": [...]}`` import shape."""
        self.b.label = name
        self.b.row_word = "listen"
        data = data.removeprefix(BOM)
        try:
            doc = msgspec.json.decode(data, type=_Payload | list[msgspec.Raw])
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise DatasetError(f"{name} is not a readable JSON list of listens ({exc}).") from exc
        items = doc.payload if isinstance(doc, _Payload) else doc
        for n, raw in enumerate(items, 1):
            self.slow_line(bytes(raw), n)

    # -- blocks

    def read_block(self, data: bytes, lo: int, hi: int, line_no: int) -> int:
        """Decode the whole lines ``data[lo:hi]``; bad lines (and their neighbour) go the
        slow way. Returns how many lines there were (``line_no`` is the first one's)."""
        try:
            items = _DECODER.decode_lines(memoryview(data)[lo:hi])
        except (msgspec.ValidationError, msgspec.DecodeError):
            buf = data[lo:hi]
            self._read_around_errors(buf, line_no)
            return buf.count(b"\n")
        rejected = self.feed(items)
        if rejected:
            self._slow_items(data[lo:hi], 0, rejected, line_no)
        return data.count(b"\n", lo, hi)

    def _read_around_errors(self, buf: bytes, line_no: int) -> None:
        """A block that did not decode: halve it until each bad line is on its own.

        A validation error names its listen, so the lines around it stay in one fast
        decode; a syntax error may come lines after the bad one (a JSON value can run over
        several lines), so the region is cut in two at a line boundary until the part that
        fails is one line, which the slow path then reads.
        """
        stack = [(0, len(buf), False)]  # (lo, hi, read slowly); popped in file order
        while stack:
            lo, hi, slow = stack.pop()
            if slow:
                self._slow_lines(buf, lo, hi, line_no)
                continue
            try:
                items = _DECODER.decode_lines(memoryview(buf)[lo:hi])
            except (msgspec.ValidationError, msgspec.DecodeError) as exc:
                m = _INDEX_RE.search(str(exc))
                bad = _nth_line_start(buf, lo, hi, int(m.group(1))) if m else -1
                if isinstance(exc, msgspec.ValidationError) and bad >= 0:
                    end = buf.find(b"\n", bad, hi) + 1 or hi
                    parts = [(lo, bad, False), (bad, end, True), (end, hi, False)]
                else:
                    halves = _halves(buf, lo, hi)
                    parts = [(x, y, False) for x, y in halves] or [(lo, hi, True)]
                stack += [p for p in reversed(parts) if p[0] < p[1]]
                continue
            rejected = self.feed(items)
            if rejected:
                self._slow_items(buf[lo:hi], 0, rejected, line_no + buf.count(b"\n", 0, lo))

    def _slow_lines(self, buf: bytes, lo: int, hi: int, line_no: int) -> None:
        first = line_no + buf.count(b"\n", 0, lo)
        for k, line in enumerate(buf[lo:hi].split(b"\n")):
            if line.strip():
                self.slow_line(line, first + k)

    def _slow_items(self, buf: bytes, start: int, rejected: list[int], line_no: int) -> None:
        """Re-read the lines whose decoded listen the fast path refused."""
        offsets = _line_starts(buf, start, len(buf))
        for i in rejected:
            lo = offsets[i]
            end = buf.find(b"\n", lo)
            line = buf[lo : end if end >= 0 else len(buf)]
            self.slow_line(line, line_no + buf.count(b"\n", 0, lo))

    def feed(self, items: list[_Listen]) -> list[int]:
        """Add decoded listens; returns the positions of those that need the slow path."""
        b = self.b
        raw_get = b.raw_ids.get
        user_get = b.user_ids.get
        add_raw, add_user, add_ts = b.listen_raw.append, b.listen_user.append, b.listen_ts.append
        uri_get, isrc_get = b.uri_ids.get, b.isrc_ids.get
        rejected: list[int] = []
        for i, listen in enumerate(items):
            try:
                tm = listen.track_metadata
                ts = listen.listened_at
                if ts is None:
                    ts = listen.timestamp
                if type(ts) is not int:
                    if type(ts) is float and ts.is_integer():
                        ts = int(ts)
                    else:
                        rejected.append(i)
                        continue
                m = tm.mbid_mapping
                mb = m.recording_mbid if m is not None else None
                info = tm.additional_info
                if mb is None and info is not None:
                    mb = info.recording_mbid
                rid = raw_get((tm.artist_name, tm.track_name, mb))
                if rid is None:
                    rid = self.new_raw(tm.artist_name, tm.track_name, mb)
                if rid < 0:
                    rejected.append(i)
                    continue
                u = listen.user_id
                if u is None:
                    u = listen.user_name
                    if u is None:
                        u = self.default_user
                uid = user_get(u)
                if uid is None:
                    uid = b.user_id(u)
                add_ts(ts)
            except (TypeError, OverflowError):  # an unhashable MBID or user, a huge time
                rejected.append(i)
                continue
            add_raw(rid)
            add_user(uid)
            if info is not None:
                s = info.spotify_id
                if s is not None:
                    u = uri_get(s)
                    if u is None:
                        u = self.uri(s)
                    if u >= 0:
                        b.uri_raw.append(rid)
                        b.uri_val.append(u)
                s = info.isrc
                if s is not None:
                    u = isrc_get(s)
                    if u is None:
                        u = self.isrc(s)
                    if u >= 0:
                        b.isrc_raw.append(rid)
                        b.isrc_val.append(u)
        return rejected

    # -- first sight of a spelling, a URI, an ISRC

    def new_raw(self, artist: str, title: str, mb: object) -> int:
        """A spelling met for the first time (validated once, then found by its key).

        The key keeps one string object per distinct artist and MBID (not one per
        spelling): at 30M listens that is a few hundred MB less per reader.
        """
        if not artist.strip():
            self.b.raw_ids[(artist, title, mb)] = -1
            return -1
        texts = self._texts
        artist = texts.setdefault(artist, artist)
        mbid = mb.strip().lower() if isinstance(mb, str) else None
        if mbid is not None:
            if MBID_RE.fullmatch(mbid):
                mbid = texts.setdefault(mbid, mbid)
                if mb == mbid:
                    mb = mbid
            else:
                mbid = None
        return self.b.new_raw_track(artist, title, (artist, title, mb), mbid)

    def uri(self, text: object) -> int:
        m = SPOTIFY_TRACK_RE.search(text) if isinstance(text, str) else None
        u = self.b.uri_id(SPOTIFY_TRACK_PREFIX + m.group(1)) if m else -1
        if isinstance(text, str):
            self.b.uri_ids[text] = u
        return u

    def isrc(self, text: object) -> int:
        """Id of an ISRC as written (``gb-duw-00-00059`` and ``GBDUW0000059`` are one)."""
        if not isinstance(text, str):
            return -1
        return self.b.isrc_id(text)

    # -- the slow path: one line, dictionary rules

    def slow_line(self, line: bytes, line_no: int) -> None:
        """Check one line by the module's rules; add it or count it as malformed."""
        if not line.strip():
            return
        try:
            obj = msgspec.json.decode(line)
        except Exception:  # noqa: BLE001 - msgspec.DecodeError, RecursionError, ...
            self._bad(line, line_no, "it is not valid JSON")
            return
        why = _why_not(obj)
        if why:
            self._bad(line, line_no, why)
            return
        tm = obj["track_metadata"]
        info = tm.get("additional_info")
        info = info if isinstance(info, dict) else {}
        mapping = tm.get("mbid_mapping")
        mb = mapping.get("recording_mbid") if isinstance(mapping, dict) else None
        if mb is None:
            mb = info.get("recording_mbid")
        mb = mb if isinstance(mb, str) else None
        ts = obj.get("listened_at")
        if ts is None:
            ts = obj.get("timestamp")
        user = obj.get("user_id")
        if not isinstance(user, int | str) or isinstance(user, bool):
            user = obj.get("user_name")
            if not isinstance(user, str):
                user = self.default_user
        spotify, isrc = info.get("spotify_id"), info.get("isrc")
        listen = _Listen(
            track_metadata=_Meta(
                tm["artist_name"],
                tm["track_name"],
                _Info(
                    None,
                    spotify if isinstance(spotify, str) else None,
                    isrc if isinstance(isrc, str) else None,
                ),
                _Mapping(mb),
            ),
            listened_at=int(ts),
            user_id=user,
        )
        if self.feed([listen]):
            self._bad(line, line_no, "its artist_name or track_name is empty once normalised")

    def _bad(self, line: bytes, line_no: int, why: str) -> None:
        self.b.malformed(line_no, line[:300].decode("utf-8", errors="backslashreplace"), why)


def _why_not(obj: object) -> str | None:
    """Why a decoded line is not a listen (None: it is one)."""
    if not isinstance(obj, dict):
        return "it is not a JSON object"
    tm = obj.get("track_metadata")
    if not isinstance(tm, dict):
        return "it has no track_metadata object"
    for field in ("artist_name", "track_name"):
        value = tm.get(field)
        if not isinstance(value, str) or not value.strip():
            return f"its {field} is missing or empty"
    ts = obj.get("listened_at")
    if ts is None:
        ts = obj.get("timestamp")
    if isinstance(ts, bool) or not (
        isinstance(ts, int) or (isinstance(ts, float) and ts.is_integer())
    ):
        return "its listened_at is not an integer"
    if not -(1 << 62) < ts < (1 << 62):
        return "its listened_at is out of range"
    return None


def _line_starts(buf: bytes, lo: int, hi: int) -> list[int]:
    """Byte offsets of the non-blank lines of ``buf[lo:hi]`` (what decode_lines numbers)."""
    out = []
    pos = lo
    for line in buf[lo:hi].split(b"\n"):
        if line.strip():
            out.append(pos)
        pos += len(line) + 1
    return out


def _nth_line_start(buf: bytes, lo: int, hi: int, n: int) -> int:
    starts = _line_starts(buf, lo, hi)
    return starts[n] if n < len(starts) else -1


def _halves(buf: bytes, lo: int, hi: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` cut in two at the line boundary nearest its middle ([] if one line)."""
    mid = buf.find(b"\n", (lo + hi) // 2, hi - 1) + 1
    if mid <= lo or mid >= hi:
        mid = buf.rfind(b"\n", lo, max((lo + hi) // 2, lo)) + 1
        if mid <= lo or mid >= hi:
            return []
    return [(lo, mid), (mid, hi)]
