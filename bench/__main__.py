"""Run the benchmarks and print their tables (see bench/README.md).

    python -m bench                 # all of them, one after the other
    python -m bench conversation    # or crowd, reminders, broadcast, wabroadcast...: only that one

Exits 1 when any target is missed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import (
    bench_broadcast,
    bench_console,
    bench_conversation,
    bench_crowd,
    bench_reminders,
    bench_trainings,
    bench_whatsapp,
    bench_whatsapp_broadcast,
)

BENCHMARKS: dict[str, Callable[[], int]] = {
    "broadcast": bench_broadcast.main,
    "console": bench_console.main,
    "conversation": bench_conversation.main,
    "crowd": bench_crowd.main,
    "reminders": bench_reminders.main,
    "trainings": bench_trainings.main,
    "whatsapp": bench_whatsapp.main,
    "wabroadcast": bench_whatsapp_broadcast.main,
}


def main() -> int:
    names = sys.argv[1:] or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}: choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    failed = False
    for name in names:
        print(f"\n== {name} ==", flush=True)
        failed |= BENCHMARKS[name]() != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
