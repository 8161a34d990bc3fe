"""Small-cell suppression: primary and complementary, one and two dimensions."""

from reports.suppression import (
    TOTAL,
    suppress_one_dimension,
    suppress_two_dimensions,
)


def test_one_dimension_without_small_cells_hides_nothing():
    assert suppress_one_dimension({"a": 10, "b": 7}, 17, k=5) == set()


def test_one_dimension_single_small_cell_also_hides_the_next_smallest():
    hidden = suppress_one_dimension({"a": 3, "b": 9, "c": 6, "d": 40}, 58, k=5)
    assert hidden == {"a", "c"}


def test_one_dimension_two_small_cells_need_no_complement():
    assert suppress_one_dimension({"a": 3, "b": 4, "c": 30}, 37, k=5) == {"a", "b"}


def test_one_dimension_ignores_empty_cells_as_complements():
    # A zero cell reveals nobody and protects nobody: the complement must be a real cell.
    hidden = suppress_one_dimension({"a": 2, "z": 0, "b": 8}, 10, k=5)
    assert hidden == {"a", "b"}


def test_one_dimension_lone_small_cell_hides_the_total():
    assert suppress_one_dimension({"a": 2, "b": 0}, 2, k=5) == {"a", TOTAL}


def test_one_dimension_single_cell_equal_to_total_needs_nothing_when_large():
    assert suppress_one_dimension({"a": 9}, 9, k=5) == set()


def test_one_dimension_ties_are_broken_by_key_not_row_order():
    first = suppress_one_dimension({"x": 1, "c": 7, "b": 7}, 15, k=5)
    second = suppress_one_dimension({"b": 7, "x": 1, "c": 7}, 15, k=5)
    assert first == second == {"x", "b"}


def test_two_dimensions_protect_rows_and_columns():
    # rows r1, r2, r3; columns c1, c2. Only (r1, c1) is small.
    cells = {
        ("r1", "c1"): 2, ("r1", "c2"): 10,
        ("r2", "c1"): 8, ("r2", "c2"): 12,
        ("r3", "c1"): 20, ("r3", "c2"): 30,
    }  # fmt: skip
    rows = {"r1": 12, "r2": 20, "r3": 50}
    columns = {"c1": 30, "c2": 52}
    hidden = suppress_two_dimensions(cells, rows, columns, 82, k=5)
    # Row r1 needs a second hidden cell (r1, c2); column c1 needs (r2, c1); then column c2
    # has one hidden cell and hides its smallest other, (r2, c2), which also closes row r2.
    assert hidden == {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}
    # No line is left with exactly one hidden cell under a published total.
    for row in rows:
        in_row = [key for key in hidden if key[0] == row and key[1] != TOTAL]
        assert len(in_row) != 1
    for column in columns:
        in_column = [key for key in hidden if key[1] == column and key[0] != TOTAL]
        assert len(in_column) != 1


def test_two_dimensions_small_margin_spreads_to_the_whole_table():
    # One course (c2) with a single teacher: its column total is small, and every line
    # crossing it must hide a second cell, until only the grand total remains.
    cells = {("s14", "c1"): 6, ("s14", "c2"): 1, ("s09", "c1"): 6}
    rows = {"s14": 6, "s09": 6}
    columns = {"c1": 12, "c2": 1}
    hidden = suppress_two_dimensions(cells, rows, columns, 12, k=3)
    assert hidden == {
        ("s14", "c1"), ("s14", "c2"), ("s09", "c1"),
        ("s14", TOTAL), ("s09", TOTAL),
        (TOTAL, "c1"), (TOTAL, "c2"),
    }  # fmt: skip
    assert (TOTAL, TOTAL) not in hidden


def test_two_dimensions_without_small_cells_hides_nothing():
    cells = {("a", "x"): 5, ("a", "y"): 6, ("b", "x"): 7, ("b", "y"): 8}
    assert suppress_two_dimensions(cells, {"a": 11, "b": 15}, {"x": 12, "y": 14}, 26, k=5) == set()
