"""BitstringStatusList encoding."""

import pytest

from credentials import status_lists


def test_encoded_list_marks_exactly_the_revoked_indexes():
    encoded = status_lists.encode({0, 7, 8, 131071})
    assert encoded.startswith("u")
    for index in (0, 7, 8, 131071):
        assert status_lists.is_set(encoded, index)
    for index in (1, 6, 9, 5000, 131070):
        assert not status_lists.is_set(encoded, index)


def test_list_is_at_least_16kb_and_grows_past_it():
    assert not status_lists.is_set(status_lists.encode(set()), 131071)
    grown = status_lists.encode({200_000})
    assert status_lists.is_set(grown, 200_000)
    with pytest.raises(ValueError):
        status_lists.is_set(status_lists.encode(set()), 10_000_000)
    with pytest.raises(ValueError):
        status_lists.encode({-1})


def test_encoding_is_deterministic():
    assert status_lists.encode({3, 5}) == status_lists.encode([5, 3])
