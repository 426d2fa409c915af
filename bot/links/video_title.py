"""Turn a YouTube video's title and channel into the song it plays. Pure: no network.

YouTube gives a video's title and channel, not a song's artist and title, so they are read
the way a person would:

* "Artist - Title (Official Video)", "Artist – Title [Official Music Video] HD",
  "Artist - Title | Official Audio": split at the first spaced dash, decorations dropped;
* "Title" on a channel "Artist - Topic" (YouTube Music's auto-generated uploads: their
  titles are exactly the track's, dashes included) or "ArtistVEVO" ("TaylorSwiftVEVO" →
  "Taylor Swift"), or on the artist's own channel;
* ``Artist 'Title'`` and ``Artist「Title」`` quoting (common for K-pop and J-pop);
* "Title - Artist" when the channel shows the right-hand side is the artist.

Dropped: what describes the video rather than the recording (Official Video/Audio/Music
Video, Lyric(s) Video, Lyrics, Visualizer, HD, 4K, 1080p, "Remastered 2009" in brackets,
MV), featured artists ("feat. X", "ft. X", "(with X)"), producer credits, hashtags and
"| Genre" or "// Label" tails. Versions that are another recording ("(Live at Wembley)",
"(Acoustic)") stay: the index keeps them apart and its resolver reads them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from index.names import fold

# Words that describe the video, not the song. A bracket group made only of these (and
# years, and joiners) is dropped; "(Live)" or "(Acoustic)" are not made of them.
_DECORATION = {
    "official", "officiel", "oficial", "ufficiale", "offizielles", "offizielle", "video",
    "videos", "videoclip", "clip", "musikvideo", "audio", "music", "lyric", "lyrics",
    "letra", "paroles", "visualizer", "visualiser", "visualization", "hd", "hq", "uhd",
    "4k", "8k", "1080p", "720p", "60fps", "remaster", "remastered", "remasterizado",
    "explicit", "clean", "mv", "m/v", "full", "song", "new", "color", "coded", "performance",
    "animated", "premiere", "high", "quality", "sub", "subs", "subtitulado", "legendado",
    "español", "espanol", "english", "with", "and", "&", "+", "/", "-", "a", "the", "release",
}  # fmt: skip
# At least one of these must be in a group (or a trailing run) for it to count as decoration.
_STRONG = {
    "official", "officiel", "oficial", "ufficiale", "offizielles", "offizielle", "video",
    "videoclip", "clip", "musikvideo", "audio", "lyric", "lyrics", "letra", "paroles",
    "visualizer", "visualiser", "hd", "hq", "uhd", "4k", "8k", "1080p", "720p", "60fps",
    "remaster", "remastered", "remasterizado", "mv", "m/v", "release",
}  # fmt: skip
# A trailing run of decoration words without brackets ("... Official Video HD") must hold
# one of these: a lone "Video" or "Audio" may be the title ("India.Arie - Video").
_STRONG_TAIL = _STRONG - {"video", "audio", "clip", "release"}

# Words that make a group another recording, never decoration.
_VERSION_WORDS = {
    "live", "acoustic", "remix", "mix", "edit", "version", "demo", "instrumental", "cover",
    "unplugged", "session", "sessions", "reprise", "extended", "radio", "piano", "orchestral",
    "karaoke", "slowed", "sped", "reverb", "nightcore", "8d",
}  # fmt: skip

_YEAR = re.compile(r"^(?:19|20)\d\d$")
_GROUP = re.compile(r"\s*(?:\(([^()]*)\)|\[([^\[\]]*)\]|【([^【】]*)】|\{([^{}]*)\})")
_FEAT_GROUP = re.compile(
    r"^\s*(?:feat\.?|ft\.?|featuring|with|prod\.?(?:\s+by)?|produced\s+by)\s", re.I
)
_FEAT_TAIL = re.compile(
    r"\s+(?:feat\.?|ft\.?|featuring|prod\.?\s+by|prod\.)\s.*$|\s+(?:feat\.|ft\.)\S.*$", re.I
)
# Hashtags at either end ("#shorts #90s"); "#1" has no letter: a title ("Nelly - #1").
_TAG = r"#\w*[^\W\d_]\w*"
_HASHTAGS = re.compile(rf"(?:(?:^|\s+){_TAG})+\s*$|^\s*(?:{_TAG}\s+)+")
_DASH = re.compile(r"\s+(?:-{1,2}|[–—‒－~])\s+|\s*[–—]\s*")
_BAR = re.compile(r"\s*[|｜]\s*|\s+(?://|•|·)\s+")
_QUOTED = re.compile(
    r"^(?P<artist>[^\"“'‘「『]+?)\s*"
    r"(?:\"(?P<t1>[^\"]+)\"|“(?P<t2>[^”]+)”|「(?P<t3>[^」]+)」|『(?P<t4>[^』]+)』"
    r"|(?<=\s)'(?P<t5>[^']+)'(?=\s|$|[(\[])|(?<=\s)‘(?P<t6>[^’]+)’)"
    r"(?P<rest>.*)$"
)
_WORDS = re.compile(r"[^\s()\[\]{}【】,:;!.\"“”]+")
_TOPIC = re.compile(r"\s+-\s+topic$", re.I)
_VEVO = re.compile(r"\s*vevo$", re.I)
_CHANNEL_TAIL = re.compile(
    r"(?:\s+|\s*[-|(]\s*)(?:official(?:\s+(?:channel|youtube|music))?|music|tv)\)?\s*$", re.I
)
_ARTIST_ALIAS = re.compile(r"\s+(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】)\s*$")
_EDGE_JUNK = " \t-–—|:~•·*\"'“”‘’"


@dataclass(frozen=True)
class VideoSong:
    """The song a video plays: its artist when known, and its title."""

    artist: str | None
    title: str

    @property
    def query(self) -> str:
        """ "artist - title" (or just the title), as a person would type it."""
        return f"{self.artist} - {self.title}" if self.artist else self.title


def song_from_video(title: str, channel: str = "") -> VideoSong | None:
    """The song a YouTube video plays, from its title and channel; None if the title is empty."""
    text = _tidy(title)
    channel = _tidy(channel)
    topic_artist = _topic_artist(channel)
    channel_artist = topic_artist or _channel_artist(channel)
    text = _drop_groups(_HASHTAGS.sub("", text))
    if not text:
        return None

    if topic_artist:
        # "Artist - Topic" uploads are titled exactly as the track: a dash is its own.
        artist, song = _split_dash(text)
        if artist is None or not _same_artist(artist, topic_artist):
            artist, song = topic_artist, text
    else:
        artist, song = _split(text, channel_artist)
    song = _drop_decoration_tail(_drop_feat(song))
    if artist:
        # "BTS (방탄소년단)": an alias in brackets after the name ("(G)I-DLE" keeps its own).
        artist = _drop_feat(_ARTIST_ALIAS.sub("", artist)).strip(_EDGE_JUNK) or None
    song = song.strip(_EDGE_JUNK)
    if not song:
        return None
    return VideoSong(artist or channel_artist or None, song)


# --- the steps ---------------------------------------------------------------------------


def _tidy(text: str) -> str:
    """Whitespace collapsed, emoji and symbols at the edges removed."""
    text = " ".join((text or "").split())
    while text and (unicodedata.category(text[0]) == "So" or text[0] in _EDGE_JUNK):
        text = text[1:].lstrip()
    while text and (unicodedata.category(text[-1]) == "So" or text[-1] in " \t|~•·"):
        text = text[:-1].rstrip()
    return text


def _split(text: str, channel_artist: str) -> tuple[str | None, str]:
    """(artist, title) from a title that may name the artist; None when it does not."""
    parts = [p for p in _BAR.split(text) if p and not _is_decoration(p)]
    if not parts:
        return None, text
    head = parts[0]
    artist, song = _split_dash(head)
    if artist is not None:
        # "Title - Artist" when only the right-hand side is the channel's artist.
        if (
            channel_artist
            and _same_artist(song, channel_artist)
            and not _same_artist(artist, channel_artist)
        ):
            return song, artist
        return artist, song
    quoted = _QUOTED.match(head)
    if quoted:
        song = next(g for g in quoted.group("t1", "t2", "t3", "t4", "t5", "t6") if g)
        return quoted.group("artist"), song
    # "Title | Artist": a bar-separated side that is the channel's artist.
    if len(parts) >= 2 and channel_artist:
        for i, part in enumerate(parts[:2]):
            if _same_artist(part, channel_artist):
                return part, parts[1 - i]
    return None, head


def _split_dash(text: str) -> tuple[str | None, str]:
    m = _DASH.search(text)
    if not m or m.start() == 0 or m.end() >= len(text):
        return None, text
    return text[: m.start()].strip(), text[m.end() :].strip()


def _drop_groups(text: str) -> str:
    """Bracket groups that are decoration or credits removed; "(Live)" and the like stay."""

    def replace(m: re.Match[str]) -> str:
        inner = next((g for g in m.groups() if g is not None), "")
        return "" if _FEAT_GROUP.match(inner) or _is_decoration(inner, loose=True) else m.group(0)

    return " ".join(_GROUP.sub(replace, text).split())


def _drop_feat(text: str) -> str:
    out = _FEAT_TAIL.sub("", text).strip()
    return out or text


def _drop_decoration_tail(title: str) -> str:
    """ "Title Official Video HD" → "Title"; "- Official Audio" tails too; never all of it."""
    parts = _DASH.split(title)
    while len(parts) > 1 and _is_decoration(parts[-1]):
        parts.pop()
    title = " - ".join(parts)
    words = title.split()
    cut = len(words)
    while cut > 1 and _decoration_word(words[cut - 1]):
        cut -= 1
    tail = {w.lower() for w in words[cut:]}
    # One strong word ("HD", "Lyrics"), or a run of two or more ("Music Video").
    if tail & _STRONG_TAIL or (len(words) - cut >= 2 and tail & _STRONG):
        return " ".join(words[:cut]).rstrip(_EDGE_JUNK)
    return title


def _is_decoration(text: str, *, loose: bool = False) -> bool:
    """True when ``text`` only describes the video ("Official Music Video", "HD", "Lyrics").

    ``loose`` (bracket groups) also allows one other word that names no version, as in
    "[NCS Release]" or "(Lyric Video ENG)"; "(Official Live Video)" stays.
    """
    words = [w.lower() for w in _WORDS.findall(text)]
    if not words or not any(w in _STRONG for w in words):
        return False
    others = [w for w in words if not _decoration_word(w)]
    if not others:
        return True
    return loose and len(others) == 1 and others[0] not in _VERSION_WORDS


def _decoration_word(word: str) -> bool:
    w = word.lower().strip(".,!-:;")
    return w in _DECORATION or bool(_YEAR.match(w)) or w == ""


def _topic_artist(channel: str) -> str | None:
    return _TOPIC.sub("", channel).strip() if _TOPIC.search(channel) else None


def _channel_artist(channel: str) -> str:
    """The artist a channel's name suggests: "TaylorSwiftVEVO" → "Taylor Swift"."""
    if _VEVO.search(channel) and len(channel) > 4:
        name = _VEVO.sub("", channel)
        # CamelCase runs apart: "TaylorSwift" → "Taylor Swift" ("ACDC" stays one word).
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).strip()
    return _CHANNEL_TAIL.sub("", channel).strip() or channel


def _same_artist(text: str, artist: str) -> bool:
    a, b = fold(text), fold(artist)
    if not a or not b:
        return False
    return a == b or a.replace(" ", "") == b.replace(" ", "")
