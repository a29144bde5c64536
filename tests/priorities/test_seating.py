from __future__ import annotations

from collections import Counter

import pytest

from priorities.seating import Person, form_tables, seat_late, table_sizes

TYPES = ["collectivite", "etat", "entreprise", "chambre", "financeur", "formation", "autre"]


def room(n: int, weights=(5, 2, 6, 1, 1, 1, 1)) -> list[Person]:
    pool = [t for t, w in zip(TYPES, weights, strict=True) for _ in range(w)]
    filieres = ["bois", "santé", "batteries", ""]
    return [Person(i, pool[(i * 7) % len(pool)], filieres[(i * 3) % 4]) for i in range(1, n + 1)]


@pytest.mark.parametrize(
    ("n", "size", "expected"),
    [(17, 5, [5, 4, 4, 4]), (10, 5, [5, 5]), (4, 5, [4]), (0, 5, []), (31, 6, [6, 5, 5, 5, 5, 5])],
)
def test_table_sizes_are_balanced_within_one(n, size, expected):
    assert table_sizes(n, size) == expected


@pytest.mark.parametrize("mode", ["mixed", "filiere"])
@pytest.mark.parametrize("n", [1, 6, 17, 40, 151])
def test_everyone_is_seated_once_and_sizes_differ_by_one_at_most(mode, n):
    people = room(n)
    tables = form_tables(people, size=5, mode=mode, seed=3)
    seated = [pid for table in tables for pid in table]
    assert sorted(seated) == [p.id for p in people]
    sizes = [len(t) for t in tables]
    assert max(sizes) - min(sizes) <= 1
    assert max(sizes) <= 5


def test_same_seed_same_tables_other_seed_other_tables():
    people = room(40)
    assert form_tables(people, mode="mixed", seed=1) == form_tables(people, mode="mixed", seed=1)
    assert form_tables(people, mode="mixed", seed=1) != form_tables(people, mode="mixed", seed=2)


def spread_score(tables: list[list[int]], people: list[Person]) -> int:
    """Sum over actor types of (max - min) count per table: lower is better spread."""
    by_id = {p.id: p for p in people}
    total = 0
    for actor_type in {p.actor_type for p in people}:
        counts = [sum(1 for pid in t if by_id[pid].actor_type == actor_type) for t in tables]
        total += max(counts) - min(counts)
    return total


def round_robin(people: list[Person], size: int) -> list[list[int]]:
    sizes = table_sizes(len(people), size)
    tables = [[] for _ in sizes]
    for i, person in enumerate(sorted(people, key=lambda p: p.id)):
        tables[i % len(tables)].append(person.id)
    return tables


@pytest.mark.parametrize("n", [12, 17, 40, 151])
def test_mixed_spreads_actor_types_at_least_as_well_as_round_robin(n):
    people = room(n)
    mixed = form_tables(people, size=5, mode="mixed", seed=7)
    assert spread_score(mixed, people) <= spread_score(round_robin(people, 5), people)
    # and no actor type is more than one apart between two tables
    by_id = {p.id: p for p in people}
    for actor_type in {p.actor_type for p in people}:
        counts = [sum(1 for pid in t if by_id[pid].actor_type == actor_type) for t in mixed]
        assert max(counts) - min(counts) <= 1, actor_type


def test_filiere_mode_keeps_a_filiere_together():
    # 5 "bois", 4 "santé", 3 without a filière, tables of 4: the biggest filière first.
    people = [
        Person(i, "entreprise", "bois" if i <= 5 else "santé" if i <= 9 else "")
        for i in range(1, 13)
    ]
    by_id = {p.id: p for p in people}
    for seed in (0, 1, 2):
        tables = form_tables(people, size=4, mode="filiere", seed=seed)
        assert [Counter(by_id[pid].filiere for pid in t) for t in tables] == [
            Counter({"bois": 4}),
            Counter({"bois": 1, "santé": 3}),
            Counter({"santé": 1, "": 3}),
        ]


def test_late_arrival_goes_to_the_smallest_table_with_fewest_of_their_type():
    tables = {
        1: [Person(1, "etat", ""), Person(2, "entreprise", "")],
        2: [Person(3, "etat", ""), Person(4, "etat", "")],
        3: [Person(5, "entreprise", ""), Person(6, "collectivite", ""), Person(7, "autre", "")],
    }
    assert seat_late(Person(9, "etat", ""), tables, mode="mixed") == 1
    assert seat_late(Person(9, "entreprise", ""), tables, mode="mixed") == 2
    by_filiere = {1: [Person(1, "x", "bois")], 2: [Person(2, "x", "santé")]}
    assert seat_late(Person(3, "x", "santé"), by_filiere, mode="filiere") == 2
