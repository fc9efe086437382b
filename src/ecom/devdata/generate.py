"""Deterministic synthetic clickstream in the raw CSV layout of the REES46 dataset.

`generate` writes `rows` events (exactly) spread over `months` calendar months, one file per
UTC day (or one file), byte-identical for the same arguments. The shape follows the facts of
the real dataset: ~96% views, ~2% carts, ~0.3% removals, ~1.7% purchases; sessions of a few
events by returning users; Zipf-like product and brand popularity; ~14% of rows without brand
and ~32% without category_code (fixed per product); lognormal prices per product that drift
slightly over time; and a few exact duplicate rows written next to their original.

Memory is bounded by the rows of one day window (at most `CHUNK_ROWS` fresh events plus the
sessions still running), never by the total: days are generated and written one at a time,
large days in sub-day windows. Columns are vectorised with numpy and rendered with pyarrow.
"""

from __future__ import annotations

import gzip as gzip_module
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ecom.sources.clickstream.contract import EVENT_TYPES, RAW_HEADER

SECONDS_PER_DAY = 86_400
MINUTES_PER_DAY = 1_440
CHUNK_ROWS = 250_000  # fresh events generated per window at most (the memory bound)
MAX_WINDOWS_PER_DAY = 96
GZIP_LEVEL = 6

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

# Catalog and popularity.
PRODUCT_ZIPF_S = 1.1
PRODUCT_ZIPF_Q = 4.0  # Zipf-Mandelbrot offset: flattens the very top a little
BRAND_ZIPF_S = 1.0
CATEGORY_ZIPF_S = 1.0
MISSING_BRAND_SHARE = 0.14
MISSING_CATEGORY_CODE_SHARE = 0.32
PRODUCT_ID_RANGE = (1_000_000, 100_000_000)
CATEGORY_ID_RANGE = (2_053_013_552_226_000_000, 2_232_732_100_000_000_000)
PRICE_MEDIAN = 150.0
PRICE_RANGE = (0.88, 2_574.07)
DRIFTING_PRODUCTS = 0.35
DRIFT_PER_DAY_SIGMA = 0.0012

# Users: ids in ~5.1e8..5.7e8, a pool of rows/10 with a few heavy returners.
USER_ID_BASE = 510_000_000
USER_ID_SPAN = 60_000_000
USER_ID_MULTIPLIER = 19_999_999  # coprime with USER_ID_SPAN: a bijection of the pool
USER_ID_OFFSET = 7_654_321
USER_POOL_DIVISOR = 10
USER_SKEW = 1.6

# Calendar shape (UTC; the store's customers are mostly in UTC+3): Monday first.
WEEKDAY_WEIGHTS = (1.00, 1.01, 0.99, 0.98, 0.96, 0.97, 1.04)
TREND_OVER_RANGE = 0.15
DAY_NOISE_SIGMA = 0.04
HOUR_WEIGHTS = (
    0.16, 0.11, 0.10, 0.15, 0.30, 0.55, 0.85, 1.05, 1.20, 1.30, 1.35, 1.38,
    1.40, 1.45, 1.50, 1.55, 1.58, 1.60, 1.55, 1.40, 1.10, 0.75, 0.45, 0.25,
)  # fmt: skip

# Category codes of the real data, most viewed first (1 to 3 levels under a top level).
CATEGORY_CODES: tuple[str, ...] = (
    "electronics.smartphone", "electronics.clocks", "computers.notebook",
    "electronics.audio.headphone", "appliances.kitchen.refrigerators",
    "appliances.environment.vacuum", "appliances.environment.air_heater", "electronics.video.tv",
    "auto.accessories.player", "apparel.shoes", "appliances.kitchen.washer", "apparel.shoes.keds",
    "electronics.telephone", "furniture.living_room.cabinet", "auto.accessories.alarm",
    "appliances.kitchen.meat_grinder", "furniture.living_room.sofa", "computers.desktop",
    "furniture.bedroom.bed", "accessories.bag", "appliances.kitchen.microwave",
    "appliances.environment.water_heater", "appliances.iron", "electronics.audio.subwoofer",
    "appliances.kitchen.blender", "sport.bicycle", "kids.carriage",
    "auto.accessories.videoregister", "construction.tools.drill", "electronics.tablet",
    "appliances.environment.air_conditioner", "construction.tools.saw", "appliances.kitchen.oven",
    "appliances.sewing_machine", "computers.components.videocards", "appliances.kitchen.kettle",
    "appliances.kitchen.hood", "appliances.kitchen.mixer", "computers.peripherals.monitor",
    "furniture.kitchen.table", "appliances.kitchen.grill", "construction.tools.welding",
    "furniture.kitchen.chair", "computers.peripherals.printer", "computers.components.hdd",
    "appliances.kitchen.dishwasher", "construction.tools.pump", "kids.toys",
    "furniture.living_room.chair", "appliances.kitchen.hob", "construction.tools.light",
    "apparel.shoes.sandals", "computers.peripherals.mouse", "appliances.personal.hair_cutter",
    "appliances.personal.scales", "computers.peripherals.keyboard",
    "construction.tools.generator", "electronics.audio.acoustic", "kids.skates",
    "computers.components.memory", "accessories.wallet", "electronics.camera.video",
    "apparel.shoes.slipons", "computers.components.motherboard",
    "computers.components.power_supply", "furniture.bedroom.pillow", "kids.dolls",
    "stationery.cartrige", "apparel.costume", "auto.accessories.compressor",
    "computers.components.cpu", "electronics.video.projector", "apparel.shoes.moccasins",
    "furniture.bathroom.toilet", "appliances.ironing_board", "appliances.kitchen.juicer",
    "electronics.audio.microphone", "kids.fmcg.diapers", "computers.components.cooler",
    "furniture.universal.light", "appliances.kitchen.coffee_machine", "medicine.tools.tonometer",
    "appliances.kitchen.toster", "furniture.bathroom.bath", "apparel.underwear",
    "appliances.kitchen.steam_cooker", "accessories.umbrella", "apparel.dress",
    "apparel.trousers", "auto.accessories.radar", "country_yard.furniture.hammok",
    "auto.accessories.parktronic", "auto.accessories.winch", "computers.ebooks",
    "country_yard.cultivator", "kids.swing", "sport.trainer", "apparel.shoes.espadrilles",
    "apparel.tshirt", "construction.components.faucet", "furniture.bedroom.blanket",
    "apparel.shoes.step_ins", "electronics.camera.photo", "sport.snowboard", "sport.tennis",
    "apparel.jacket", "apparel.jeans", "apparel.scarf", "apparel.shirt",
    "apparel.shoes.ballet_shoes", "apparel.skirt", "apparel.sock",
    "appliances.kitchen.coffee_grinder", "electronics.audio.music_tools.piano", "sport.ski",
)  # fmt: skip

# Brands of the real data, most viewed first; more names are made up when the catalog is big.
KNOWN_BRANDS: tuple[str, ...] = (
    "samsung", "apple", "xiaomi", "huawei", "bosch", "lucente", "lg", "acer", "elenberg", "artel",
    "lenovo", "hp", "cordiant", "sony", "redmond", "dauscher", "oppo", "nokia", "casio",
    "triangle", "vitek", "starline", "sv", "polaris", "asus", "respect", "philips", "pioneer",
    "vivo", "nokian", "sokolov", "indesit", "janome", "stels", "yokohama", "oasis", "beko", "brw",
    "luminarc", "gerat", "skad", "karcher", "meizu", "tefal", "force", "panasonic", "midea",
    "scarlett", "elari", "karya", "rieker", "jvc", "bts", "pulser", "electrolux", "ariston",
    "haier", "texet", "bars", "bq", "omron", "garmin", "baden", "kipardo", "viatti", "oneplus",
    "huter", "ballu", "braun", "dell", "gipfel", "gorenje", "jbl", "salamander", "svc", "atlant",
    "bridgestone", "honor", "tcl", "hansa", "crown", "omabelle", "granhel", "nakamichi",
    "shagovita", "tp-link", "adidas", "aeroforce", "alteco", "bene", "kingston", "makita",
    "maxxis", "prestigio", "sho-me", "timberk", "belecoo", "gigabyte", "kenwood", "matador",
    "tissot", "erlit", "maxwell", "montale", "palit", "strobbs", "transcend", "fender", "greyder",
    "rondell", "toro", "asics", "carters", "lego", "moulinex", "msi", "nexpero", "canon",
    "dometic", "pride", "almacom", "chicco", "dewalt", "epson", "galaxy", "gefest", "hubert",
    "lider", "rowenta", "vega", "axis", "cantra", "giant", "longines", "lux", "michelin", "nike",
    "saturn", "swatch", "bernina", "bfgoodrich", "fassen", "lanvin", "lorelli", "microsoft",
    "pt-group", "swat", "vegas", "comforser", "etor", "kapsen", "magnetta", "shimano", "tarkett",
    "tomahawk", "trebl", "tunga", "versace", "aimoto", "ikea", "intel", "nexen", "nika",
    "nikotex", "orient", "wera", "wingoffly", "x-game", "aerocool", "alpine", "continental",
    "denzel", "goodyear", "gran-stone", "inoi", "kukmara", "laston", "marcomen", "thermex",
    "thomas", "yasin", "balta", "candy", "crona", "crucial", "heyner", "hoco", "housefit",
    "kolner", "mantra", "mystery", "puma", "qmax", "remington", "roadx", "sega", "viking",
    "willmark", "logitech", "stanley", "trust", "toshiba", "nikon", "delonghi", "gopro",
)  # fmt: skip

_SYLLABLE_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "st")
_SYLLABLE_VOWELS = ("a", "e", "i", "o", "u", "ia", "ex")
_BRAND_VOCABULARY_SEED = 20_191_001

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_TIME_TEMPLATE = np.frombuffer(b"YYYY-MM-DD 00:00:00 UTC", dtype=np.uint8)
_SESSION_TEMPLATE = np.frombuffer(b"00000000-0000-0000-0000-000000000000\n", dtype=np.uint8)
_TWO_DIGITS = pa.array([f"{i:02d}" for i in range(100)], type=pa.string())
_EVENT_TYPE_NAMES = pa.array(list(EVENT_TYPES), type=pa.string())
_VIEW, _CART, _REMOVE, _PURCHASE = (
    EVENT_TYPES.index(name) for name in ("view", "cart", "remove_from_cart", "purchase")
)


@dataclass(frozen=True)
class GenerateResult:
    """What `generate` wrote."""

    files: list[Path]
    rows: int
    duplicates: int
    first_date: date
    last_date: date


@dataclass(frozen=True)
class _Catalog:
    """Products by popularity rank and their fixed attributes, ready to be rendered."""

    cdf: np.ndarray  # cumulative popularity by rank (the last value is 1)
    base_cents: np.ndarray  # float64 price in cents on the first day
    drift: np.ndarray  # relative price change per day
    product_id: pa.Array  # strings
    category_id: pa.Array  # strings
    category_code: pa.Array  # strings, null when the category has no code
    brand: pa.Array  # strings, null when unbranded


@dataclass(frozen=True)
class _Events:
    """A batch of events as parallel columns."""

    t: np.ndarray  # int64 seconds since the start of the range
    etype: np.ndarray  # int8 index into EVENT_TYPES
    prod: np.ndarray  # int64 product rank
    user: np.ndarray  # int64 user_id
    sess: np.ndarray  # uint8 (n, 37): the user_session text and the newline ending the row

    def __len__(self) -> int:
        """Number of events."""
        return int(self.t.shape[0])

    def select(self, index: np.ndarray) -> _Events:
        """The events at `index` (a mask or positions), in that order."""
        return _Events(
            self.t[index], self.etype[index], self.prod[index], self.user[index], self.sess[index]
        )

    @staticmethod
    def concat(first: _Events, second: _Events) -> _Events:
        """`first` followed by `second`."""
        return _Events(
            np.concatenate([first.t, second.t]),
            np.concatenate([first.etype, second.etype]),
            np.concatenate([first.prod, second.prod]),
            np.concatenate([first.user, second.user]),
            np.concatenate([first.sess, second.sess]),
        )

    @staticmethod
    def empty() -> _Events:
        """No events."""
        return _Events(
            np.empty(0, np.int64),
            np.empty(0, np.int8),
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty((0, len(_SESSION_TEMPLATE)), np.uint8),
        )


@dataclass(frozen=True)
class _Window:
    """A span of one day whose sessions start inside it, with its event quota."""

    day: int  # index of the day in the range
    first_minute: int
    end_minute: int  # exclusive
    rows: int  # events including duplicates
    duplicates: int


def generate(
    out_dir: str | Path,
    rows: int,
    *,
    seed: int = 42,
    start: date = date(2019, 10, 1),
    months: int = 3,
    per_day: bool = True,
    gzip: bool = False,
    duplicate_rate: float = 0.0003,
) -> GenerateResult:
    """Write exactly `rows` synthetic raw events into `out_dir`, deterministically."""
    _check_arguments(rows, seed, months, duplicate_rate)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    days = _days(start, months)
    plan_rng = np.random.default_rng([seed, 0])
    day_rows = _apportion(rows, _day_weights(plan_rng, days))
    day_dups = np.minimum(
        _apportion(int(rows * duplicate_rate + 0.5), day_rows.astype(np.float64)), day_rows // 2
    )
    catalog = _build_catalog(rows, seed)
    user_pool = min(max(rows // USER_POOL_DIVISOR, 100), USER_ID_SPAN)
    range_end = len(days) * SECONDS_PER_DAY
    suffix = ".csv.gz" if gzip else ".csv"
    files: list[Path] = []
    sink: BinaryIO | None = None
    carry = _Events.empty()
    for day_index, day in enumerate(days):
        if sink is None:
            name = f"events-{day.isoformat()}{suffix}" if per_day else f"events{suffix}"
            files.append(out / name)
            sink = _open_sink(files[-1], gzip)
        for window in _windows(day_index, int(day_rows[day_index]), int(day_dups[day_index])):
            rng = np.random.default_rng([seed, 1 + day_index, window.first_minute])
            fresh = _window_events(rng, catalog, window, user_pool, range_end)
            carry = _flush(_Events.concat(carry, fresh), window, catalog, day, sink)
        if per_day or day_index == len(days) - 1:
            sink.close()
            sink = None
    if len(carry):
        raise AssertionError("events left past the end of the range")
    return GenerateResult(files, rows, int(day_dups.sum()), days[0], days[-1])


def _check_arguments(rows: int, seed: int, months: int, duplicate_rate: float) -> None:
    """Reject arguments the generator cannot honour."""
    if rows < 0:
        raise ValueError(f"rows must be >= 0, got {rows}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if months < 1:
        raise ValueError(f"months must be >= 1, got {months}")
    if not 0.0 <= duplicate_rate < 0.5:
        raise ValueError(f"duplicate_rate must be in [0, 0.5), got {duplicate_rate}")


def _days(start: date, months: int) -> list[date]:
    """The calendar days from `start` up to the same day `months` months later (exclusive)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    end = start.replace(year=year, month=month, day=1)
    end += timedelta(days=start.day - 1)
    return [start + timedelta(days=i) for i in range((end - start).days)]


def _day_weights(rng: np.random.Generator, days: list[date]) -> np.ndarray:
    """Relative traffic per day: weekly cycle, slow growth and a little noise."""
    weekday = np.array([WEEKDAY_WEIGHTS[d.weekday()] for d in days])
    trend = 1.0 + TREND_OVER_RANGE * np.arange(len(days)) / max(len(days), 1)
    return weekday * trend * rng.lognormal(0.0, DAY_NOISE_SIGMA, len(days))


def _apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` into integers proportional to `weights` (largest remainders)."""
    weights = np.asarray(weights, dtype=np.float64)
    if total == 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    if short:
        counts[np.argsort(counts - exact, kind="stable")[:short]] += 1
    return counts


def _minute_weights() -> np.ndarray:
    """Relative session starts per minute of the UTC day (hourly profile, interpolated)."""
    hours = np.asarray(HOUR_WEIGHTS)
    centers = np.arange(24) * 60 + 30
    minutes = np.arange(MINUTES_PER_DAY)
    return np.interp(minutes, np.r_[centers - 1440, centers, centers + 1440], np.tile(hours, 3))


_MINUTE_WEIGHTS = _minute_weights()


def _windows(day: int, rows: int, duplicates: int) -> Iterator[_Window]:
    """Split one day into windows of at most `CHUNK_ROWS` fresh events, equal in traffic."""
    count = min(max(math.ceil(rows / CHUNK_ROWS), 1), MAX_WINDOWS_PER_DAY)
    cumulative = np.cumsum(_MINUTE_WEIGHTS)
    cuts = np.searchsorted(cumulative, cumulative[-1] * np.arange(1, count) / count) + 1
    # Keep the last window >= 10 minutes so sessions can be squeezed in before the end.
    bounds = np.unique(np.r_[0, np.minimum(cuts, MINUTES_PER_DAY - 10), MINUTES_PER_DAY])
    masses = np.add.reduceat(_MINUTE_WEIGHTS, bounds[:-1])
    window_rows = _apportion(rows, masses)
    window_dups = np.minimum(
        _apportion(duplicates, window_rows.astype(np.float64)), window_rows // 2
    )
    for i in range(len(bounds) - 1):
        yield _Window(
            day, int(bounds[i]), int(bounds[i + 1]), int(window_rows[i]), int(window_dups[i])
        )


def _zipf(n: int, s: float, q: float = 0.0) -> np.ndarray:
    """Zipf-Mandelbrot probabilities of ranks 1..n."""
    weights = (np.arange(1, n + 1, dtype=np.float64) + q) ** -s
    return weights / weights.sum()


def _weighted_subset(rng: np.random.Generator, weights: np.ndarray, share: float) -> np.ndarray:
    """A random mask of items whose weights sum as close to `share` as the items allow."""
    order = rng.permutation(len(weights))
    chosen = np.zeros(len(weights), dtype=bool)
    prefix = np.cumsum(weights[order])
    taken = int(np.searchsorted(prefix, share, side="right"))
    chosen[order[:taken]] = True
    left = share - (float(prefix[taken - 1]) if taken else 0.0)
    smallest = float(weights.min())
    for item, weight in zip(order[taken:].tolist(), weights[order[taken:]].tolist(), strict=True):
        if left < smallest:
            break
        if weight <= left:
            chosen[item] = True
            left -= weight
    return chosen


def _brand_names(count: int) -> list[str]:
    """`count` brand names: the real ones by popularity, then made-up ones (fixed list)."""
    names = list(KNOWN_BRANDS[:count])
    seen = set(names)
    rng = np.random.default_rng(_BRAND_VOCABULARY_SEED)
    while len(names) < count:
        parts = rng.integers(0, [len(_SYLLABLE_ONSETS), len(_SYLLABLE_VOWELS)] * 3)
        syllables = 2 + int(parts[0] % 2)
        name = "".join(
            _SYLLABLE_ONSETS[parts[2 * i]] + _SYLLABLE_VOWELS[parts[2 * i + 1]]
            for i in range(syllables)
        )
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _unique_ints(rng: np.random.Generator, low: int, high: int, count: int) -> np.ndarray:
    """`count` distinct sorted int64 values in [low, high)."""
    values = np.empty(0, dtype=np.int64)
    while len(values) < count:
        draw = rng.integers(low, high, size=count + count // 10 + 16, dtype=np.int64)
        values = np.unique(np.r_[values, draw])
    return np.sort(rng.choice(values, size=count, replace=False))


def _build_catalog(rows: int, seed: int) -> _Catalog:
    """The products of a run: popularity, category, brand, price and ids (size scales)."""
    rng = np.random.default_rng([seed, 10**9])
    n = min(max(rows // 60, 200), 300_000)
    popularity = _zipf(n, PRODUCT_ZIPF_S, PRODUCT_ZIPF_Q)
    cdf = np.cumsum(popularity)
    cdf[-1] = 1.0
    # Categories: the coded vocabulary first, then categories without a code.
    n_coded = len(CATEGORY_CODES)
    n_uncoded = min(max(n // 250, 20), 400)
    uncoded = _weighted_subset(rng, popularity, MISSING_CATEGORY_CODE_SHARE)
    category = rng.choice(n_coded, size=n, p=_zipf(n_coded, CATEGORY_ZIPF_S))
    category[uncoded] = n_coded + rng.choice(
        n_uncoded, size=int(uncoded.sum()), p=_zipf(n_uncoded, 0.8)
    )
    category_ids = rng.permutation(_unique_ints(rng, *CATEGORY_ID_RANGE, n_coded + n_uncoded))
    codes = np.array([*CATEGORY_CODES, *([None] * n_uncoded)], dtype=object)
    # Brands: Zipf over the vocabulary, none for a popularity-weighted share of products.
    n_brands = min(max(n // 40, 40), 3_000)
    brand_names = np.array([*_brand_names(n_brands), None], dtype=object)
    brand = rng.choice(n_brands, size=n, p=_zipf(n_brands, BRAND_ZIPF_S))
    brand[_weighted_subset(rng, popularity, MISSING_BRAND_SHARE)] = n_brands
    # Prices: a lognormal level per category, a lognormal spread per product, slow drift.
    category_median = rng.lognormal(math.log(PRICE_MEDIAN), 0.8, n_coded + n_uncoded)
    price = np.clip(category_median[category] * rng.lognormal(0.0, 0.55, n), *PRICE_RANGE)
    drift = np.where(
        rng.random(n) < DRIFTING_PRODUCTS, rng.normal(0.0, DRIFT_PER_DAY_SIGMA, n), 0.0
    )
    # Product ids ascend by category, like the real catalog.
    product_id = np.empty(n, dtype=np.int64)
    product_id[np.argsort(category, kind="stable")] = _unique_ints(rng, *PRODUCT_ID_RANGE, n)
    return _Catalog(
        cdf=cdf,
        base_cents=np.round(price * 100.0),
        drift=drift,
        product_id=pc.cast(pa.array(product_id), pa.string()),
        category_id=pc.cast(pa.array(category_ids[category]), pa.string()),
        category_code=pa.array(codes[category].tolist(), type=pa.string()),
        brand=pa.array(brand_names[brand].tolist(), type=pa.string()),
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
    catalog: _Catalog,
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


def _session_starts(rng: np.random.Generator, window: _Window, sessions: int) -> np.ndarray:
    """Start second (since the range start) of each session, following the daily profile."""
    weights = _MINUTE_WEIGHTS[window.first_minute : window.end_minute]
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


def _window_events(
    rng: np.random.Generator, catalog: _Catalog, window: _Window, user_pool: int, range_end: int
) -> _Events:
    """The events of the sessions that start in `window`, duplicates next to their original."""
    originals = window.rows - window.duplicates
    if originals == 0:
        return _Events.empty()
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
    events = _Events(
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


def _flush(
    events: _Events, window: _Window, catalog: _Catalog, day: date, sink: BinaryIO
) -> _Events:
    """Write the events before the end of `window` in time order; return the later ones."""
    cut = window.day * SECONDS_PER_DAY + window.end_minute * 60
    ready = events.t < cut
    if ready.any():
        due = events.select(ready)
        due = due.select(np.argsort(due.t, kind="stable"))
        sink.write(_render(due, window.day, day, catalog))
    return events.select(~ready)


def _fixed_width(matrix: np.ndarray) -> pa.Array:
    """A string array over the rows of a uint8 matrix (all of the same width)."""
    rows, width = matrix.shape
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix)
    return pa.Array.from_buffers(
        pa.string(), rows, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _event_times(seconds: np.ndarray, day: date) -> pa.Array:
    """`YYYY-MM-DD HH:MM:SS UTC` strings for seconds of the UTC day `day`."""
    template = _TIME_TEMPLATE.copy()
    template[:10] = np.frombuffer(day.isoformat().encode(), dtype=np.uint8)
    out = np.tile(template, (len(seconds), 1))
    for column, value in ((11, seconds // 3600), (14, seconds // 60 % 60), (17, seconds % 60)):
        out[:, column] = 48 + value // 10
        out[:, column + 1] = 48 + value % 10
    return _fixed_width(out)


def _prices(events: _Events, day_index: int, catalog: _Catalog) -> pa.Array:
    """Prices of the day with exactly two decimals (`33.20`)."""
    factor = 1.0 + catalog.drift[events.prod] * day_index
    cents = np.clip(np.round(catalog.base_cents[events.prod] * factor), 1, None).astype(np.int64)
    units = pc.cast(pa.array(cents // 100), pa.string())
    return pc.binary_join_element_wise(units, pc.take(_TWO_DIGITS, pa.array(cents % 100)), ".")


def _render(events: _Events, day_index: int, day: date, catalog: _Catalog) -> memoryview:
    """The CSV text of the events (all on `day`), one `\\n`-terminated row each."""
    prod = pa.array(events.prod)
    columns = [
        _event_times(events.t - day_index * SECONDS_PER_DAY, day),
        pc.take(_EVENT_TYPE_NAMES, pa.array(events.etype)),
        pc.take(catalog.product_id, prod),
        pc.take(catalog.category_id, prod),
        pc.take(catalog.category_code, prod),
        pc.take(catalog.brand, prod),
        _prices(events, day_index, catalog),
        pc.cast(pa.array(events.user), pa.string()),
        _fixed_width(events.sess),
    ]
    lines = pc.binary_join_element_wise(*columns, ",", null_handling="replace", null_replacement="")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset :]
    data = lines.buffers()[2]
    return memoryview(data)[int(offsets[0]) : int(offsets[len(lines)])]


def _open_sink(path: Path, compress: bool) -> BinaryIO:
    """Open `path` for writing and put the header in it (gzip without name or time stamp)."""
    raw = path.open("wb")
    sink: BinaryIO = raw
    if compress:
        sink = _ClosingGzip(raw)
    sink.write(f"{RAW_HEADER}\n".encode())
    return sink


class _ClosingGzip(gzip_module.GzipFile):
    """A reproducible gzip stream that also closes the file under it."""

    def __init__(self, raw: BinaryIO) -> None:
        """Compress into `raw` with a fixed header (no file name, time stamp 0)."""
        super().__init__(filename="", mode="wb", compresslevel=GZIP_LEVEL, fileobj=raw, mtime=0)
        self._raw = raw

    def close(self) -> None:
        """Finish the gzip member and close the underlying file."""
        try:
            super().close()
        finally:
            self._raw.close()
