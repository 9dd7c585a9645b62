"""`mutua aid allocate --from FILE.json | verify`: the fair allocator on a file; the stock checked.

`verify` recomputes every stock level from the stock movements (all communities) and prints every
difference; it exits non-zero if there is one.

`allocate`: run the fair allocator on a self-contained instance.

No database: the file holds the pick-up date, items, lots and requests (`allocation_format`, and
`docs/aid-allocation.md` for the format). The allocation is printed as JSON on standard output. A
file that cannot be allocated fails with one error naming every problem found in it. The action
argument leaves room for more actions on the aid app.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutua.aid.allocation import AllocationInputError, SolverFailure, allocate
from mutua.aid.allocation_format import allocation_to_json, problem_from_json
from mutua.aid.selectors import levels_verify
from mutua.core.tenancy import scopes_disabled


class Command(BaseCommand):
    help = "Mutual aid: `allocate --from FILE.json` prints the fair allocation of the file's stock."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["allocate", "verify"])
        parser.add_argument(
            "--from", dest="source", metavar="FILE", help="allocate: the instance, as JSON"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "allocate":
            self._allocate(options["source"])
        else:
            self._verify()

    def _verify(self) -> None:
        with scopes_disabled():
            problems = levels_verify()
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} stock level(s) differ from their movements.")
        self.stdout.write("Every stock level equals the sum of its movements.")

    def _allocate(self, source: str | None) -> None:
        if source is None:
            raise CommandError("Say which file to allocate: --from FILE.json.")
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {source}: {error.strerror or error}.") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{source} is not valid JSON: {error}.") from error
        try:
            allocation = allocate(problem_from_json(data))
        except AllocationInputError as error:
            problems = "\n".join(f"- {problem}" for problem in error.problems)
            raise CommandError(
                f"{source} cannot be allocated ({len(error.problems)} problem(s)):\n{problems}"
            ) from error
        except SolverFailure as error:
            raise CommandError(f"The allocator could not finish {source}: {error}.") from error
        self.stdout.write(json.dumps(allocation_to_json(allocation), indent=2, ensure_ascii=False))
