"""Themed playlists from the demo catalogue, made the way people make them.

By genre, decade, mood, artist, for parties, and personal mixes. Each playlist draws
mostly from its theme, popular songs more often, with a little noise from outside it, so
the playlist-overlap similarity of the built index matches the catalogue's own labels.
Version variants ("... - Remastered 2011") show up mostly beside their original, and the
songs marked ``rare`` land in exactly one playlist. The same seed gives the same rows on
any machine (``random.Random`` only, no set-order or numpy-version dependence).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from index.build.demo_catalogue import GENRES, MOODS, Song, load_catalogue

# Genres a playlist of one genre borrows from now and then (a rock list with some metal).
RELATED_GENRES: dict[str, tuple[str, ...]] = {
    "pop": ("r&b", "electronic", "k-pop"),
    "rock": ("classic rock", "indie", "metal"),
    "classic rock": ("rock", "folk"),
    "metal": ("rock", "classic rock"),
    "indie": ("rock", "electronic", "folk"),
    "hip-hop": ("r&b",),
    "r&b": ("hip-hop", "pop"),
    "electronic": ("pop", "indie"),
    "country": ("folk", "classic rock"),
    "folk": ("indie", "country"),
    "jazz": ("r&b", "classical"),
    "classical": ("jazz",),
    "latin": ("pop", "reggae"),
    "k-pop": ("pop",),
    "reggae": ("r&b", "latin"),
}

MIN_LENGTH, MAX_LENGTH, TYPICAL_LENGTH = 10, 40, 16
MIN_PLAYLISTS_PER_SONG = 3  # every song but the rare ones, so each has neighbours to show
NOISE = 0.08  # share of a playlist drawn from the whole catalogue
RELATED = 0.15  # share of a genre playlist drawn from related genres


def generate_demo_playlists(seed: int = 0) -> list[tuple[str, str, str]]:
    """(playlist name, artist, title) rows of a few hundred themed playlists, same for a seed."""
    songs = load_catalogue()
    playlists = _Generator(songs, random.Random(seed)).playlists()
    return [(name, songs[i].artist, songs[i].title) for name, members in playlists for i in members]


# --- names --------------------------------------------------------------------------------

_DECADE_LABELS = {1950: "50s", 1960: "60s", 1970: "70s", 1980: "80s", 1990: "90s"}
_GENRE_LABELS = {
    "pop": "Pop", "rock": "Rock", "classic rock": "Classic Rock", "metal": "Metal",
    "indie": "Indie", "hip-hop": "Hip-Hop", "r&b": "R&B", "electronic": "Dance",
    "country": "Country", "folk": "Folk", "jazz": "Jazz", "classical": "Classical",
    "latin": "Latin", "k-pop": "K-Pop", "reggae": "Reggae",
}  # fmt: skip
_GENRE_NAMES = {
    "pop": ["Pop Essentials", "Pop Hits", "Pure Pop", "Pop Favourites", "Pop Anthems",
            "Pop Classics", "Mega Hit Mix", "pop"],
    "rock": ["Rock Essentials", "Alternative Rock", "90s & 00s Rock", "Rock This", "Alt Anthems",
             "Modern Rock", "rock"],
    "classic rock": ["Classic Rock", "Rock Classics", "Classic Rock Drive", "Dad Rock",
                     "Legends of Rock", "Rock Legends", "old school rock"],
    "metal": ["Metal Essentials", "Heavy Metal", "Metal Classics", "Headbangers", "Heavy Hitters",
              "Thrash & Heavy", "metal"],
    "indie": ["Indie Essentials", "Indie Favourites", "Alternative", "Indie Rock", "Indie Mix",
              "indie"],
    "hip-hop": ["Hip-Hop Essentials", "Rap Caviar", "Hip-Hop Classics", "Rap Hits",
                "Golden Era Hip-Hop", "hip hop"],
    "r&b": ["R&B Classics", "Soul Classics", "Motown & Soul", "R&B Essentials", "Soul Food",
            "rnb"],
    "electronic": ["Electronic Essentials", "Dance Classics", "Club Anthems", "Dancefloor Fillers",
                   "French Touch", "Electro Hits", "Dance Party", "Rave On", "edm"],
    "country": ["Country Classics", "Hot Country", "Country Roads", "Country Essentials",
                "country"],
    "folk": ["Folk & Acoustic", "Singer-Songwriter", "Acoustic Favourites", "folk"],
    "jazz": ["Jazz Classics", "Jazz Essentials", "Coffee Table Jazz", "Jazz Standards", "jazz"],
    "classical": ["Classical Essentials", "Classical Favourites", "Peaceful Classical",
                  "classical"],
    "latin": ["Latin Hits", "Baila Reggaeton", "Latin Party", "Viva Latino", "latin"],
    "k-pop": ["K-Pop Hits", "K-Pop Essentials", "K-Pop Daebak", "kpop"],
    "reggae": ["Reggae Classics", "Reggae Vibes", "Roots Reggae", "reggae"],
}  # fmt: skip
_MOOD_NAMES = {
    "party": ["Party Starters", "Party Hits", "Friday Night", "Pregame", "Get the Party Started"],
    "dance": ["Dance Hits", "Dance Party", "Dance Dance Dance", "Dancing in the Kitchen"],
    "workout": ["Workout Hits", "Gym Motivation", "Beast Mode", "Cardio", "Running Mix"],
    "chill": ["Chill Vibes", "Chill Hits", "Lazy Sunday", "Sunday Morning", "Evening Chill"],
    "late night": ["Late Night Drive", "Night Drive", "After Hours", "3 AM", "Midnight"],
    "road trip": ["Road Trip", "Road Trip Classics", "Highway Songs", "Long Drive"],
    "rainy day": ["Rainy Day", "Songs for a Rainy Day", "Grey Skies", "Rain on the Window"],
    "romance": ["Love Songs", "Date Night", "Romantic Evening", "Wedding Songs"],
    "heartbreak": ["Heartbreak", "Sad Songs", "Breakup Songs", "Crying in the Car"],
    "feel good": ["Feel Good Classics", "Good Vibes", "Happy Hits", "Mood Booster"],
    "focus": ["Deep Focus", "Study Music", "Concentration", "Reading Time"],
    "summer": ["Summer Hits", "Summer Vibes", "Beach Party", "Pool Party"],
    "sing-along": ["Sing-Along", "Karaoke Classics", "Shower Songs", "Songs Everyone Knows"],
    "rage": ["Rage Mode", "Angry Songs", "Mosh Pit", "Let It Out"],
}
_GENRE_MOOD_NAMES = {
    "party": "{g} Party", "dance": "{g} Dance Floor", "workout": "{g} Workout",
    "chill": "Chill {g}", "late night": "Late Night {g}", "road trip": "{g} Road Trip",
    "rainy day": "Rainy Day {g}", "romance": "{g} Love Songs", "heartbreak": "Sad {g}",
    "feel good": "Happy {g}", "focus": "{g} for Studying", "summer": "Summer {g}",
    "sing-along": "{g} Sing-Along", "rage": "Angry {g}",
}  # fmt: skip
_DECADE_NAMES = ["{d} Hits", "Best of the {d}", "Back to the {d}", "{d} Throwbacks", "All Out {d}"]
_PARTY_NAMES = ["Party Mix", "House Party", "Birthday Party", "Saturday Night", "Kitchen Disco",
                "Crowd Pleasers", "New Year's Eve", "Wedding Party", "BBQ"]  # fmt: skip
_CHART_NAMES = ["Today's Top Hits", "Hot Hits", "Viral Hits", "Hit List", "Fresh Finds"]
_MIXED_NAMES = ["Office Radio", "Throwback Thursday", "Shuffle", "Mixed Bag", "Radio Hits",
                "Hit Rewind", "Family Road Trip", "Dinner Party"]  # fmt: skip
_OWNERS = ["anna", "tom", "lea", "max", "sofia", "jonas", "mia", "lucas", "emma", "noah",
           "chloe", "ali", "yuki", "marta", "sam", "ines", "omar", "julia", "ben", "nina"]  # fmt: skip
_PERSONAL = ["mix", "playlist", "favourites", "car songs", "gym", "chill", "summer", "faves",
             "on repeat", "vibes", "for the road", "2019", "good stuff"]  # fmt: skip
_CHART_GENRES = ("pop", "hip-hop", "r&b", "electronic", "latin", "k-pop")


def _decade_label(decade: int) -> str:
    return _DECADE_LABELS.get(decade, f"{decade}s")


class _Generator:
    """Plans themed playlists and fills them; one instance per ``generate_demo_playlists``."""

    def __init__(self, songs: Sequence[Song], rng: random.Random) -> None:
        self.songs = songs
        self.rng = rng
        self.regular = [i for i, s in enumerate(songs) if not s.rare and s.variant_of is None]
        self.by_genre: dict[str, list[int]] = defaultdict(list)
        self.by_decade: dict[int, list[int]] = defaultdict(list)
        self.by_mood: dict[str, list[int]] = defaultdict(list)
        self.by_artist: dict[str, list[int]] = defaultdict(list)
        for i in self.regular:
            s = songs[i]
            self.by_genre[s.genre].append(i)
            self.by_decade[s.decade].append(i)
            self.by_artist[s.artist].append(i)
            for mood in s.moods:
                self.by_mood[mood].append(i)
        index_of = {(s.artist, s.title): i for i, s in enumerate(songs)}
        self.variants: dict[int, list[int]] = defaultdict(list)
        for i, s in enumerate(songs):
            if s.variant_of is not None:
                self.variants[index_of[(s.artist, s.variant_of)]].append(i)
        self.used_names: set[str] = set()
        self.made: list[tuple[str, list[int]]] = []  # (name, song indices)
        self.genre_lists: dict[str, list[list[int]]] = defaultdict(list)  # plain genre themes

    def playlists(self) -> list[tuple[str, list[int]]]:
        """Every playlist as (name, song indices), in creation order."""
        self._genre_playlists()
        self._genre_decade_playlists()
        self._decade_playlists()
        self._mood_playlists()
        self._genre_mood_playlists()
        self._artist_playlists()
        self._mixed_playlists()
        self._personal_playlists()
        self._ensure_coverage()
        self._place_rare_songs()
        return self.made

    # -- themes --------------------------------------------------------------------------

    def _genre_playlists(self) -> None:
        for genre in GENRES:
            related = [i for g in RELATED_GENRES[genre] for i in self.by_genre[g]]
            for _ in range(3 + round(len(self.by_genre[genre]) / 4)):
                name = self.rng.choice(_GENRE_NAMES[genre])
                self.genre_lists[genre].append(self._make(name, self.by_genre[genre], related))

    def _genre_decade_playlists(self) -> None:
        for genre in GENRES:
            for decade in sorted({self.songs[i].decade for i in self.by_genre[genre]}):
                pool = [i for i in self.by_genre[genre] if self.songs[i].decade == decade]
                if decade < 1960 or len(pool) < 8:
                    continue
                label, d = _GENRE_LABELS[genre], _decade_label(decade)
                for template in ("{d} {g}", "{g} of the {d}"):
                    self._make(template.format(d=d, g=label), pool, self.by_genre[genre])

    def _decade_playlists(self) -> None:
        for decade in range(1960, 2030, 10):
            for _ in range(6):
                name = self.rng.choice(_DECADE_NAMES).format(d=_decade_label(decade))
                self._make(name, self.by_decade[decade])

    def _mood_playlists(self) -> None:
        for mood in MOODS:
            for _ in range(5):
                self._make(self.rng.choice(_MOOD_NAMES[mood]), self.by_mood[mood])

    def _genre_mood_playlists(self) -> None:
        pairs = []
        for genre in GENRES:
            for mood in MOODS:
                pool = [i for i in self.by_genre[genre] if mood in self.songs[i].moods]
                if len(pool) >= 6:
                    pairs.append((genre, mood, pool))
        for genre, mood, pool in self.rng.sample(pairs, min(45, len(pairs))):
            name = _GENRE_MOOD_NAMES[mood].format(g=_GENRE_LABELS[genre])
            self._make(name, pool, self.by_genre[genre])

    def _artist_playlists(self) -> None:
        for artist, own in self.by_artist.items():
            if len(own) < 3:
                continue
            genre = self.songs[own[0]].genre
            if len(own) >= 4:  # "This Is": the artist's songs, padded with the genre's hits
                self._make(f"This Is {artist}", own, self.by_genre[genre], core_only=True)
            picked = self._sample(own, min(len(own), self.rng.randint(3, 6)))
            self._make(f"{artist} Radio", self.by_genre[genre], seed=picked)

    def _mixed_playlists(self) -> None:
        party = sorted({i for m in ("party", "dance", "sing-along") for i in self.by_mood[m]})
        charts = [
            i
            for i in self.regular
            if self.songs[i].decade >= 2010 and self.songs[i].genre in _CHART_GENRES
        ]
        for names, pool, count in (
            (_PARTY_NAMES, party, 16),
            (_CHART_NAMES, charts, 10),
            (_MIXED_NAMES, self.regular, 14),
        ):
            for _ in range(count):
                self._make(self.rng.choice(names), pool)

    def _personal_playlists(self) -> None:
        genres = list(GENRES)
        sizes = [len(self.by_genre[g]) for g in genres]
        for _ in range(60):
            liked = sorted(set(self.rng.choices(genres, weights=sizes, k=self.rng.randint(1, 3))))
            pool = [i for g in liked for i in self.by_genre[g]]
            name = f"{self.rng.choice(_OWNERS)}'s {self.rng.choice(_PERSONAL)}"
            self._make(name, pool, noise=0.15)

    # -- filling -------------------------------------------------------------------------

    def _make(
        self,
        name: str,
        core: Sequence[int],
        related: Sequence[int] = (),
        *,
        core_only: bool = False,
        seed: Sequence[int] = (),
        noise: float = NOISE,
    ) -> list[int]:
        """Fill one playlist: mostly ``core``, some from ``related`` (its wider circle), a
        little noise from anywhere; pad a small theme up to MIN_LENGTH."""
        size = round(self.rng.triangular(MIN_LENGTH, MAX_LENGTH, TYPICAL_LENGTH))
        members = list(seed)
        if core_only:
            members += [i for i in core if i not in members][:MAX_LENGTH]
        else:
            n_noise = sum(self.rng.random() < noise for _ in range(size))
            n_related = sum(self.rng.random() < RELATED for _ in range(size)) if related else 0
            n_core = max(0, size - len(members) - n_noise - n_related)
            members += self._sample(core, n_core, exclude=members)
            members += self._sample(related, n_related, exclude=members)
            members += self._sample(self.regular, n_noise, exclude=members)
        members = self._with_variants(members)
        for wider in (related, self.regular):  # a small theme: pad from its wider pool
            members += self._sample(wider, MIN_LENGTH - len(members), exclude=members)
        self.rng.shuffle(members)
        self.made.append((self._unique_name(name), members))
        return members

    def _sample(self, pool: Sequence[int], n: int, exclude: Iterable[int] = ()) -> list[int]:
        """``n`` distinct songs from ``pool``, weighted by popularity (Efraimidis-Spirakis)."""
        if n <= 0:
            return []
        skip = set(exclude)
        keyed = [
            (self.rng.random() ** (1.0 / self.songs[i].weight), i)
            for i in dict.fromkeys(pool)
            if i not in skip
        ]
        keyed.sort(reverse=True)
        return [i for _, i in keyed[:n]]

    def _with_variants(self, members: list[int]) -> list[int]:
        """Sometimes add an original's variant beside it, or list the variant instead."""
        out = []
        for i in members:
            out.append(i)
            for v in self.variants.get(i, ()):
                roll = self.rng.random()
                if roll < 0.3:
                    out.append(v)
                elif roll < 0.4:
                    out[out.index(i)] = v
        return list(dict.fromkeys(out))

    def _unique_name(self, name: str) -> str:
        """Playlists are told apart by name in a generic CSV, so no two may share one."""
        candidate, n = name, 1
        while candidate.casefold() in self.used_names:
            n += 1
            candidate = f"{name} {n}"
        self.used_names.add(candidate.casefold())
        return candidate

    # -- guarantees ----------------------------------------------------------------------

    def _ensure_coverage(self) -> None:
        """Top up every non-rare song to MIN_PLAYLISTS_PER_SONG playlists of its genre."""
        counts = Counter(i for _, members in self.made for i in members)
        for i, song in enumerate(self.songs):
            if song.rare or counts[i] >= MIN_PLAYLISTS_PER_SONG:
                continue
            targets = [m for m in self.genre_lists[song.genre] if i not in m]
            roomy = [m for m in targets if len(m) < MAX_LENGTH] or targets
            for members in self.rng.sample(roomy, MIN_PLAYLISTS_PER_SONG - counts[i]):
                members.insert(self.rng.randrange(len(members) + 1), i)

    def _place_rare_songs(self) -> None:
        """Each rare song goes into exactly one plain genre playlist of its genre."""
        for i, song in enumerate(self.songs):
            if song.rare:
                lists = self.genre_lists[song.genre]
                members = self.rng.choice([m for m in lists if len(m) < MAX_LENGTH] or lists)
                members.insert(self.rng.randrange(len(members) + 1), i)
