"""CPU cost of turning OTLP protobuf into priced rows, on one core, without a database.

Decodes and normalises the same 512-span batches `benchmarks/ingest.py` sends (half LLM calls with
about 20 attributes each), once without and once with the shipped price catalog, alternating, and
prints microseconds per span for each. The difference is what pricing at ingest costs.

Run: .venv/bin/python benchmarks/normalise.py [--batches 40] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import ingest
from finops.ingest import otlp
from finops.ingest.normalise import IngestLimits, normalise_request
from finops.pricing.matching import PriceBook
from finops.pricing.service import shipped_catalog


def measure(bodies: list[bytes], book: PriceBook | None, spans: int) -> float:
    started = time.perf_counter()
    for body in bodies:
        normalise_request(otlp.decode_request(body, otlp.WireFormat.PROTOBUF), 1, IngestLimits(), book)
    return (time.perf_counter() - started) / spans * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=40, help="512-span bodies per round (default 40)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    args = parser.parse_args()
    template = ingest.build_template(1, 512)
    bodies = [ingest.make_body(template, False).data for _ in range(min(args.batches, 1000))]
    book = PriceBook(shipped_catalog())
    spans = 512 * len(bodies)
    for round_number in range(1, min(args.rounds, 20) + 1):
        without = measure(bodies, None, spans)
        priced = measure(bodies, book, spans)
        print(f"round {round_number}: {without:.1f} us/span without pricing, {priced:.1f} us/span with pricing")


if __name__ == "__main__":
    main()
