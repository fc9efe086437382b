"""Where a run's CPU goes inside the JVM, by Java method: a JDK Flight Recorder profile.

`make profile` says which stage costs; this says which code in it. It runs `ecom run
--full-refresh` (or only the ingest job, `--ingest-only`) in this process on a local
session, records JFR execution samples of the Spark JVM while the job runs (`jcmd ...
JFR.start`, so the JVM's standard output, which pyspark reads, stays clean), and prints:
the samples per thread kind, the methods most often on top of the stack (self), the
methods most often anywhere on it (inclusive), and for a few methods named with --callers
their most frequent call chains. The recording stays in benchmarks/out. Needs the JDK's
`jcmd` and `jfr` (Debian's openjdk-17-jdk-headless; the JRE alone has neither). Not a test.

    python benchmarks/jfr_profile.py RAW.csv [--ingest-only] [--callers toLongExact,...]

Samples are taken every 10-20 ms from threads running Java code (not the JIT compilers' or
GC's own threads: see jvm_cpu.py for those), so shares among Spark's task threads are what
to read; a share below ~1% is within noise on a 5M-event run.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
FRAME_LINE = re.compile(r"^\s+([\w$.<>]+)\(.*\)(?:\s+line:.*)?$")


def parse_samples(text: str) -> list[tuple[str, list[str]]]:
    """`jfr print --events jdk.ExecutionSample` text → (thread name, frames top first)."""
    samples = []
    for block in text.split("jdk.ExecutionSample {")[1:]:
        thread = re.search(r'sampledThread = "([^"]*)"', block)
        frames = [m.group(1) for line in block.splitlines() if (m := FRAME_LINE.match(line))]
        if frames:
            samples.append((thread.group(1) if thread else "?", frames))
    return samples


def thread_kind(name: str) -> str:
    if name.startswith("Executor task launch worker"):
        return "Spark tasks"
    if re.fullmatch(r"Thread-\d+", name):
        return "driver (py4j) threads"
    return "other JVM threads"


def short(frame: str) -> str:
    """`org.apache.spark.sql.X.method` → `X.method` (generated classes keep their suffix)."""
    parts = frame.split(".")
    return ".".join(parts[-2:])


def report(samples: list[tuple[str, list[str]]], callers: list[str], top: int) -> None:
    total = len(samples)
    print(f"{total} samples")
    for kind, count in Counter(thread_kind(name) for name, _ in samples).most_common():
        print(f"  {kind:24s} {100 * count / total:5.1f}%")
    tasks = [frames for name, frames in samples if thread_kind(name) == "Spark tasks"]
    if not tasks:
        return
    print(f"\nSpark task threads ({len(tasks)} samples): self")
    for frame, count in Counter(frames[0] for frames in tasks).most_common(top):
        print(f"  {100 * count / len(tasks):5.1f}%  {frame}")
    print("\nSpark task threads: inclusive (anywhere on the stack)")
    inclusive = Counter(frame for frames in tasks for frame in set(frames))
    for frame, count in inclusive.most_common(top):
        print(f"  {100 * count / len(tasks):5.1f}%  {frame}")
    for name in callers:
        chains = Counter()
        for frames in tasks:
            at = next((i for i, frame in enumerate(frames) if name in frame), None)
            if at is not None:
                chains[" <- ".join(short(frame) for frame in frames[at : at + 5])] += 1
        print(f"\ncallers of {name}:")
        for chain, count in chains.most_common(5):
            print(f"  {100 * count / len(tasks):5.1f}%  {chain}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", help="raw CSV file or folder")
    parser.add_argument("--ingest-only", action="store_true", help="profile the ingest job only")
    parser.add_argument("--callers", default="", help="comma-separated method name parts")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    if not Path(args.raw).exists():
        sys.exit(
            f"{args.raw}: no such file or folder (make profile writes generated CSVs to {OUT})"
        )
    for tool in ("jcmd", "jfr"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool}: not found (install a JDK, e.g. openjdk-17-jdk-headless)")

    from ecom.jobs.ingest import IngestArgs, run_ingest
    from ecom.jobs.pipeline import run_pipeline
    from ecom.runtime.spark import local_session

    OUT.mkdir(exist_ok=True)
    lake = OUT / "jfr-lake"
    recording = OUT / "jfr-profile.jfr"
    shutil.rmtree(lake, ignore_errors=True)
    spark = local_session("ecom-jfr")
    pid = str(spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid())
    subprocess.run(
        ["jcmd", pid, "JFR.start", "name=ecom", "settings=profile"], check=True, capture_output=True
    )
    started = time.perf_counter()
    raw = str(Path(args.raw).resolve())
    if args.ingest_only:
        staged, quarantine = lake / "staged" / "events", lake / "quarantine"
        run_ingest(spark, IngestArgs(raw, str(staged), str(quarantine), "jfr", full_refresh=True))
    else:
        run_pipeline(spark, raw, str(lake), run_id="jfr", show_progress=False, full_refresh=True)
    seconds = time.perf_counter() - started
    subprocess.run(
        ["jcmd", pid, "JFR.stop", "name=ecom", f"filename={recording}"],
        check=True,
        capture_output=True,
    )
    spark.stop()
    text = subprocess.run(
        ["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", str(recording)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    print(f"{'ingest' if args.ingest_only else 'ecom run'}: {seconds:.1f} s; recording {recording}")
    report(parse_samples(text), [name for name in args.callers.split(",") if name], args.top)


if __name__ == "__main__":
    main()
