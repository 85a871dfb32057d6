"""Run every benchmark: `make bench` (or `.venv/bin/python -m bench [name ...]`)."""

import importlib
import os
import sys

BENCHMARKS = ["job_board", "task_loop", "results", "ledger", "payout_batch", "earnings_page"]


def main(names: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    for name in names or BENCHMARKS:
        importlib.import_module(f"bench.{name}").run()


if __name__ == "__main__":
    main(sys.argv[1:])
