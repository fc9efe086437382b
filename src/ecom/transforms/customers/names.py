"""Stable names for k-means clusters from their centroids (plain Python: k small rows in,
a name per cluster out; the quality rules read the names too, without Spark)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# A cluster's place against the customer-weighted means: (recent?, valuable?) → the names
# its clusters take, best first; a group with more clusters than names numbers the last.
NAME_LADDERS: dict[tuple[bool, bool], tuple[str, ...]] = {
    (True, True): ("Champions", "Loyal"),
    (True, False): ("Promising", "New"),
    (False, True): ("At risk", "Cannot lose"),
    (False, False): ("Lapsed", "Hibernating"),
}
MAX_CLUSTERS = 8


def segment_names() -> tuple[str, ...]:
    """Every name a segment can take (for accepted-values checks)."""
    names: list[str] = []
    for ladder in NAME_LADDERS.values():
        names += ladder
        names += [f"{ladder[-1]} {number}" for number in range(2, MAX_CLUSTERS + 1)]
    return tuple(names)


@dataclass(frozen=True)
class Centroid:
    """One cluster in the features' own units: customers and mean recency, orders, revenue."""

    cluster: int
    customers: int
    recency_days: float
    frequency: float
    monetary: float


def _weighted_mean(centroids: Sequence[Centroid], attribute: str) -> float:
    total = sum(centroid.customers for centroid in centroids)
    return sum(getattr(c, attribute) * c.customers for c in centroids) / max(total, 1)


def name_clusters(centroids: Sequence[Centroid]) -> dict[int, str]:
    """Cluster → name. A cluster is recent when its mean recency is at most the customers'
    mean, valuable when its mean revenue is at least theirs; within a group the clusters are
    ranked (by revenue, the lapsed group by recency, longest gone first) and take the
    group's names in order. The same centroids always give the same names."""
    recency = _weighted_mean(centroids, "recency_days")
    monetary = _weighted_mean(centroids, "monetary")
    groups: dict[tuple[bool, bool], list[Centroid]] = {}
    for centroid in centroids:
        place = (centroid.recency_days <= recency, centroid.monetary >= monetary)
        groups.setdefault(place, []).append(centroid)
    names: dict[int, str] = {}
    for place, members in groups.items():
        if place == (False, False):
            members.sort(key=lambda c: (-c.recency_days, -c.monetary, c.cluster))
        else:
            members.sort(key=lambda c: (-c.monetary, c.recency_days, c.cluster))
        ladder = NAME_LADDERS[place]
        for rank, centroid in enumerate(members):
            if rank < len(ladder):
                names[centroid.cluster] = ladder[rank]
            else:
                names[centroid.cluster] = f"{ladder[-1]} {rank - len(ladder) + 2}"
    return names
