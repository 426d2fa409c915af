"""The Yes.com side-information script counts nearness and tags as its research note says."""

from __future__ import annotations

import numpy as np

from tests.support.scripts import load_script

ys = load_script("yes_side_info")


def test_nearness_counts_one_over_the_distance_within_a_playlist_only():
    playlists = [np.array([0, 1, 2, 3]), np.array([3, 4])]
    near = ys.nearness(playlists, 5, window=2).toarray()
    assert near[0, 1] == near[1, 0] == 1.0
    assert near[0, 2] == 0.5
    assert near[0, 3] == 0.0  # three plays apart: outside the window
    assert near[3, 4] == 1.0 and near[2, 4] == 0.0  # nothing across playlists
    assert not near.diagonal().any()


def test_tags_are_unit_rows_so_their_product_is_the_cosine(tmp_path):
    (tmp_path / "tags.txt").write_text("0 1\n#\n1\n")
    tags = ys.read_tags(tmp_path, 3)
    cos = (tags @ tags.T).toarray()
    assert np.isclose(cos[0, 2], 1 / np.sqrt(2))
    assert cos[1].sum() == 0  # a song without tags is like none


def test_a_split_scores_raw_co_occurrence_pages(tmp_path):
    """Two radio hours played six times each: the held-out plays' seeds find their playlist-mates."""
    (tmp_path / "train.txt").write_text("x\ny\n" + "0 1 2 \n" * 6 + "3 4 \n" * 6)
    (tmp_path / "tags.txt").write_text("0\n0\n0\n1\n1\n")
    playlists = ys.read_playlists(tmp_path)
    out = ys.run_split(playlists, ys.read_tags(tmp_path, 5), seed=1, window=3)
    for spec in [("cooc", 0.0, 0.0), ("near", 0.5, 0.0), ("tags", 0.35, 10.0)]:
        hit_rate, coverage, popularity = out[spec]
        assert hit_rate == 1.0  # every page holds the seed's playlist-mates
        assert 2 <= coverage <= 5 and popularity >= 4  # each song is in 4-6 train playlists
