"""Geometry of the live filière map (pure functions): clusters of locomotives, one per
filière, on a 4 × 2 grid; partners on rings around their locomotive."""

from __future__ import annotations

import math

MAP_WIDTH, MAP_HEIGHT = 1200, 640
CLUSTER_COLUMNS, CLUSTER_ROWS = 4, 2


def cluster_centre(index: int) -> tuple[float, float]:
    index %= CLUSTER_COLUMNS * CLUSTER_ROWS
    column, row = index % CLUSTER_COLUMNS, index // CLUSTER_COLUMNS
    return 150 + 300 * column, 170 + 300 * row


def ring(slot: int, radius: float, per_ring: int, offset: float = 0.0) -> tuple[float, float]:
    """The offset of the `slot`-th place on rings of `per_ring` places around a centre."""
    turn, position = divmod(slot, per_ring)
    angle = offset + 2 * math.pi * position / per_ring + turn * 0.4
    r = radius * (1 + 0.55 * turn)
    return r * math.cos(angle), r * math.sin(angle)
