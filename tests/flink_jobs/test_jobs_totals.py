"""The aggregate both jobs keep: one (count, sum, min, max, latest) tuple, never a list."""

from flink_jobs import totals


def test_add_folds_events_into_one_tuple():
    acc = None
    for value, event_time in [(5, 100), (2, 300), (9, 200)]:
        acc = totals.add(acc, value, event_time)
    assert acc == (3, 16, 2, 9, 300)
    assert type(acc) is tuple  # PyFlink's tuple coder rejects tuple subclasses


def test_add_to_the_empty_accumulator_starts_fresh():
    assert totals.add(totals.EMPTY, -4, 7) == (1, -4, -4, -4, 7)


def test_merge_is_the_same_as_adding_everything():
    left = right = None
    for value, t in [(1, 10), (8, 20)]:
        left = totals.add(left, value, t)
    for value, t in [(3, 5), (0, 50)]:
        right = totals.add(right, value, t)
    both = None
    for value, t in [(1, 10), (8, 20), (3, 5), (0, 50)]:
        both = totals.add(both, value, t)
    assert totals.merge(left, right) == both
    assert totals.merge(totals.EMPTY, right) == right
    assert totals.merge(left, None) == left
