"""Interval metrics: hand-computed values, scikit-learn's pinball loss, errors."""

import numpy as np
import pytest
from sklearn.metrics import mean_pinball_loss

from skseq.metrics import (
    empirical_coverage,
    make_interval_scorer,
    mean_width,
    pinball_loss,
    winkler_losses,
    winkler_score,
)

Y = np.array([1.0, 5.0, -2.0, 0.5])
INTERVALS = np.array([[0.0, 2.0], [0.0, 4.0], [-1.0, 1.0], [0.5, 0.5]])


def test_coverage_counts_values_inside_bounds_included():
    assert empirical_coverage(Y, INTERVALS) == 0.5  # rows 0 and 3 (on a bound)


def test_mean_width_is_the_mean_distance_between_bounds():
    assert mean_width(INTERVALS) == pytest.approx((2 + 4 + 2 + 0) / 4)


def test_winkler_charges_two_over_alpha_per_unit_of_miss():
    """At coverage 0.8 (alpha 0.2) each unit outside costs 10 on top of the width."""
    losses = winkler_losses(Y, INTERVALS, coverage=0.8)
    np.testing.assert_allclose(losses, [2, 4 + 10 * 1, 2 + 10 * 1, 0])
    assert winkler_score(Y, INTERVALS, 0.8) == pytest.approx(np.mean(losses))


def test_winkler_of_multi_step_intervals_keeps_the_shape():
    y = np.stack([Y, Y + 1], axis=1)
    intervals = np.stack([INTERVALS, INTERVALS + 1], axis=1)
    assert winkler_losses(y, intervals, 0.9).shape == (4, 2)
    assert empirical_coverage(y, intervals) == 0.5


@pytest.mark.parametrize("quantile", [0.05, 0.5, 0.95])
def test_pinball_loss_equals_scikit_learns(quantile):
    rng = np.random.default_rng(0)
    y, q = rng.normal(size=50), rng.normal(size=50)
    assert pinball_loss(y, q, quantile) == pytest.approx(
        mean_pinball_loss(y, q, alpha=quantile)
    )


def test_shapes_that_do_not_match_are_refused():
    with pytest.raises(ValueError, match=r"y_true.shape \+ \(2,\)"):
        empirical_coverage(Y, INTERVALS[:3])
    with pytest.raises(ValueError, match="last axis of length 2"):
        mean_width(np.ones((4, 3)))
    with pytest.raises(ValueError, match="must match"):
        pinball_loss(Y, Y[:2], 0.5)


@pytest.mark.parametrize("coverage", [90, 0, 1, True])
def test_winkler_coverage_must_be_a_fraction(coverage):
    with pytest.raises(ValueError, match="coverage must be a fraction"):
        winkler_score(Y, INTERVALS, coverage)


def test_unknown_scorer_names_list_the_known_ones():
    with pytest.raises(ValueError, match="neg_winkler"):
        make_interval_scorer("winkler")
