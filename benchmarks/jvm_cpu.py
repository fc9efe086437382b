"""Where a Spark run's CPU goes: per-thread CPU seconds of the local Spark JVM, by kind.

Runs a command (usually `ecom run ...`), samples /proc every half second for the JVM that
`spark-submit` starts, and prints CPU seconds per kind of thread: Spark's task threads,
the JIT compilers (C1, C2), garbage collection, the driver's threads (query planning and
code generation on behalf of the Python driver: py4j's `Thread-N`), and the rest, with the
machine's busy and idle CPU seconds over the same time. Linux only. Not a test.

    python benchmarks/jvm_cpu.py -- ecom run --raw RAW --lake LAKE --quiet

A short run on few cores can spend a third of its CPU compiling: measured 2026-12-02 on
2 cores, adding day 31 to a 30-day lake used ~119 CPU-seconds in ~64 s of wall time, of
which ~49 in tasks, ~39 in the JIT compilers (C2 ~31), ~13 in driver threads.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from collections import Counter

import psutil

TICKS = os.sysconf("SC_CLK_TCK")


def spark_jvms(process: psutil.Process) -> list[int]:
    """Pids of the JVMs among `process`'s descendants that run SparkSubmit (the driver of a
    local session); a Spark JVM elsewhere on the machine is not counted."""
    pids = []
    for child in process.children(recursive=True):
        try:
            argv = child.cmdline()
        except psutil.Error:
            continue
        if argv and argv[0].endswith("java") and "org.apache.spark.deploy.SparkSubmit" in argv:
            pids.append(child.pid)
    return pids


def thread_ticks(pid: int) -> dict[str, tuple[str, int]]:
    """Thread id → (name, user + system clock ticks so far) of one process."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/stat") as handle:
            stat = handle.read()
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        threads[tid] = (name, int(fields[11]) + int(fields[12]))
    return threads


def kind(name: str) -> str:
    if name.startswith("Executor task"):
        return "Spark tasks"
    if name.startswith("C2 Compiler"):
        return "JIT C2 compiler"
    if name.startswith("C1 Compiler"):
        return "JIT C1 compiler"
    if name.startswith("GC Thread") or name == "VM Thread":
        return "garbage collection (GC and VM threads)"
    if re.fullmatch(r"Thread-\d+", name):
        return "driver (py4j) threads"
    return "other JVM threads"


def machine_ticks() -> tuple[int, int]:
    """(busy, idle) clock ticks of all CPUs since boot."""
    with open("/proc/stat") as handle:
        values = [int(value) for value in handle.readline().split()[1:8]]
    user, nice, system, idle, iowait, irq, softirq = values
    return user + nice + system + irq + softirq, idle + iowait


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- command and arguments")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise SystemExit("jvm_cpu: give a command to run after --")
    seen: dict[tuple[int, str], tuple[str, int]] = {}
    done = threading.Event()

    def sample(process: psutil.Process) -> None:
        while not done.is_set():
            try:
                pids = spark_jvms(process)
            except psutil.Error:  # the command has exited
                pids = []
            for pid in pids:
                try:
                    for tid, value in thread_ticks(pid).items():
                        seen[(pid, tid)] = value
                except OSError:  # the JVM exited between listing and reading
                    pass
            done.wait(0.5)

    busy, idle = machine_ticks()
    started = time.perf_counter()
    process = psutil.Popen(command)
    sampler = threading.Thread(target=sample, args=(process,), daemon=True)
    sampler.start()
    code = process.wait()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    busy_after, idle_after = machine_ticks()
    by_kind: Counter[str] = Counter()
    for name, ticks in seen.values():
        by_kind[kind(name)] += ticks
    print(
        f"\nwall {wall:.1f} s; machine: busy {(busy_after - busy) / TICKS:.1f} CPU-s, idle "
        f"{(idle_after - idle) / TICKS:.1f} CPU-s ({os.cpu_count()} CPUs)"
    )
    for name, ticks in by_kind.most_common():
        print(f"{ticks / TICKS:8.1f} CPU-s  {name}")
    print(f"{sum(by_kind.values()) / TICKS:8.1f} CPU-s  Spark JVM in all (sampled every 0.5 s)")
    sys.exit(code)


if __name__ == "__main__":
    main()
