"""The bodies the fake link services send: the real services' JSON shapes, field by field.

Kept apart from the server (:mod:`tests.support.fakelinks`) because they are long: an
iTunes lookup's track and album results, and Deezer's full track object.
"""

from __future__ import annotations

from typing import Any


def itunes_track(track_id: str, artist: str, title: str, album_id: str) -> dict[str, Any]:
    slug = "-".join(title.lower().split())
    return {
        "wrapperType": "track",
        "kind": "song",
        "artistId": 5468295,
        "collectionId": int(album_id),
        "trackId": int(track_id),
        "artistName": artist,
        "collectionName": f"{title} - Single",
        "trackName": title,
        "collectionCensoredName": f"{title} - Single",
        "trackCensoredName": title,
        "artistViewUrl": "https://music.apple.com/us/artist/fake/5468295?uo=4",
        "collectionViewUrl": f"https://music.apple.com/us/album/{slug}/{album_id}?i={track_id}&uo=4",
        "trackViewUrl": f"https://music.apple.com/us/album/{slug}/{album_id}?i={track_id}&uo=4",
        "previewUrl": "https://audio-ssl.itunes.apple.com/itunes-assets/AudioPreview/fake.m4a",
        "artworkUrl30": "https://is1-ssl.mzstatic.com/image/thumb/fake/30x30bb.jpg",
        "artworkUrl60": "https://is1-ssl.mzstatic.com/image/thumb/fake/60x60bb.jpg",
        "artworkUrl100": "https://is1-ssl.mzstatic.com/image/thumb/fake/100x100bb.jpg",
        "collectionPrice": 1.29,
        "trackPrice": 1.29,
        "releaseDate": "2013-04-19T07:00:00Z",
        "collectionExplicitness": "notExplicit",
        "trackExplicitness": "notExplicit",
        "discCount": 1,
        "discNumber": 1,
        "trackCount": 1,
        "trackNumber": 1,
        "trackTimeMillis": 248413,
        "currency": "USD",
        "primaryGenreName": "Dance",
        "isStreamable": True,
    }


def itunes_album(album_id: str, artist: str) -> dict[str, Any]:
    return {
        "wrapperType": "collection",
        "collectionType": "Album",
        "artistId": 5468295,
        "collectionId": int(album_id),
        "artistName": artist,
        "collectionName": "An Album",
        "trackCount": 13,
        "primaryGenreName": "Dance",
    }


def deezer_track(track_id: str, artist: str, title: str, version: str) -> dict[str, Any]:
    full = f"{title} {version}".strip()
    return {
        "id": int(track_id),
        "readable": True,
        "title": full,
        "title_short": title,
        "title_version": version,
        "isrc": "USQX91300108",
        "link": f"https://www.deezer.com/track/{track_id}",
        "share": f"https://www.deezer.com/track/{track_id}?utm_source=deezer",
        "duration": 248,
        "track_position": 8,
        "disk_number": 1,
        "rank": 945235,
        "release_date": "2013-05-17",
        "explicit_lyrics": False,
        "explicit_content_lyrics": 0,
        "explicit_content_cover": 0,
        "preview": "https://cdnt-preview.dzcdn.net/api/1/1/fake.mp3",
        "bpm": 116,
        "gain": -9.4,
        "available_countries": ["FR", "GB", "US"],
        "contributors": [{"id": 27, "name": artist, "type": "artist", "role": "Main"}],
        "md5_image": "fake",
        "artist": {
            "id": 27,
            "name": artist,
            "link": "https://www.deezer.com/artist/27",
            "picture": "https://api.deezer.com/artist/27/image",
            "radio": True,
            "tracklist": "https://api.deezer.com/artist/27/top?limit=50",
            "type": "artist",
        },
        "album": {
            "id": 6575789,
            "title": "An Album",
            "link": "https://www.deezer.com/album/6575789",
            "cover": "https://api.deezer.com/album/6575789/image",
            "release_date": "2013-05-17",
            "tracklist": "https://api.deezer.com/album/6575789/tracks",
            "type": "album",
        },
        "type": "track",
    }
