"""The bank test under faults, run long: concurrent clients pay each other through Mutua's HTTP API
while the server and, on PostgreSQL, the database are killed and restarted at random; afterwards
the money is all there, every acknowledged payment is in the ledger exactly once, and `ledger
verify` and `audit verify` are clean. Run by hand; CI runs a short version
(`src/mutua/ledger/tests/test_bank_faults.py`).

    .venv/bin/python bench/bank_faults.py [--seconds 600] [--clients 8] [--wallets 16]
                                          [--fault-every 10] [--only postgresql|sqlite]
                                          [--workers 3] [--seed 0] [--keep]

Prints one JSON line per database on standard output (progress goes to standard error); its
`problems` must be empty. The design and every figure are described in `mutua.ledger.tests.bank`:
PostgreSQL runs in a cluster of the script's own (initdb in a temporary folder, `fsync` on,
killed with `pg_ctl -m immediate stop`), SQLite in a temporary file; both are deleted afterwards,
also when the script is stopped with SIGTERM, unless `--keep` keeps the folder (gunicorn's and
PostgreSQL's logs, the bank's wallets and tokens) for a look.
"""

import argparse
import json
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from mutua.ledger.tests.bank import Options, bank_run, log

BACKENDS = ("postgresql", "sqlite")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="of payments (600)")
    parser.add_argument("--clients", type=int, default=8, help="paying threads (8)")
    parser.add_argument("--wallets", type=int, default=16, help="members who pay (16)")
    parser.add_argument(
        "--fault-every", type=float, default=10.0, help="seconds between strikes, on average (10)"
    )
    parser.add_argument("--only", action="append", choices=BACKENDS, help="repeatable")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--seed", type=int, default=0, help="of the payments and the strikes")
    parser.add_argument("--keep", action="store_true", help="keep the folder with the logs")
    args = parser.parse_args()
    # Stopped by a signal, unwind: the server and the cluster stop, the folders go.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    for backend in args.only or BACKENDS:
        options = Options(
            backend=backend,
            seconds=args.seconds,
            clients=args.clients,
            wallets=args.wallets,
            faults=max(1, round(args.seconds / args.fault_every)),
            workers=args.workers,
            seed=args.seed,
        )
        folder = Path(tempfile.mkdtemp(prefix=f"mutua-bank-{backend}-"))
        try:
            print(json.dumps(bank_run(options, folder)), flush=True)
        finally:
            if args.keep:
                log(f"kept {folder}")
            else:
                shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
