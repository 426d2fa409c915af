"""Rendering: the clients' ``additional_info`` profiles in JSONB key order and the
``Renderer``, which pre-renders byte pieces of the catalogue and users and turns listens into
dump lines.
"""

from __future__ import annotations

import msgspec
import numpy as np

from scripts.listenbrainz_synth.ids import base62, uuid_of, uuids
from scripts.listenbrainz_synth.model import (
    BAD_EMPTY_ARTIST,
    BAD_NO_TRACK,
    BAD_TRUNCATED,
    BAD_TS_STRING,
    CLIENTS,
    F_CLIENT_MBID,
    F_MAPPED,
    F_NO_RELEASE,
    Catalogue,
    Listens,
)
from scripts.listenbrainz_synth.names import FOREIGN, invented, name_word


def _json(text: str) -> bytes:
    """``text`` as a JSON string (msgspec: compact, UTF-8 kept, as orjson writes the dumps)."""
    return msgspec.json.encode(text)


# additional_info value kinds; each profile lists its keys, written in JSONB order.
(
    K_TRACKNO,
    K_TRACKNO_STR,
    K_ARTIST_NAMES,
    K_DUR_MS,
    K_DUR_MS_OFTEN,
    K_DUR_S,
    K_SP_ALBUM,
    K_REL_ARTIST,
    K_SP_ARTISTS,
    K_ISRC,
    K_SP_TRACK,
    K_YOUTUBE,
    K_ART_MBIDS,
    K_REC_MBID,
    K_REL_MBID,
) = range(15)
_CONST = -1
_PROFILES: dict[str, dict[str, object]] = {
    "spotify": {
        "tracknumber": K_TRACKNO,
        "artist_names": K_ARTIST_NAMES,
        "discnumber": b"1",
        "duration_ms": K_DUR_MS,
        "spotify_album_id": K_SP_ALBUM,
        "submission_client": b'"listenbrainz"',
        "music_service": b'"spotify.com"',
        "isrc": K_ISRC,
        "spotify_id": K_SP_TRACK,
        "origin_url": K_SP_TRACK,
    },
    "webscrobbler": {
        "duration": K_DUR_S,
        "origin_url": K_YOUTUBE,
        "music_service": b'"youtube.com"',
        "submission_client": b'"Web Scrobbler"',
        "submission_client_version": b'"3.10.1"',
    },
    "pano": {
        "duration_ms": K_DUR_MS,
        "media_player": b'"Spotify"',
        "submission_client": b'"Pano Scrobbler"',
        "submission_client_version": b'"3.9.4"',
    },
    "navidrome": {
        "artist_mbids": K_ART_MBIDS,
        "duration_ms": K_DUR_MS,
        "recording_mbid": K_REC_MBID,
        "release_mbid": K_REL_MBID,
        "submission_client": b'"navidrome"',
        "submission_client_version": b'"0.58.0 (9dbe0c18)"',
        "tracknumber": K_TRACKNO,
    },
    "lastfm": {
        "recording_mbid": K_REC_MBID,
        "submission_client": b'"ListenBrainz Last.fm importer"',
    },
    "foobar": {
        "artist_mbids": K_ART_MBIDS,
        "duration_ms": K_DUR_MS_OFTEN,
        "media_player": b'"foobar2000"',
        "recording_mbid": K_REC_MBID,
        "release_mbid": K_REL_MBID,
        "submission_client": b'"foo_listenbrainz2"',
        "submission_client_version": b'"2.2"',
        "tracknumber": K_TRACKNO_STR,
    },
}


def _profile(name: str) -> list[tuple[bytes, int]]:
    """(rendered piece, kind) in JSONB key order: by length, then bytes."""
    out = []
    for key in sorted(_PROFILES[name], key=lambda k: (len(k), k)):
        value = _PROFILES[name][key]
        if isinstance(value, bytes):
            out.append((b'"%s":%s,' % (key.encode(), value), _CONST))
        else:
            out.append((b'"%s":' % key.encode(), int(value)))
    return out


class Renderer:
    """Pre-rendered byte pieces of the catalogue and users; turns listens into lines."""

    def __init__(self, cat: Catalogue, n_users: int, seed: int, ts_key: str, mapping: bool):
        rng = np.random.default_rng([seed, 3])
        n_rec, n_art, n_rel = len(cat.rec_artist), len(cat.artists), len(cat.releases)
        self.cat, self.seed, self.mapping = cat, seed, mapping
        self.jt = [_json(s) for s in cat.titles]
        self.ja = [_json(s) for s in cat.artists]
        self.jrel = [_json(s) for s in cat.releases]
        self.rec_an = [self.ja[a] for a in cat.rec_artist.tolist()]
        for r in np.flatnonzero(cat.rec_feat >= 0).tolist():
            a, b = int(cat.rec_artist[r]), int(cat.rec_feat[r])
            self.rec_an[r] = _json(f"{cat.artists[a]} feat. {cat.artists[b]}")
        self.rec_mbid = uuids(n_rec, 1, seed)
        self.art_mbid = uuids(n_art, 2, seed)
        self.rel_mbid = uuids(n_rel, 3, seed)
        self.msid = uuids(n_rec, 4, seed)
        self.sp_track = base62(n_rec, 5, seed)
        self.sp_album = base62(n_rel, 6, seed)
        self.sp_artist = base62(n_art, 7, seed)
        self.isrc_head = [
            (c + "".join(rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), 3))).encode()
            + b"%02d" % y
            for c, y in zip(
                rng.choice(["GB", "US", "DE", "FR", "SE", "JP", "QZ", "NL"], 997),
                rng.integers(0, 100, 997),
                strict=True,
            )
        ]
        self.art_piece = [
            b'{"artist_mbid":"%s","artist_credit_name":%s,"join_phrase":""}' % (m, j)
            for m, j in zip(self.art_mbid, self.ja, strict=True)
        ]
        names = [invented(rng) + (str(rng.integers(1, 999)) if rng.random() < 0.4 else "")]
        names += [
            (
                FOREIGN[rng.integers(len(FOREIGN))] + invented(rng)
                if rng.random() < 0.03
                else invented(rng) + rng.choice(["", "_", "."]) + name_word(rng)
            )
            + (str(rng.integers(1, 99)) if rng.random() < 0.3 else "")
            for _ in range(n_users - 1)
        ]
        key = ts_key.encode()
        self.head = [
            b'{"user_id":%d,"user_name":%s,"%s":' % (u + 1, _json(name), key)
            for u, name in enumerate(names)
        ]
        self.profiles = [_profile(name) for _, name in CLIENTS]
        self._variants: dict[tuple[int, int, int], tuple[bytes, bytes, bytes]] = {}

    def spelled(self, r: int, v: int, no_rel: int) -> tuple[bytes, bytes, bytes]:
        """(track_name, artist_name, msid) of a spelling variant or of a listen without release."""
        got = self._variants.get((r, v, no_rel))
        if got:
            return got
        cat = self.cat
        title, artist = cat.titles[r], cat.artists[int(cat.rec_artist[r])]
        feat = int(cat.rec_feat[r])
        credit = f"{artist} feat. {cat.artists[feat]}" if feat >= 0 else artist
        if v == 1:
            title = title.lower() if r % 2 else title.upper()
        elif v == 2:
            title = f" {title.replace(' ', '  ')} " if r % 3 else title + " "
        elif v == 3:
            title = f"{title} - Remastered {1995 + r % 25}"
        elif v == 4 and feat >= 0:
            forms = (f"{artist} ft. {cat.artists[feat]}", f"{artist} & {cat.artists[feat]}")
            credit = forms[r % 2]
            if r % 3 == 0:
                credit, title = artist, f"{title} (feat. {cat.artists[feat]})"
        elif v in (4, 5):
            credit = credit.lower() if r % 2 else credit.upper()
        elif v == 6 and feat >= 0:
            credit = f"{artist}, {cat.artists[feat]}"
        release = "" if no_rel else cat.releases[int(cat.rec_release[r])]
        got = (
            _json(title),
            _json(credit),
            uuid_of(self.seed, title, credit, release),
        )
        if len(self._variants) < 2_000_000:
            self._variants[(r, v, no_rel)] = got
        return got

    def lines(self, listens: Listens, idx: np.ndarray) -> bytes:
        """The dump lines of the listens ``idx``, in that order."""
        cat = self.cat
        rec = listens.rec[idx]
        cols = zip(
            listens.user[idx].tolist(),
            listens.t[idx].tolist(),
            rec.tolist(),
            listens.client[idx].tolist(),
            listens.variant[idx].tolist(),
            listens.flags[idx].tolist(),
            listens.cut[idx].tolist(),
            cat.rec_artist[rec].tolist(),
            cat.rec_feat[rec].tolist(),
            cat.rec_release[rec].tolist(),
            cat.rec_track[rec].tolist(),
            np.rint(cat.rec_dur[rec] * 1000).astype(np.int64).tolist(),
            cat.rec_isrc[rec].tolist(),
            cat.rel_caa[cat.rec_release[rec]].tolist(),
            strict=True,
        )
        jt, rec_an, jrel, msid_of = self.jt, self.rec_an, self.jrel, self.msid
        head, profiles, mapping = self.head, self.profiles, self.mapping
        out = []
        for u, t, r, cl, v, fl, cut, a, b, rel, trk, dur, isrc, caa in cols:
            bad = (fl >> 2) & 7
            if v or fl & F_NO_RELEASE:
                tn, an, msid = self.spelled(r, v, fl & F_NO_RELEASE)
            else:
                tn, an, msid = jt[r], rec_an[r], msid_of[r]
            p = [head[u], b'"%d"' % t if bad == BAD_TS_STRING else b"%d" % t]
            p.append(b',"track_metadata":{')
            if bad != BAD_NO_TRACK:
                p += (b'"track_name":', tn, b",")
            p += (b'"artist_name":', b'""' if bad == BAD_EMPTY_ARTIST else an)
            if not fl & F_NO_RELEASE:
                p += (b',"release_name":', jrel[rel])
            p.append(b',"additional_info":{')
            sends = fl & F_CLIENT_MBID
            for piece, kind in profiles[cl]:
                if kind == _CONST:
                    p.append(piece)
                elif kind == K_DUR_MS or (kind == K_DUR_MS_OFTEN and r % 10 > 2):
                    p += (piece, b"%d," % dur)
                elif kind == K_DUR_S:
                    p += (piece, b"%d," % (dur // 1000))
                elif kind == K_TRACKNO:
                    p += (piece, b"%d," % trk)
                elif kind == K_TRACKNO_STR:
                    p += (piece, b'"%d",' % trk)
                elif kind == K_ISRC:
                    if isrc:
                        p += (piece, b'"%s%05d",' % (self.isrc_head[r % 997], r % 100_000))
                elif kind == K_SP_TRACK:
                    p += (piece, b'"https://open.spotify.com/track/', self.sp_track[r], b'",')
                elif kind == K_YOUTUBE:
                    p += (piece, b'"https://www.youtube.com/watch?v=', self.sp_track[r][:11], b'",')
                elif kind == K_SP_ALBUM:
                    p += (piece, b'"https://open.spotify.com/album/', self.sp_album[rel], b'",')
                elif kind == K_ARTIST_NAMES:
                    names = self.ja[a] if b < 0 else self.ja[a] + b"," + self.ja[b]
                    p += (piece, b"[", names, b"],")
                elif kind == K_REL_ARTIST:
                    p += (piece, self.ja[a], b",")
                elif kind == K_SP_ARTISTS:
                    url = b'"https://open.spotify.com/artist/'
                    p += (piece, b"[", url, self.sp_artist[a], b'"')
                    if b >= 0:
                        p += (b",", url, self.sp_artist[b], b'"')
                    p.append(b"],")
                elif not sends:
                    continue
                elif kind == K_REC_MBID:
                    p += (piece, b'"', self.rec_mbid[r], b'",')
                elif kind == K_REL_MBID:
                    p += (piece, b'"', self.rel_mbid[rel], b'",')
                elif kind == K_ART_MBIDS:
                    p += (piece, b'["', self.art_mbid[a])
                    p.append(b'"],' if b < 0 else b'","%s"],' % self.art_mbid[b])
            p += (b'"recording_msid":"', msid, b'"}')
            if mapping and fl & F_MAPPED:
                relm = self.rel_mbid[rel]
                p += (b',"mbid_mapping":{"recording_mbid":"', self.rec_mbid[r])
                p += (b'","recording_name":', jt[r], b',"release_mbid":"', relm, b'","artists":[')
                if b < 0:
                    p += (self.art_piece[a], b'],"artist_mbids":["', self.art_mbid[a], b'"]')
                else:
                    p += (b'{"artist_mbid":"', self.art_mbid[a], b'","artist_credit_name":')
                    p += (self.ja[a], b',"join_phrase":" feat. "},', self.art_piece[b])
                    p += (b'],"artist_mbids":["', self.art_mbid[a], b'","', self.art_mbid[b])
                    p.append(b'"]')
                if caa:
                    p.append(b',"caa_id":%d,"caa_release_mbid":"%s"' % (caa, relm))
                p.append(b"}")
            p += (b'},"recording_msid":"', msid, b'"}\n')
            line = b"".join(p)
            if bad == BAD_TRUNCATED:
                line = line[: 10 + cut % (len(line) - 20)] + b"\n"
            out.append(line)
        return b"".join(out)
