"""Users, sessions and their events: types, products, times and ids, as numpy columns."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ecom.devdata.catalog import Catalog
from ecom.devdata.schedule import MINUTE_WEIGHTS, SECONDS_PER_DAY, Window
from ecom.sources.clickstream.contract import EVENT_TYPES

# Event mix of the real data (2019-10: view 96.07%, cart 2.18%, purchase 1.75%).
CART_SHARE = 0.0200
REMOVE_SHARE = 0.0030
PURCHASE_SHARE = 0.0170

# Sessions: geometric event counts, a share of them "shopping" (carts and purchases).
MEAN_SESSION_EVENTS = 4.6
MAX_SESSION_EVENTS = 150
SHOP_RATE_LONG = 0.12  # sessions of 3+ events
SHOP_RATE_PAIR = 0.04  # sessions of 2 events
REVISIT_RATE = 0.25  # a later view shows a product already seen in the session
CART_AFTER_VIEW = 0.9  # a cart right after a view is for the product just viewed
PURCHASE_FROM_CART = 0.8  # the k-th purchase of a session buys its k-th cart when there is one
GAP_MEDIAN_SECONDS = 18.0
GAP_SIGMA = 1.1
MAX_GAP_SECONDS = 1_800

# Users: ids in ~5.1e8..5.7e8, a pool of rows/10 with a few heavy returners.
USER_ID_BASE = 510_000_000
USER_ID_SPAN = 60_000_000
USER_ID_MULTIPLIER = 19_999_999  # coprime with USER_ID_SPAN: a bijection of the pool
USER_ID_OFFSET = 7_654_321
USER_POOL_DIVISOR = 10
USER_SKEW = 1.6

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_SESSION_TEMPLATE = np.frombuffer(b"00000000-0000-0000-0000-000000000000\n", dtype=np.uint8)
_VIEW, _CART, _REMOVE, _PURCHASE = (
    EVENT_TYPES.index(name) for name in ("view", "cart", "remove_from_cart", "purchase")
)


@dataclass(frozen=True)
class Events:
    """A batch of events as parallel columns."""

    t: np.ndarray  # int64 seconds since the start of the range
    etype: np.ndarray  # int8 index into EVENT_TYPES
    prod: np.ndarray  # int64 product rank
    user: np.ndarray  # int64 user_id
    sess: np.ndarray  # uint8 (n, 37): the user_session text and the newline ending the row

    def __len__(self) -> int:
        """Number of events."""
        return int(self.t.shape[0])

    def select(self, index: np.ndarray) -> Events:
        """The events at `index` (a mask or positions), in that order."""
        return Events(
            self.t[index], self.etype[index], self.prod[index], self.user[index], self.sess[index]
        )

    @staticmethod
    def concat(first: Events, second: Events) -> Events:
        """`first` followed by `second`."""
        return Events(
            np.concatenate([first.t, second.t]),
            np.concatenate([first.etype, second.etype]),
            np.concatenate([first.prod, second.prod]),
            np.concatenate([first.user, second.user]),
            np.concatenate([first.sess, second.sess]),
        )

    @staticmethod
    def empty() -> Events:
        """No events."""
        return Events(
            np.empty(0, np.int64),
            np.empty(0, np.int8),
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty((0, len(_SESSION_TEMPLATE)), np.uint8),
        )


def _geometric_p() -> float:
    """Success probability of the geometric session length with the wanted mean."""
    return 1.0 / MEAN_SESSION_EVENTS


def _shop_rate(lengths: np.ndarray) -> np.ndarray:
    """Probability that a session of each length is a shopping session."""
    return np.where(lengths >= 3, SHOP_RATE_LONG, np.where(lengths == 2, SHOP_RATE_PAIR, 0.0))


def _shopping_event_share() -> float:
    """Expected share of events that sit after the first one in a shopping session."""
    lengths = np.arange(1, MAX_SESSION_EVENTS + 1)
    p = _geometric_p()
    pmf = (1 - p) ** (lengths - 1) * p
    pmf[-1] += 1.0 - pmf.sum()
    return float((pmf * (lengths - 1) * _shop_rate(lengths)).sum() / (pmf * lengths).sum())


_SHOP_SHARE = _shopping_event_share()
_CART_RATE = CART_SHARE / _SHOP_SHARE
_PURCHASE_RATE = PURCHASE_SHARE / _SHOP_SHARE


def _session_lengths(rng: np.random.Generator, events: int) -> np.ndarray:
    """Event counts of sessions that hold exactly `events` events (the last one cut)."""
    if events == 0:
        return np.empty(0, dtype=np.int64)
    parts: list[np.ndarray] = []
    total = 0
    while total < events:
        size = int((events - total) / MEAN_SESSION_EVENTS * 1.15) + 16
        part = np.minimum(rng.geometric(_geometric_p(), size=size), MAX_SESSION_EVENTS)
        parts.append(part)
        total += int(part.sum())
    lengths = np.concatenate(parts)
    ends = np.cumsum(lengths)
    count = int(np.searchsorted(ends, events)) + 1
    lengths = lengths[:count].copy()
    lengths[-1] -= int(ends[count - 1]) - events
    return lengths


def _event_types(
    rng: np.random.Generator, lengths: np.ndarray, first: np.ndarray, pos: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Event type of every event, and the index of the last earlier cart in its session."""
    n = len(pos)
    shop = np.repeat(rng.random(len(lengths)) < _shop_rate(lengths), lengths) & (pos > 0)
    u = rng.random(n)
    etype = np.full(n, _VIEW, dtype=np.int8)
    etype[shop & (u < _CART_RATE)] = _CART
    etype[shop & (u >= _CART_RATE) & (u < _CART_RATE + _PURCHASE_RATE)] = _PURCHASE
    last_cart = np.maximum.accumulate(np.where(etype == _CART, np.arange(n), -1))
    prior_cart = np.r_[-1, last_cart[:-1]]
    prior_cart[prior_cart < first] = -1
    candidates = (prior_cart >= 0) & (etype == _VIEW)
    rate = min(0.5, REMOVE_SHARE * n / max(int(candidates.sum()), 1))
    etype[candidates & (rng.random(n) < rate)] = _REMOVE
    return etype, prior_cart


def _nth_cart_of_session(etype: np.ndarray, first: np.ndarray) -> np.ndarray:
    """For the k-th purchase of a session, its k-th earlier cart event (-1 when none)."""
    is_cart = etype == _CART
    is_purchase = etype == _PURCHASE
    cart_indices = np.flatnonzero(is_cart)
    carts = np.cumsum(is_cart)  # carts up to and including each event
    purchases = np.cumsum(is_purchase) - is_purchase  # purchases before each event
    nth = purchases - purchases[first]  # the first event of a session is always a view
    available = carts - carts[first]
    slot = np.minimum(carts[first] + nth, max(len(cart_indices) - 1, 0))
    found = is_purchase & (nth < available)
    return np.where(found, cart_indices[slot] if len(cart_indices) else -1, -1)


def _products(
    rng: np.random.Generator,
    catalog: Catalog,
    etype: np.ndarray,
    first: np.ndarray,
    pos: np.ndarray,
    prior_cart: np.ndarray,
) -> np.ndarray:
    """Product rank of every event: fresh Zipf draws, or a product seen earlier in the session."""
    n = len(pos)
    index = np.arange(n)
    earlier = first + np.floor(rng.random(n) * pos).astype(np.int64)
    ref = index.copy()
    revisit = (etype == _VIEW) & (pos > 0) & (rng.random(n) < REVISIT_RATE)
    ref[revisit] = earlier[revisit]
    after_view = np.r_[False, etype[:-1] == _VIEW] & (pos > 0)
    cart = etype == _CART  # the product just viewed, else one added from a listing
    ref[cart] = np.where(after_view & (rng.random(n) < CART_AFTER_VIEW), index - 1, index)[cart]
    remove = etype == _REMOVE
    ref[remove] = prior_cart[remove]
    purchase = etype == _PURCHASE  # a carted product, else the one just viewed, else a new one
    carted = _nth_cart_of_session(etype, first)
    from_cart = (carted >= 0) & (rng.random(n) < PURCHASE_FROM_CART)
    ref[purchase] = np.where(from_cart, carted, np.where(after_view, index - 1, index))[purchase]
    while True:  # follow references back to an event with its own draw
        deeper = ref[ref]
        if np.array_equal(deeper, ref):
            break
        ref = deeper
    draws = np.searchsorted(catalog.cdf, rng.random(n), side="right")
    return np.minimum(draws, len(catalog.cdf) - 1)[ref]


def _offsets(
    rng: np.random.Generator, lengths: np.ndarray, first: np.ndarray, pos: np.ndarray
) -> np.ndarray:
    """Seconds from the start of its session to every event (strictly increasing inside one)."""
    gaps = 1 + np.floor(rng.lognormal(math.log(GAP_MEDIAN_SECONDS), GAP_SIGMA, len(pos)))
    gaps = np.minimum(gaps, MAX_GAP_SECONDS).astype(np.int64)
    gaps[pos == 0] = 0
    running = np.cumsum(gaps)
    return running - running[first]


def _session_starts(rng: np.random.Generator, window: Window, sessions: int) -> np.ndarray:
    """Start second (since the range start) of each session, following the daily profile."""
    weights = MINUTE_WEIGHTS[window.first_minute : window.end_minute]
    cdf = np.cumsum(weights) / weights.sum()
    minute = window.first_minute + np.minimum(
        np.searchsorted(cdf, rng.random(sessions), side="right"), len(weights) - 1
    )
    second = rng.integers(0, 60, size=sessions)
    return window.day * SECONDS_PER_DAY + minute * 60 + second


def _fit_before(
    starts: np.ndarray,
    offsets: np.ndarray,
    lengths: np.ndarray,
    pos: np.ndarray,
    session: np.ndarray,
    earliest: int,
    end: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Move and squeeze sessions that would run past `end` so they finish before it."""
    span = offsets[np.cumsum(lengths) - 1]
    late = starts + span >= end
    if not late.any():
        return starts, offsets
    starts = np.where(late, np.maximum(earliest, np.minimum(starts, end - lengths)), starts)
    room = end - 1 - starts
    squeeze = np.repeat(late & (span > room), lengths)
    slack = (offsets - pos)[squeeze]
    need = (span - (lengths - 1))[session][squeeze]
    have = (room - (lengths - 1))[session][squeeze]
    offsets = offsets.copy()
    offsets[squeeze] = pos[squeeze] + slack * have // np.maximum(need, 1)
    return starts, offsets


def _session_ids(rng: np.random.Generator, sessions: int) -> np.ndarray:
    """Random version-4 UUIDs as text rows: lowercase 8-4-4-4-12 hex, then a newline."""
    raw = np.frombuffer(rng.bytes(16 * sessions), dtype=np.uint8).reshape(sessions, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = _HEX_DIGITS[np.stack([raw >> 4, raw & 0x0F], axis=2).reshape(sessions, 32)]
    out = np.tile(_SESSION_TEMPLATE, (sessions, 1))
    for source, target, width in ((0, 0, 8), (8, 9, 4), (12, 14, 4), (16, 19, 4), (20, 24, 12)):
        out[:, target : target + width] = digits[:, source : source + width]
    return out


def _user_ids(rng: np.random.Generator, sessions: int, pool: int) -> np.ndarray:
    """A user per session from the pool (some users come back much more often)."""
    member = np.floor(pool * rng.random(sessions) ** USER_SKEW).astype(np.int64)
    return USER_ID_BASE + (member * USER_ID_MULTIPLIER + USER_ID_OFFSET) % USER_ID_SPAN


def window_events(
    rng: np.random.Generator, catalog: Catalog, window: Window, user_pool: int, range_end: int
) -> Events:
    """The events of the sessions that start in `window`, duplicates next to their original."""
    originals = window.rows - window.duplicates
    if originals == 0:
        return Events.empty()
    lengths = _session_lengths(rng, originals)
    sessions = len(lengths)
    session = np.repeat(np.arange(sessions), lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos = np.arange(originals) - first
    etype, prior_cart = _event_types(rng, lengths, first, pos)
    prod = _products(rng, catalog, etype, first, pos, prior_cart)
    offsets = _offsets(rng, lengths, first, pos)
    starts = _session_starts(rng, window, sessions)
    earliest = window.day * SECONDS_PER_DAY + window.first_minute * 60
    starts, offsets = _fit_before(starts, offsets, lengths, pos, session, earliest, range_end)
    events = Events(
        t=starts[session] + offsets,
        etype=etype,
        prod=prod,
        user=_user_ids(rng, sessions, user_pool)[session],
        sess=_session_ids(rng, sessions)[session],
    )
    if window.duplicates == 0:
        return events
    copies = np.ones(originals, dtype=np.int64)
    copies[rng.choice(originals, size=window.duplicates, replace=False)] = 2
    return events.select(np.repeat(np.arange(originals), copies))
