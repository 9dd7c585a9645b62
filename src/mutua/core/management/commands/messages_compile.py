"""`mutua messages_compile`: compile every `locale/*/LC_MESSAGES/django.po` to its `.mo` with polib.

Django's own `compilemessages` shells out to GNU gettext's `msgfmt`, which a fresh machine (or a
contributor's laptop) often lacks, while the rest of Mutua needs nothing but Python. polib is pure
Python and already a test/dev dependency, so this command lets anyone who edits a translation
recompile it. The compiled `.mo` files are committed (Django reads only those at run time), and
`core/tests/test_translations.py` fails when a `.mo` no longer matches its `.po`.

Fuzzy and untranslated entries are left out of the `.mo`, exactly as `msgfmt` does.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

LOCALE_DIR = Path(__file__).resolve().parents[3] / "locale"


class Command(BaseCommand):
    help = (
        "Compile every locale/*/LC_MESSAGES/django.po to django.mo with polib (no msgfmt needed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            import polib  # type: ignore[import-untyped]  # no stubs; a test/dev dependency
        except ImportError as error:
            raise CommandError(
                "messages_compile needs polib, a test/dev dependency: "
                "pip install -e '.[test]' (or pip install polib)."
            ) from error

        po_files = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))
        if not po_files:
            raise CommandError(f"no django.po files under {LOCALE_DIR}")
        for po_path in po_files:
            try:
                catalogue = polib.pofile(str(po_path))
            except (OSError, ValueError) as error:
                raise CommandError(f"cannot read {po_path}: {error}") from error
            mo_path = po_path.with_suffix(".mo")
            catalogue.save_as_mofile(str(mo_path))
            translated = len(catalogue.translated_entries())
            left_out = len(catalogue.untranslated_entries()) + len(catalogue.fuzzy_entries())
            self.stdout.write(
                f"{mo_path}: {translated} messages"
                + (f" ({left_out} untranslated or fuzzy left out)" if left_out else "")
            )
