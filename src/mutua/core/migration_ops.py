"""Migration operations that put invariants into the database itself, on SQLite and PostgreSQL.

`AppendOnly("app_table")` installs triggers that refuse every UPDATE and DELETE of the table's rows,
so history cannot be edited even by code (or a person at a SQL prompt) that goes around the ORM.
Corrections are new rows that point at what they correct. The trigger's message names the table, so
the error says what was refused.
"""

from pathlib import Path
from typing import Any

from django.db import migrations

_SQLITE = [
    "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
    "BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be updated'); END",
    "CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
    "BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be deleted'); END",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS {table}_no_update",
    "DROP TRIGGER IF EXISTS {table}_no_delete",
]
_POSTGRES = [
    """CREATE OR REPLACE FUNCTION mutua_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: rows cannot be %', TG_TABLE_NAME, lower(TG_OP) || 'd'
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION mutua_refuse_change()",
]
_POSTGRES_DROP = ["DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]
_TEMPLATES = {
    ("sqlite", False): _SQLITE,
    ("sqlite", True): _SQLITE_DROP,
    ("postgresql", False): _POSTGRES,
    ("postgresql", True): _POSTGRES_DROP,
}


class AppendOnly(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str) -> None:
        self.table = table

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _execute(self, schema_editor: Any, *, drop: bool) -> None:
        vendor = schema_editor.connection.vendor
        if (vendor, drop) not in _TEMPLATES:
            raise RuntimeError(f"Mutua supports SQLite and PostgreSQL, not {vendor}")
        for statement in _TEMPLATES[vendor, drop]:
            # The PL/pgSQL body contains '%' placeholders: pass no params so none are interpolated.
            schema_editor.execute(statement.replace("{table}", self.table), params=None)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._execute(schema_editor, drop=False)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._execute(schema_editor, drop=True)

    def describe(self) -> str:
        return f"Make {self.table} append-only"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [], {"table": self.table})


STATEMENT_SEPARATOR = "-- next"


def sql_statements(path: Path) -> list[str]:
    """The statements of a `.sql` file, separated by lines holding only `-- next`."""
    text = path.read_text(encoding="utf-8")
    chunks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip() == STATEMENT_SEPARATOR:
            chunks.append([])
        else:
            chunks[-1].append(line)
    statements = []
    for chunk in chunks:
        body = "\n".join(
            ln for ln in chunk if not ln.lstrip().startswith("--") or "$$" in ln
        ).strip()
        if body:
            statements.append(body)
    return statements


class RunVendorSQL(migrations.operations.base.Operation):
    """Run the `.sql` file written for this database (paths relative to the migration's folder).

    The raw SQL of an invariant lives beside its migration, one file per database, so a reviewer
    reads the rule as the database runs it (django-hordak's practice).
    """

    reversible = True
    reduces_to_sql = True

    def __init__(
        self,
        *,
        folder: str,
        files: dict[str, str],
        reverse: dict[str, list[str]] | None = None,
        reverse_files: dict[str, str] | None = None,
    ) -> None:
        self.folder = folder
        self.files = files
        self.reverse = reverse or {}
        self.reverse_files = reverse_files or {}

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        vendor = schema_editor.connection.vendor
        for statement in sql_statements(Path(self.folder) / self.files[vendor]):
            schema_editor.execute(statement, params=None)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        vendor = schema_editor.connection.vendor
        statements = list(self.reverse.get(vendor, []))
        if vendor in self.reverse_files:
            statements += sql_statements(Path(self.folder) / self.reverse_files[vendor])
        for statement in statements:
            schema_editor.execute(statement, params=None)

    def describe(self) -> str:
        return f"Run {', '.join(self.files.values())}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            self.__class__.__qualname__,
            [],
            {
                "folder": self.folder,
                "files": self.files,
                "reverse": self.reverse,
                "reverse_files": self.reverse_files,
            },
        )
