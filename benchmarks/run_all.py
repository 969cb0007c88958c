"""Run every benchmark with small sizes (`make bench`), or with the sizes the README reports (`--full`).

    .venv/bin/python -m benchmarks.run_all           # a few minutes
    .venv/bin/python -m benchmarks.run_all --full    # the README's figures (replay of 100,000 candidates, ...)

Each benchmark prints its own table with ratios against baselines measured in the same run. PostgreSQL runs
when KETNAP_BENCH_DATABASE_URL (or KETNAP_TEST_DATABASE_URL) names a server; otherwise it says it skipped.
"""

import argparse
import importlib
import time

# (module, arguments for `make bench`, arguments for the README's figures)
BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    ("benchmarks.bench_steps_sqlite", ["--candidates", "100", "--repeat", "3"],
     ["--candidates", "500", "--repeat", "5"]),
    ("benchmarks.bench_replay", ["--sizes", "2500,5000,10000"], ["--sizes", "25000,50000,100000"]),
    ("benchmarks.bench_steps_postgres", ["--candidates", "50", "--repeat", "3"],
     ["--candidates", "100", "--repeat", "3"]),
    ("benchmarks.bench_audit", ["--size", "100000", "--workers", "1"], ["--size", "1000000", "--workers", "1", "2"]),
    ("benchmarks.bench_sweep", ["--size", "100000"], ["--size", "1000000"]),
    ("benchmarks.bench_dispatch", ["--size", "500"], ["--size", "2000"]),
    ("benchmarks.bench_reports", ["--size", "5000", "--import-rows", "1000"],
     ["--size", "50000", "--import-rows", "10000"]),
    ("benchmarks.bench_web", ["--size", "10000", "--requests", "500"], ["--size", "100000", "--requests", "2000"]),
    ("benchmarks.bench_restructure", ["--orgs", "300", "--candidates", "3000"],
     ["--orgs", "1000", "--candidates", "20000"]),
    ("benchmarks.bench_documents", ["--candidates", "100", "--pdf", "5"], ["--candidates", "1000", "--pdf", "20"]),
    ("benchmarks.bench_cli_start", ["--runs", "5"], ["--runs", "15"]),
    ("benchmarks.province", ["--size", "2000", "--repeat", "3", "--requests", "20"],
     ["--size", "200000", "--repeat", "5", "--requests", "50"]),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the sizes the README reports (takes longer)")
    parser.add_argument("--only", help="run only the benchmarks whose module name contains this")
    args = parser.parse_args(argv)
    for module, small, full in BENCHMARKS:
        if args.only and args.only not in module:
            continue
        started = time.perf_counter()
        importlib.import_module(module).main(full if args.full else small)
        print(f"\n({module} {' '.join(full if args.full else small)}: {time.perf_counter() - started:.0f} s)\n")


if __name__ == "__main__":
    main()
