"""Every translation catalogue under `src/mutua/locale` is complete, correct and compiled.

- the catalogue lists exactly the strings marked in the code and templates (so a new string that
  nobody ran `makemessages` for fails here, not silently in English on a Spanish page);
- every entry is translated and none is fuzzy;
- placeholders survive translation: `%(name)s` (and `%s`) in python-format entries, `{{ name }}`
  and `{name}` (python-brace-format) wherever they appear;
- the committed `.mo`, which is all Django reads, says exactly what the `.po` says.

When one fails: from `src/mutua`, run
`MUTUA_DEBUG=1 mutua makemessages -l es --ignore "*/tests/*" --no-obsolete`, translate the new
entries in the `.po`, then `MUTUA_DEBUG=1 mutua messages_compile`.

The source check extracts strings in pure Python (Django's `templatize` for templates, `ast` for
code) with the keywords `makemessages` gives xgettext, so it needs no GNU gettext on the machine.
"""

import ast
import io
import re
import tokenize
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.utils.translation import templatize

PACKAGE_DIR = Path(__file__).resolve().parents[2]
LOCALE_DIR = PACKAGE_DIR / "locale"
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))
FIX = (
    "from src/mutua run `MUTUA_DEBUG=1 mutua makemessages -l <lang> --ignore '*/tests/*' "
    "--no-obsolete`, translate, then `MUTUA_DEBUG=1 mutua messages_compile`"
)

Key = tuple[str | None, str, str | None]  # (msgctxt, msgid, msgid_plural)


def _catalogue_id(path: Path) -> str:
    return "/".join(path.parts[-3:])  # es/LC_MESSAGES/django.po


po_files = pytest.mark.parametrize("po_path", PO_FILES, ids=_catalogue_id)


def _entries(po_path: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(po_path)) if not entry.obsolete]


def _describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{file}:{line}" for file, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({where})"


def test_there_is_a_spanish_catalogue() -> None:
    assert LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po" in PO_FILES


# --- header ------------------------------------------------------------------------------------


@po_files
def test_the_header_names_the_language_charset_and_plural_forms(po_path: Path) -> None:
    catalogue = polib.pofile(str(po_path))
    language = po_path.parents[1].name
    assert catalogue.metadata.get("Language") == language
    assert "charset=UTF-8" in catalogue.metadata.get("Content-Type", "")
    assert not catalogue.metadata_is_fuzzy, "remove the '#, fuzzy' flag above the header"
    plural_forms = catalogue.metadata.get("Plural-Forms", "")
    match = re.search(r"nplurals\s*=\s*(\d+)", plural_forms)
    assert match, f"no nplurals in Plural-Forms {plural_forms!r}"
    nplurals = int(match.group(1))
    if language == "es":
        assert plural_forms.replace(" ", "") == "nplurals=2;plural=(n!=1);"
    wrong = [
        _describe(entry)
        for entry in _entries(po_path)
        if entry.msgid_plural and sorted(entry.msgstr_plural) != list(range(nplurals))
    ]
    assert not wrong, f"plural entries without exactly {nplurals} forms: {wrong}"


# --- completeness ------------------------------------------------------------------------------


@po_files
def test_every_entry_is_translated(po_path: Path) -> None:
    untranslated = [_describe(e) for e in polib.pofile(str(po_path)).untranslated_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {po_path.name}: {untranslated}"


@po_files
def test_no_entry_is_fuzzy(po_path: Path) -> None:
    fuzzy = [_describe(e) for e in _entries(po_path) if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries (check the translation, then drop the flag): {fuzzy}"


# --- placeholders ------------------------------------------------------------------------------

PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]")
DOUBLE_BRACE = re.compile(r"\{\{\s*([^{}\s|]+)[^{}]*\}\}")
SINGLE_BRACE = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")


def placeholders(text: str, flags: list[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    if "python-format" in flags:
        for match in PERCENT.finditer(text):
            if match.group(0) != "%%":
                found[match.group(0)] += 1
    if "python-brace-format" in flags:
        found.update("{" + name + "}" for name in SINGLE_BRACE.findall(text))
    found.update("{{ " + name + " }}" for name in DOUBLE_BRACE.findall(text))
    return found


def test_placeholders_are_recognised() -> None:
    assert placeholders("%(name)s has %(n)d, 100%% and %s", ["python-format"]) == Counter(
        {"%(name)s": 1, "%(n)d": 1, "%s": 1}
    )
    assert placeholders("100% sure", []) == Counter()
    assert placeholders("Hi {{ user.name|upper }}", []) == Counter({"{{ user.name }}": 1})
    assert placeholders("{a} and {{b}}", ["python-brace-format"]) == Counter(
        {"{a}": 1, "{{ b }}": 1}
    )


@po_files
def test_placeholders_are_kept_in_every_translation(po_path: Path) -> None:
    problems = []
    for entry in _entries(po_path):
        if entry.msgid_plural:
            pairs = [
                (entry.msgid if form == 0 else entry.msgid_plural, text)
                for form, text in sorted(entry.msgstr_plural.items())
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translation in pairs:
            if not translation:
                continue  # reported as untranslated
            expected = placeholders(source, entry.flags)
            got = placeholders(translation, entry.flags)
            if expected != got:
                problems.append(f"{source!r} -> {translation!r}: {dict(expected)} != {dict(got)}")
    assert not problems, "placeholders changed in translation:\n" + "\n".join(problems)


# --- compiled catalogue ------------------------------------------------------------------------


def _mapping(entries: list[polib.POEntry] | polib.MOFile) -> dict[Key, str | tuple[str, ...]]:
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural or None): (
            tuple(text for _, text in sorted(entry.msgstr_plural.items()))
            if entry.msgid_plural
            else entry.msgstr
        )
        for entry in entries
        if entry.msgid
    }


@po_files
def test_the_committed_mo_matches_the_po(po_path: Path) -> None:
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `MUTUA_DEBUG=1 mutua messages_compile`"
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(mo_path))
    expected, compiled = _mapping(po.translated_entries()), _mapping(mo)
    stale = sorted(
        str(key[1])
        for key in expected.keys() | compiled.keys()
        if expected.get(key) != compiled.get(key)
    )
    assert not stale, (
        f"{mo_path.name} is out of date for {stale[:10]}: run `mutua messages_compile`"
    )
    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")


# --- catalogue versus sources ------------------------------------------------------------------

# The keywords makemessages passes to xgettext (Django's, plus xgettext's defaults for Python):
# name -> (context argument, singular argument, plural argument).
KEYWORDS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "ugettext": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "dgettext": (None, 1, None),
    "ngettext": (None, 0, 1),
    "ungettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "dngettext": (None, 1, 2),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
SKIPPED_DIRS = {"tests", "locale", "__pycache__", "node_modules"}


def _key(name: str, args: list[str | None]) -> Key | None:
    context_at, singular_at, plural_at = KEYWORDS[name]

    def arg(index: int | None) -> str | None:
        return args[index] if index is not None and index < len(args) else None

    singular = arg(singular_at)
    if not singular or (context_at is not None and arg(context_at) is None):
        return None
    if plural_at is not None and arg(plural_at) is None:
        return None
    return (arg(context_at), singular, arg(plural_at))


def _python_keys(source: str) -> Iterator[Key]:
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in KEYWORDS:
            args = [
                a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                for a in node.args
            ]
            key = _key(name, args)
            if key:
                yield key


CALL = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, KEYWORDS)) + r")\s*(?=\()")


def _literal(tokens: list[tokenize.TokenInfo]) -> str | None:
    """An argument made only of string literals (implicitly concatenated), else None."""
    if tokens and all(token.type == tokenize.STRING for token in tokens):
        return "".join(ast.literal_eval(token.string) for token in tokens)
    return None


def _call_args(text: str) -> list[str | None] | None:
    """The arguments of the call whose "(" starts `text`; None when the call does not close."""
    args: list[str | None] = []
    current: list[tokenize.TokenInfo] = []
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            is_op = token.type == tokenize.OP
            if is_op and token.string in "([{":
                depth += 1
                if depth == 1:
                    continue
            elif is_op and token.string in ")]}":
                depth -= 1
            if depth == 0 or (depth == 1 and is_op and token.string == ","):
                args.append(_literal(current))
                current = []
                if depth == 0:
                    return args
                continue
            current.append(token)
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return None


def _template_keys(source: str, origin: str) -> Iterator[Key]:
    """Django's `templatize` turns translation tags into one-line gettext calls, as for xgettext."""
    for line in templatize(source, origin=origin).splitlines():
        for match in CALL.finditer(line):
            args = _call_args(line[match.end() :])
            key = _key(match.group(1), args) if args is not None else None
            if key:
                yield key


def source_keys() -> dict[Key, str]:
    """Every marked string under src/mutua (tests excluded, as for makemessages), with one place."""
    found: dict[Key, str] = {}
    for path in sorted(PACKAGE_DIR.rglob("*")):
        relative = path.relative_to(PACKAGE_DIR)
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts[:-1]):
            continue
        source = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            keys = _python_keys(source)
        else:
            keys = _template_keys(source, origin=str(relative))
        for key in keys:
            found.setdefault(key, str(relative))
    return found


def test_the_source_extraction_finds_what_makemessages_would() -> None:
    template = (
        '{% load i18n %}{% translate "Plain" %} {% translate "Menu" context "food" %}'
        "{% blocktranslate with n=x %}Hi {{ n }}{% endblocktranslate %}"
        "{% blocktranslate count counter=k %}{{ counter }} cat{% plural %}{{ counter }} cats"
        "{% endblocktranslate %}{{ _('Filtered') }} <p>Not marked</p>"
    )
    assert set(_template_keys(template, "t.html")) == {
        (None, "Plain", None),
        ("food", "Menu", None),
        (None, "Hi %(n)s", None),
        (None, "%(counter)s cat", "%(counter)s cats"),
        (None, "Filtered", None),
    }
    code = (
        "_('A')\ngettext_lazy('B' 'C')\nngettext('%(n)s x', '%(n)s xs', n)\n"
        "translation.pgettext('ctx', 'D')\n_(variable)\nprint('E')\n"
    )
    assert set(_python_keys(code)) == {
        (None, "A", None),
        (None, "BC", None),
        (None, "%(n)s x", "%(n)s xs"),
        ("ctx", "D", None),
    }


@po_files
def test_the_catalogue_lists_exactly_the_marked_strings(po_path: Path) -> None:
    in_sources = source_keys()
    in_catalogue = {
        (e.msgctxt, e.msgid, e.msgid_plural or None) for e in _entries(po_path) if e.msgid
    }
    missing = sorted(f"{key[1]!r} ({in_sources[key]})" for key in in_sources.keys() - in_catalogue)
    stale = sorted(repr(key[1]) for key in in_catalogue - in_sources.keys())
    assert not missing, f"marked but not in {_catalogue_id(po_path)}: {missing}; {FIX}"
    assert not stale, f"in {_catalogue_id(po_path)} but no longer marked: {stale}; {FIX}"
