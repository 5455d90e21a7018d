"""Property tests of the scoring: every score in [0, 1]; a score never falls when the season
overlap grows or the distance shrinks, all else equal."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from matchmaking import scoring

unit = st.floats(0, 1)
weights = st.fixed_dictionaries(
    {
        name: st.floats(0, 5)
        for name in ["product", "season", "volume", "certifications", "distance", "values"]
    }
)
components = st.fixed_dictionaries(
    {name: unit for name in ["product", "season", "volume", "certifications", "distance", "values"]}
)
km = st.floats(0, 5000)
limit = st.one_of(st.just(float("nan")), st.floats(1, 2000))
mask = st.integers(1, (1 << 12) - 1)


def score(c, w):
    return scoring.combine({k: np.array([v]) for k, v in c.items()}, w)[0]


@given(components, weights)
def test_score_is_within_zero_and_one(c, w):
    assert 0 <= score(c, w) <= 1


@given(km, km, limit)
def test_distance_score_never_rises_with_distance(a, b, radius):
    near, far = sorted([a, b])
    s = scoring.distance_score(np.array([near, far]), np.array([radius, radius]))
    assert 0 <= s[1] <= s[0] <= 1


@given(mask, mask, st.integers(0, 11))
def test_season_overlap_never_falls_when_more_months_are_offered(need, offer, extra):
    before, _ = scoring.season_overlap(np.array([need]), np.array([offer]))
    after, _ = scoring.season_overlap(np.array([need]), np.array([offer | (1 << extra)]))
    assert 0 <= before[0] <= after[0] <= 1


@given(components, weights, mask, mask, st.integers(0, 11), km, km, limit)
def test_score_never_falls_with_more_season_or_less_distance(
    c, w, need, offer, extra, a, b, radius
):
    season_before, _ = scoring.season_overlap(np.array([need]), np.array([offer]))
    season_after, _ = scoring.season_overlap(np.array([need]), np.array([offer | (1 << extra)]))
    near, far = sorted([a, b])
    d = scoring.distance_score(np.array([far, near]), np.array([radius, radius]))
    worse = {**c, "season": season_before[0], "distance": d[0]}
    better = {**c, "season": season_after[0], "distance": d[1]}
    assert score(worse, w) <= score(better, w) + 1e-12


@given(st.lists(st.integers(0, 30), max_size=60), st.lists(st.integers(0, 30), max_size=60))
def test_join_finds_exactly_the_equal_pairs(left, right):
    left, right = np.array(left, dtype=np.int64), np.array(right, dtype=np.int64)
    i, j = scoring.join(left, right)
    expected = {(a, b) for a in range(len(left)) for b in range(len(right)) if left[a] == right[b]}
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == expected
    assert len(i) == len(expected)


@given(st.lists(st.tuples(st.integers(0, 5), st.floats(0, 1)), min_size=1, max_size=80))
def test_top_per_group_keeps_the_best_of_each_group(rows):
    groups = np.array([g for g, _ in rows])
    scores = np.array([s for _, s in rows])
    index, rank = scoring.top_per_group(groups, scores, np.arange(len(rows)), top=3)
    for g in set(groups.tolist()):
        mine = sorted(scores[groups == g].tolist(), reverse=True)[:3]
        kept = sorted(scores[index][groups[index] == g].tolist(), reverse=True)
        assert kept == mine
    assert rank.min() == 1 and rank.max() <= 3
