"""Forming peer tables. Pure functions of (participant, actor type, filière) tuples.

- Sizes: n people at tables of `size` at most make ceil(n / size) tables whose sizes differ
  by one at most (17 at 5 -> 5, 4, 4, 4).
- "mixte": people are sorted by actor type (the rarest types first) and dealt round the
  tables like cards, so each type is spread as evenly as it can be.
- "par filière": people are ordered by the filière of their priority (the biggest filières
  first, then those without one) and the tables are filled one after another, so related
  priorities sit together.
- Deterministic: ties are broken by a shuffle seeded with `seed`.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    id: int
    actor_type: str
    filiere: str  # '' when the priority names none


def table_sizes(n: int, size: int) -> list[int]:
    if n <= 0:
        return []
    count = math.ceil(n / max(1, size))
    base, extra = divmod(n, count)
    return [base + 1 if i < extra else base for i in range(count)]


def form_tables(
    people: list[Person], *, size: int = 5, mode: str = "mixed", seed: int = 0
) -> list[list[int]]:
    """Tables as lists of participant ids."""
    rng = random.Random(seed)
    shuffled = sorted(people, key=lambda p: p.id)
    rng.shuffle(shuffled)
    sizes = table_sizes(len(people), size)
    if not sizes:
        return []
    if mode == "filiere":
        counts = Counter(p.filiere for p in shuffled if p.filiere)
        ordered = sorted(
            shuffled, key=lambda p: (p.filiere == "", -counts.get(p.filiere, 0), p.filiere)
        )
        tables, start = [], 0
        for table_size in sizes:
            tables.append([p.id for p in ordered[start : start + table_size]])
            start += table_size
        return tables
    counts = Counter(p.actor_type for p in shuffled)
    ordered = sorted(shuffled, key=lambda p: (counts[p.actor_type], p.actor_type))
    tables: list[list[int]] = [[] for _ in sizes]
    # Deal round the tables; a table that is full is skipped (sizes stay balanced).
    slot = 0
    for person in ordered:
        while len(tables[slot % len(tables)]) >= sizes[slot % len(tables)]:
            slot += 1
        tables[slot % len(tables)].append(person.id)
        slot += 1
    return tables


def seat_late(person: Person, tables: dict[int, list[Person]], *, mode: str) -> int:
    """The table number for someone arriving after the tables were formed: among the
    smallest tables, the one with most of their filière ("par filière") or fewest of their
    actor type ("mixte"); the lowest number breaks ties."""
    smallest = min(len(members) for members in tables.values())
    candidates = [n for n, members in tables.items() if len(members) == smallest]

    def score(number: int) -> tuple[int, int]:
        members = tables[number]
        if mode == "filiere":
            same = sum(1 for m in members if person.filiere and m.filiere == person.filiere)
            return (-same, number)
        return (sum(1 for m in members if m.actor_type == person.actor_type), number)

    return min(candidates, key=score)
