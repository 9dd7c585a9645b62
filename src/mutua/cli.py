"""The `mutua` command: Django's management commands with Mutua's settings preselected.

`mutua migrate`, `mutua demo`, `mutua worker`, `mutua audit verify`, `mutua token create` ... all go
through here, so an operator never needs to know about `DJANGO_SETTINGS_MODULE`.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutua.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
