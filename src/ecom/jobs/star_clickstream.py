"""The clickstream star schema: staged events → facts, dimensions and summaries, rebuilt
incrementally (only what the changed event dates reach), checked and published.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

import pyspark.sql.functions as F
from pyspark import StorageLevel
from pyspark.sql import DataFrame, Row
from pyspark.sql.types import DateType, LongType, StructField, StructType

from ecom.jobs.checks import BROADCAST_ROWS, Checks, tables_read
from ecom.jobs.churn import CHURN_TABLES, score_customers
from ecom.jobs.curated import CuratedBuild, ModelPlan, Star, day, isin_dates
from ecom.jobs.segments import SEGMENT_TABLES, last_sale_date, segment_customers
from ecom.quality.rules import CLICKSTREAM_RULES, Rule
from ecom.sources.clickstream.lines import STAGED_SCHEMA
from ecom.storage import tablestore
from ecom.storage.lake import PARTITION_KEYS, curated_tables
from ecom.storage.staged import STAGED_TABLE
from ecom.transforms.calendar import build_dim_time
from ecom.transforms.clickstream.products import (
    build_dim_category,
    build_dim_product,
    category_state,
    merge_category_state,
    merge_product_state,
    product_state,
    product_versions,
)
from ecom.transforms.clickstream.purchases import build_fact_purchases
from ecom.transforms.clickstream.sessions import build_fact_sessions
from ecom.transforms.clickstream.summaries import (
    build_fact_daily_summary,
    build_fact_monthly_summary,
)
from ecom.transforms.clickstream.users import build_dim_user, fold_dim_user, update_dim_user
from ecom.transforms.columns import surrogate_key

# Driver threads of the model job's writes and checks (see build_clickstream): one per task
# submitted, so that a task waiting for the table it reads never keeps a ready one from
# starting (with 6, the customer models waited ~13 s at 20M events for fact_sessions to free
# a thread, though they only read fact_purchases).
WRITERS = 12


def _session_dates(
    build: CuratedBuild, keys_df: DataFrame, changed: list[str], staged_dates: list[str]
) -> tuple[list[str], list[str]]:
    """(session dates to rebuild, event dates to read) for an incremental run.

    A session belongs to the date it starts. The changed events (their sessions' keys:
    `keys_df`) may extend a session that started earlier, so its start date is rebuilt too;
    rebuilding a start date needs every event of its sessions, which the previous
    fact_sessions bounds by their end dates. A key shared by another session (a hash
    collision) would only rebuild one date more.
    """
    sessions_df = build.previous_table("fact_sessions", _FACT_SESSIONS_SCHEMA)
    touched = {
        str(row["session_date"])
        for row in sessions_df.join(keys_df, "session_key", "left_semi")
        .select("session_date")
        .distinct()
        .collect()
    }
    rebuilt = sorted(touched | set(changed))
    ends = (
        sessions_df.where(isin_dates("session_date", rebuilt))
        .groupBy("session_date")
        .agg(F.max(F.to_date("ended_at")).alias("last_date"))
    )
    read = set(changed)
    for row in ends.collect():
        day = row["session_date"]
        while day <= row["last_date"]:
            read.add(day.isoformat())
            day += timedelta(days=1)
    read |= set(rebuilt)
    return rebuilt, sorted(read & set(staged_dates))


def _recomputed_sessions(
    build: CuratedBuild, events_df: DataFrame, ids_df: DataFrame, rebuilt: list[str]
) -> DataFrame:
    """fact_sessions rows of the rebuilt dates: the sessions with a changed event (`ids_df`)
    aggregated again from all their events, the date's other sessions kept as they were.

    Every event of such a session is among the dates read (see _session_dates), and it
    starts on a rebuilt date: a session seen before starts where it did (a rebuilt date) or
    earlier, on the date of a changed event; a new one starts on a changed date. The other
    sessions of those dates had no event added, so their rows stand.
    """
    recomputed_df = build_fact_sessions(events_df.join(ids_df, "session_id", "left_semi"))
    kept_df = build.previous_table("fact_sessions", recomputed_df.schema, rebuilt).join(
        ids_df, "session_id", "left_anti"
    )
    return kept_df.unionByName(recomputed_df).select(*recomputed_df.columns)


_FACT_SESSIONS_SCHEMA = StructType(
    [
        StructField("session_key", LongType()),
        StructField("ended_at", STAGED_SCHEMA["event_at"].dataType),
        StructField("session_date", DateType()),
    ]
)


def build_clickstream(
    build: CuratedBuild,
    plan: ModelPlan,
    staged: tablestore.Snapshot,
    published: tablestore.Snapshot,
) -> tuple[int, list[str], Checks, list[Row]]:
    """Write the tables a plan rebuilds and check them: (staged rows read, session dates
    rebuilt, the checks, the rules' results)."""
    spark = build.spark
    staged_zone, _ = tablestore.split_table_path(build.args.staged_path)
    staged_dates = tablestore.partition_values(staged, STAGED_TABLE)

    def staged_events(values: list[str] | None) -> DataFrame:
        return tablestore.read_table(
            spark, staged_zone, staged, STAGED_TABLE, STAGED_SCHEMA, values
        )

    # Event dates with changed events (their purchases and product versions are redone),
    # and session start dates rebuilt (those plus the starts of sessions the changes extend).
    changed = staged_dates if plan.full else plan.dates
    changed_df = staged_events(None if plan.full else changed)
    first, last = (day(staged_dates[0]), day(staged_dates[-1])) if staged_dates else (None, None)

    # Independent tables are written concurrently: Spark runs one table's tasks while the
    # driver plans another's (or finds the sessions to rebuild) or a stage waits for its
    # last task, so the cores stay busy. A task only waits for tasks submitted before it, so
    # the pool cannot deadlock.
    cached: list[DataFrame] = []
    with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="model") as pool:
        purchases = pool.submit(  # a purchase depends on its event alone
            build.write, "fact_purchases", build_fact_purchases(changed_df), changed
        )
        products = pool.submit(write_products, build, changed_df, plan.full)
        calendar = pool.submit(
            build.write,
            "dim_time",
            build_dim_time(spark, first, last, build.args.fiscal_year_start_month),
        )
        if plan.full:
            rebuilt, events_df = staged_dates, changed_df
            new_sessions_df = build_fact_sessions(events_df)
        else:
            ids_df = changed_df.select("session_id").distinct()
            ids_df = ids_df.persist(StorageLevel.MEMORY_AND_DISK)  # read by every join below
            cached.append(ids_df)
            few_sessions = ids_df.count() <= BROADCAST_ROWS  # usually: a day's sessions
            if few_sessions:  # joined with broadcast ids: events and tables are not shuffled
                ids_df = F.broadcast(ids_df)
            # The same sessions by session_key (their ids' hash): the whole-table probes
            # and dim_user's fold compare 8-byte keys, not 36-byte ids.
            keys_df = ids_df.select(surrogate_key("session_id").alias("session_key"))
            keys_df = F.broadcast(keys_df) if few_sessions else keys_df
            rebuilt, read_dates = _session_dates(build, keys_df, changed, staged_dates)
            events_df = staged_events(read_dates)
            new_sessions_df = _recomputed_sessions(build, events_df, ids_df, rebuilt)
        in_rebuilt = None if plan.full else rebuilt
        replaced = staged_dates if plan.full else rebuilt

        def only_rebuilt(table_df: DataFrame, column: str) -> DataFrame:
            if in_rebuilt is None:
                return table_df
            return table_df.where(isin_dates(column, rebuilt))

        staged_rows = pool.submit(events_df.count)
        sessions = pool.submit(build.write, "fact_sessions", new_sessions_df, replaced)

        def users() -> None:
            if plan.full:
                build.write("dim_user", build_dim_user(sessions.result()))
            else:
                dim_user(build, sessions.result(), keys_df, rebuilt, few_sessions)

        def daily() -> None:
            new_sessions_df = only_rebuilt(sessions.result(), "session_date")  # not re-aggregated
            summary_df = daily_summary(
                build, calendar.result(), events_df, new_sessions_df, purchases.result(), in_rebuilt
            )
            build.write("fact_daily_summary", summary_df)

        def monthly() -> None:
            summary_df = build_fact_monthly_summary(calendar.result(), purchases.result())
            build.write("fact_monthly_summary", summary_df)

        later = [pool.submit(users), pool.submit(daily), pool.submit(monthly)]
        segments = pool.submit(
            lambda: segment_customers(build, purchases.result(), None, published)
        )
        scores = pool.submit(
            lambda: score_customers(
                build, purchases.result(), None, published, last_sale_date(build)
            )
        )
        checks = Checks(
            build,
            published,
            None if plan.full else {"fact_purchases": changed, "fact_sessions": rebuilt},
        )
        # The rules run in two groups, each as soon as the tables it reads are written: the
        # star's (overlapping the customer models, which only read fact_purchases), then the
        # customer tables' (their keys are checked against dim_user). One query per group: a
        # group per table would plan and compile more queries than the overlap saves. A group
        # waits only for tasks submitted before it, so the pool cannot deadlock.
        customer_tables = {*SEGMENT_TABLES, *CHURN_TABLES}
        star_rules = [r for r in build.star.rules if not tables_read(r) & customer_tables]
        customer_rules = [r for r in build.star.rules if tables_read(r) & customer_tables]

        def run_checks(needed: list[Future], rules: list[Rule]) -> list[Row]:
            for task in needed:
                task.result()
            return checks.run(rules)

        checked = [
            pool.submit(run_checks, [purchases, products, calendar, sessions, *later], star_rules),
            pool.submit(run_checks, [later[0], segments, scores], customer_rules),
        ]
        tasks = [purchases, products, calendar, staged_rows, sessions, *later, segments, scores]
        for task in [*tasks, *checked]:
            task.result()  # re-raises the first failure here
        results = [row for group in checked for row in group.result()]
    build.models["segments"] = segments.result()
    build.models["churn_clv"] = scores.result()
    for frame in cached:
        frame.unpersist()
    return staged_rows.result(), rebuilt, checks, results


def write_products(build: CuratedBuild, events_df: DataFrame, full: bool) -> None:
    """product_state and category_state (the rebuilt dates folded into the previous state
    unless `full`), then dim_product and dim_category from them."""
    versions_df = product_versions(events_df).persist(StorageLevel.MEMORY_AND_DISK)
    products_df, categories_df = product_state(versions_df), category_state(versions_df)
    if not full:  # fold the rebuilt dates into the previous state (exact: max / min)
        products_df = merge_product_state(
            build.previous_table("product_state", products_df.schema).unionByName(products_df)
        )
        categories_df = merge_category_state(
            build.previous_table("category_state", categories_df.schema).unionByName(categories_df)
        )
    products_df = build.write("product_state", products_df)
    categories_df = build.write("category_state", categories_df)
    versions_df.unpersist()
    build.write("dim_product", build_dim_product(products_df))
    build.write("dim_category", build_dim_category(categories_df))


def dim_user(
    build: CuratedBuild,
    sessions_df: DataFrame,
    keys_df: DataFrame,
    rebuilt: list[str],
    few_sessions: bool,
) -> None:
    """dim_user of an incremental run: the previous rows folded with the sessions aggregated
    again (their keys: `keys_df`), as they were and as they are (see fold_dim_user); the few
    users that cannot be folded are aggregated again from all their sessions
    (update_dim_user). A session sharing a changed one's key is taken too, as it was and as
    it is: unchanged, its terms cancel out."""
    removed_df = build.previous_table("fact_sessions", sessions_df.schema, rebuilt)
    removed_df = removed_df.join(keys_df, "session_key", "left_semi")
    added_df = sessions_df.where(isin_dates("session_date", rebuilt))
    added_df = added_df.join(keys_df, "session_key", "left_semi")
    # Each is read three times by the fold (pairs, terms, users): kept, not re-read and
    # re-joined with the ids each time (a broadcast job per use).
    cached = [frame.persist(StorageLevel.MEMORY_AND_DISK) for frame in (removed_df, added_df)]
    previous_df = build.previous_table("dim_user", build_dim_user(sessions_df).schema)
    folded_df, irregular_df = fold_dim_user(previous_df, *cached, few_sessions, "session_key")
    irregular_df = irregular_df.persist(StorageLevel.MEMORY_AND_DISK)
    if irregular_df.take(1):  # usually none: then no session outside the rebuilt ones is read
        folded_df = update_dim_user(folded_df, sessions_df, irregular_df)
    build.write("dim_user", folded_df)
    for frame in [irregular_df, *cached]:
        frame.unpersist()


def daily_summary(
    build: CuratedBuild,
    time_df: DataFrame,
    events_df: DataFrame,
    new_sessions_df: DataFrame,
    purchases_df: DataFrame,
    rebuilt: list[str] | None,
) -> DataFrame:
    """fact_daily_summary: rebuilt dates and new calendar days computed, other days kept."""
    if rebuilt is None:
        return build_fact_daily_summary(time_df, events_df, new_sessions_df, purchases_df)
    schema = build_fact_daily_summary(time_df, events_df, new_sessions_df, purchases_df).schema
    kept_df = build.previous_table("fact_daily_summary", schema).where(
        ~isin_dates("summary_date", rebuilt)
    )
    fresh_days_df = time_df.join(
        kept_df.select(F.col("summary_date").alias("calendar_date")), "calendar_date", "left_anti"
    )
    fresh_df = build_fact_daily_summary(
        fresh_days_df,
        events_df.where(isin_dates("event_date", rebuilt)),
        new_sessions_df,
        purchases_df.where(isin_dates("purchase_date", rebuilt)),
    )
    return kept_df.unionByName(fresh_df)


CLICKSTREAM_STAR = Star(
    source="clickstream",
    tables=curated_tables("clickstream"),
    partitions={name: PARTITION_KEYS[name] for name in ("fact_purchases", "fact_sessions")},
    rules=CLICKSTREAM_RULES,
    # 2: fact_sessions gained session_key; 3: dim_time's fiscal calendar, customer models.
    model_version=3,
    state_tables=("product_state", "category_state"),
    large_tables=("dim_user", "dim_product", "product_state", *SEGMENT_TABLES, *CHURN_TABLES),
    build=build_clickstream,
)
