"""The product catalogue of a synthetic run: categories, brands, popularity, prices, ids."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


@dataclass(frozen=True)
class Catalog:
    """Products by popularity rank and their fixed attributes, ready to be rendered."""

    cdf: np.ndarray  # cumulative popularity by rank (the last value is 1)
    base_cents: np.ndarray  # float64 price in cents on the first day
    drift: np.ndarray  # relative price change per day
    product_id: pa.Array  # strings
    category_id: pa.Array  # strings
    category_code: pa.Array  # strings, null when the category has no code
    brand: pa.Array  # strings, null when unbranded


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


def build_catalog(rows: int, seed: int) -> Catalog:
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
    return Catalog(
        cdf=cdf,
        base_cents=np.round(price * 100.0),
        drift=drift,
        product_id=pc.cast(pa.array(product_id), pa.string()),
        category_id=pc.cast(pa.array(category_ids[category]), pa.string()),
        category_code=pa.array(codes[category].tolist(), type=pa.string()),
        brand=pa.array(brand_names[brand].tolist(), type=pa.string()),
    )
