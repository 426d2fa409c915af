"""A YouTube video's title and channel read as the song it plays (pure, no network).

What a user notices: a pasted video finds its song, whether it is an artist's official
video, a "Topic" upload from YouTube Music, a VEVO channel or a lyrics channel, and the
video's decorations never end up in the search.
"""

from __future__ import annotations

import pytest

from bot.links import VideoSong, song_from_video

CASES = [
    # Artist - Title with the usual decorations
    ("Rick Astley - Never Gonna Give You Up (Official Music Video)", "Rick Astley",
     "Rick Astley", "Never Gonna Give You Up"),
    ("Coldplay - Yellow (Official Video)", "Coldplay", "Coldplay", "Yellow"),
    ("The Weeknd - Blinding Lights (Official Audio)", "The Weeknd", "The Weeknd",
     "Blinding Lights"),
    ("Alan Walker - Faded [Official Music Video] HD", "Alan Walker", "Alan Walker", "Faded"),
    ("Linkin Park - In The End [Official HD Music Video]", "Linkin Park", "Linkin Park",
     "In The End"),
    ("a-ha - Take On Me (Official Video) [4K]", "a-ha", "a-ha", "Take On Me"),
    ("Michael Jackson - Billie Jean (Official Video) 1080p HD", "michaeljacksonVEVO",
     "Michael Jackson", "Billie Jean"),
    ("Eminem - Lose Yourself [HD]", "EminemMusic", "Eminem", "Lose Yourself"),
    ("Ed Sheeran - Shape of You (Lyrics)", "7clouds", "Ed Sheeran", "Shape of You"),
    ("Avicii - Wake Me Up (Lyric Video)", "AviciiOfficialVEVO", "Avicii", "Wake Me Up"),
    ("Adele - Hello (Official Lyric Video)", "Adele", "Adele", "Hello"),
    ("Billie Eilish - bad guy (Official Visualizer)", "BillieEilishVEVO", "Billie Eilish",
     "bad guy"),
    ("Queen – Bohemian Rhapsody (Official Video Remastered)", "Queen Official", "Queen",
     "Bohemian Rhapsody"),
    ("The Beatles - Here Comes The Sun (Remastered 2009)", "The Beatles", "The Beatles",
     "Here Comes The Sun"),
    ("Pink Floyd - Wish You Were Here (2011 Remaster)", "Pink Floyd", "Pink Floyd",
     "Wish You Were Here"),
    ("Gotye - Somebody That I Used To Know (feat. Kimbra) - official music video", "gotye",
     "Gotye", "Somebody That I Used To Know"),
    ("Nirvana - Smells Like Teen Spirit (Official Music Video) #nirvana #grunge", "NirvanaVEVO",
     "Nirvana", "Smells Like Teen Spirit"),
    ("Kendrick Lamar - HUMBLE. (Official Video)", "KendrickLamarVEVO", "Kendrick Lamar",
     "HUMBLE."),
    ("Daft Punk - Get Lucky (Official Audio) ft. Pharrell Williams, Nile Rodgers", "Daft Punk",
     "Daft Punk", "Get Lucky"),
    ("Luis Fonsi - Despacito ft. Daddy Yankee", "LuisFonsiVEVO", "Luis Fonsi", "Despacito"),
    ("Major Lazer & DJ Snake - Lean On (feat. MØ) (Official Music Video)", "Major Lazer",
     "Major Lazer & DJ Snake", "Lean On"),
    ("Drake ft. Rihanna - Take Care", "DrakeVEVO", "Drake", "Take Care"),
    ("Mark Ronson - Uptown Funk (feat. Bruno Mars) [Official Video]", "Mark Ronson",
     "Mark Ronson", "Uptown Funk"),
    ("Post Malone, Swae Lee - Sunflower (with Swae Lee)", "Post Malone", "Post Malone, Swae Lee",
     "Sunflower"),
    ("Travis Scott - SICKO MODE (Prod. by Hit-Boy)", "TravisScottVEVO", "Travis Scott",
     "SICKO MODE"),
    ("Pharrell Williams - Happy (Video)", "PharrellWilliamsVEVO", "Pharrell Williams", "Happy"),
    ("Artist - Title Official Video HD", "Someone", "Artist", "Title"),
    ("Artist - Title Official Music Video", "Someone", "Artist", "Title"),
    ("Artist - Title Lyrics", "Lyrics Channel", "Artist", "Title"),
    ("Artist - Title - Official Audio", "Someone", "Artist", "Title"),
    ("Artist — Title", "Someone", "Artist", "Title"),
    ("Artist -- Title", "Someone", "Artist", "Title"),
    ("Artist ~ Title", "Someone", "Artist", "Title"),
    # "| Genre", "| Label" and "// ..." tails
    ("Bad Bunny - Tití Me Preguntó (Video Oficial) | Un Verano Sin Ti", "Bad Bunny", "Bad Bunny",
     "Tití Me Preguntó"),
    ("Marshmello - Alone | Monstercat Release", "Monstercat: Uncaged", "Marshmello", "Alone"),
    ("Tobu - Candyland [NCS Release]", "NoCopyrightSounds", "Tobu", "Candyland"),
    ("Kygo - Firestone ft. Conrad Sewell | Tropical House", "Kygo", "Kygo", "Firestone"),
    ("ODESZA - A Moment Apart // Official Audio", "ODESZA", "ODESZA", "A Moment Apart"),
    ("Artist - Title | Deep House | 2019", "Some Label", "Artist", "Title"),
    # Title alone: the channel is the artist
    ("Get Lucky", "Daft Punk - Topic", "Daft Punk", "Get Lucky"),
    ("Yesterday - Remastered 2009", "The Beatles - Topic", "The Beatles", "Yesterday"),
    ("Bohemian Rhapsody - Remastered 2011", "Queen - Topic", "Queen", "Bohemian Rhapsody"),
    ("Stairway to Heaven - Live", "Led Zeppelin - Topic", "Led Zeppelin",
     "Stairway to Heaven - Live"),
    ("Anti-Hero", "TaylorSwiftVEVO", "Taylor Swift", "Anti-Hero"),
    ("Taylor Swift - Anti-Hero (Official Music Video)", "TaylorSwiftVEVO", "Taylor Swift",
     "Anti-Hero"),
    ("Shape of You", "Ed Sheeran", "Ed Sheeran", "Shape of You"),
    ("Shape of You (Official Music Video)", "Ed Sheeran", "Ed Sheeran", "Shape of You"),
    ("Karma Police", "Radiohead - Topic", "Radiohead", "Karma Police"),
    ("Faded | Official Video", "Alan Walker", "Alan Walker", "Faded"),
    ("Yellow | Coldplay", "Coldplay", "Coldplay", "Yellow"),
    ("Bohemian Rhapsody (Official Video Remastered)", "Queen Official", "Queen",
     "Bohemian Rhapsody"),
    # Title - Artist, when the channel says so
    ("Hello - Adele", "Adele", "Adele", "Hello"),
    # Quoted titles (K-pop, J-pop)
    ("BTS (방탄소년단) 'Dynamite' Official MV", "HYBE LABELS", "BTS", "Dynamite"),
    ("BLACKPINK - 'Pink Venom' M/V", "BLACKPINK", "BLACKPINK", "Pink Venom"),
    ("(G)I-DLE - 'Queencard' Official Music Video", "(G)I-DLE (여자)아이들", "(G)I-DLE",
     "Queencard"),
    ("YOASOBI「夜に駆ける」 Official Music Video", "Ayase / YOASOBI", "YOASOBI", "夜に駆ける"),
    ('The Weeknd "Blinding Lights" (Official Video)', "TheWeekndVEVO", "The Weeknd",
     "Blinding Lights"),
    # Versions that are another recording stay
    ("Beyoncé - Halo (Live)", "beyonceVEVO", "Beyoncé", "Halo (Live)"),
    ("Post Malone - Circles (Live From Saturday Night Live)", "PostMaloneVEVO", "Post Malone",
     "Circles (Live From Saturday Night Live)"),
    ("Nirvana - Come As You Are (MTV Unplugged)", "NirvanaVEVO", "Nirvana",
     "Come As You Are (MTV Unplugged)"),
    ("Artist - Title (Official Live Video)", "Someone", "Artist", "Title (Official Live Video)"),
    ("Artist - Title (Acoustic Version) [Official Audio]", "Someone", "Artist",
     "Title (Acoustic Version)"),
    # Titles made of decoration words are kept
    ("Madonna - Music (Official Video)", "Madonna", "Madonna", "Music"),
    ("LSD - Audio (Official Video) ft. Sia, Diplo, Labrinth", "LSDVEVO", "LSD", "Audio"),
    ("India.Arie - Video", "IndiaArieVEVO", "India.Arie", "Video"),
    ("The Buggles - Video Killed The Radio Star (Official Music Video)", "The Buggles",
     "The Buggles", "Video Killed The Radio Star"),
    ("Pearl Jam - Release", "Pearl Jam", "Pearl Jam", "Release"),
    ("Don't Stop Me Now (Official Video)", "Queen Official", "Queen", "Don't Stop Me Now"),
    ("#1 Crush", "Garbage - Topic", "Garbage", "#1 Crush"),
    ("Garbage - #1 Crush #90s #shorts", "GarbageVEVO", "Garbage", "#1 Crush"),
    ("Nelly - #1", "NellyVEVO", "Nelly", "#1"),
    # Emoji and junk at the edges
    ("🔥 Drake - God's Plan 🔥", "DrakeVEVO", "Drake", "God's Plan"),
    ("  Artist   -   Title  ", "x", "Artist", "Title"),
]  # fmt: skip


@pytest.mark.parametrize(("title", "channel", "artist", "song"), CASES)
def test_video_titles_become_artist_and_title(
    title: str, channel: str, artist: str, song: str
) -> None:
    assert song_from_video(title, channel) == VideoSong(artist, song)


def test_the_query_is_artist_dash_title() -> None:
    assert song_from_video("Coldplay - Yellow (Official Video)", "Coldplay").query == (
        "Coldplay - Yellow"
    )
    assert VideoSong(None, "Yellow").query == "Yellow"


def test_without_a_channel_a_title_alone_has_no_artist() -> None:
    assert song_from_video("Yellow (Official Video)", "") == VideoSong(None, "Yellow")


@pytest.mark.parametrize(
    ("title", "channel"),
    [
        ("", "Daft Punk"),
        ("   ", ""),
        ("(Official Video)", "Daft Punk"),
        ("#shorts", "x"),
        ("🔥🔥", ""),
    ],
)
def test_titles_with_no_song_left_give_none(title: str, channel: str) -> None:
    assert song_from_video(title, channel) is None


@pytest.mark.parametrize(
    "title",
    ["(((", "[]][[", "- - -", "|||", "'", '"', "「", "feat. X", "ft.", "((Official)", "a" * 5000],
)
def test_odd_titles_never_raise(title: str) -> None:
    got = song_from_video(title, "Channel")
    assert got is None or got.title.strip()
