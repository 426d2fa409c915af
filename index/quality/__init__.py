"""Measure how good an index is: recall against exact Jaccard, and hit rate on held-out
playlists against baselines (most popular, co-occurrence, ``implicit``'s models).

Nothing here runs in the bot; ``songsim index evaluate`` and ``songsim index holdout`` call it.
"""
