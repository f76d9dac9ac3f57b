"""The interface speaks Vietnamese first and English second, and the Vietnamese catalog is
complete: every message the code and templates mark is translated, and the compiled catalog
says what the .po file says."""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

PACKAGE = Path(settings.BASE_DIR) / "cleftmission"
VI_PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header and obsolete `#~` entries left out)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key = ("", 0)
    fuzzy = False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            fuzzy = fuzzy or bool(re.match(r"#,.*\bfuzzy\b", line))
            continue
        if line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            if keyword in ("msgctxt", "msgid") and (entry is None or entry.msgstr):
                if entry is not None:
                    entries.append(entry)
                entry, fuzzy = Entry(fuzzy=fuzzy, line=number), False
            plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            key = ("msgstr", int(plural_form.group(1))) if plural_form else (keyword, 0)
        assert entry is not None, f"{path}:{number}: text outside an entry"
        if key[0] == "msgstr":
            entry.msgstr[key[1]] = entry.msgstr.get(key[1], "") + text
        elif key[0] == "msgid":
            entry.msgid += text
        elif key[0] == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        elif key[0] == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + text
    if entry is not None:
        entries.append(entry)
    return [e for e in entries if e.msgid]


def untranslated(entries: list[Entry]) -> list[str]:
    problems = []
    for e in entries:
        if e.fuzzy:
            problems.append(f"line {e.line}: fuzzy: {e.msgid!r}")
        # Vietnamese has one plural form (nplurals=1).
        expected_forms = [0]
        if sorted(e.msgstr) != expected_forms or not all(e.msgstr.values()):
            problems.append(f"line {e.line}: not translated: {e.msgid!r}")
        for text in e.msgstr.values():
            if text and sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(e.msgid)):
                problems.append(f"line {e.line}: placeholders differ: {e.msgid!r} -> {text!r}")
    return problems


def get(client: Client, url: str, language: str) -> str:
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


def test_a_browser_asking_for_vietnamese_gets_the_login_page_in_vietnamese() -> None:
    page = get(Client(), "/accounts/login/", "vi")
    assert '<html lang="vi"' in page
    assert "Các đợt phẫu thuật khe hở môi – vòm miệng, từ lập kế hoạch đến tái khám." in page
    assert "Tên đăng nhập" in page
    assert "Cleft lip and palate surgical missions" not in page


def test_a_browser_asking_for_english_gets_the_login_page_in_english() -> None:
    page = get(Client(), "/accounts/login/", "en")
    assert '<html lang="en"' in page
    assert "Cleft lip and palate surgical missions, from planning to follow-up." in page
    assert "Đăng nhập" not in page


def test_a_browser_asking_for_neither_gets_vietnamese() -> None:
    assert '<html lang="vi"' in get(Client(), "/accounts/login/", "fr")


def test_the_language_chosen_on_the_top_bar_sticks_over_the_browser_s_preference(db: None) -> None:
    client = Client()
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, headers={"accept-language": "vi"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    for _ in range(2):  # and on the pages after
        page = get(client, "/accounts/login/", "vi")
        assert '<html lang="en"' in page
        assert "Cleft lip and palate surgical missions" in page

    client.post("/i18n/setlang/", {"language": "vi", "next": "/accounts/login/"})
    assert '<html lang="vi"' in get(client, "/accounts/login/", "en")


def test_a_vietnamese_page_writes_dates_as_dd_mm_yyyy_and_an_english_one_with_the_month_in_words(
    as_user: Callable[[Any], Client], coordinator: Any, child: Any
) -> None:
    client = as_user(coordinator)
    child.date_of_birth = child.date_of_birth.replace(year=2025, month=6, day=1)
    child.save()

    vietnamese = get(client, f"/children/{child.pk}/", "vi")
    assert "01/06/2025" in vietnamese
    assert "2025-06-01" not in vietnamese and "Jun" not in vietnamese

    english = get(client, f"/children/{child.pk}/", "en")
    assert "01 Jun 2025" in english
    assert "01/06/2025" not in english


def test_a_form_error_from_django_itself_is_in_vietnamese(as_user: Callable[[Any], Client], coordinator: Any) -> None:
    client = as_user(coordinator)
    response = client.post("/sites/new/", {"tables-TOTAL_FORMS": "0", "tables-INITIAL_FORMS": "0"})
    assert "Trường này là bắt buộc." in response.content.decode()


def test_a_refusal_and_a_missing_page_are_explained_in_the_user_s_language(
    as_user: Callable[[Any], Client], viewer: Any
) -> None:
    client = as_user(viewer)
    refused = client.get("/volunteers/new/", headers={"accept-language": "vi"})
    assert refused.status_code == 403
    assert "Vai trò của bạn (Người xem) không được xem hoặc thực hiện thao tác này." in refused.content.decode()

    missing = client.get("/children/999999/", headers={"accept-language": "vi"})
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in missing.content.decode()

    refused = client.get("/volunteers/new/", headers={"accept-language": "en"})
    assert "Your role (Viewer) may not see or do this." in refused.content.decode()


def test_every_message_in_the_vietnamese_catalog_is_translated_and_none_is_fuzzy() -> None:
    entries = read_po(VI_PO)
    assert len(entries) > 250
    assert untranslated(entries) == []
    text = VI_PO.read_text(encoding="utf-8")
    assert not re.search(r"^#,.*\bfuzzy\b", text, re.MULTILINE)  # not even the header
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text


def test_the_compiled_catalog_says_what_the_po_file_says() -> None:
    """Fails when the .mo is older than the .po: run `make messages`."""
    stale = []
    with translation.override("vi"):
        for e in read_po(VI_PO):
            if e.msgid_plural is not None:
                got = translation.ngettext(e.msgid, e.msgid_plural, 1)
            elif e.msgctxt is not None:
                got = translation.pgettext(e.msgctxt, e.msgid)
            else:
                got = translation.gettext(e.msgid)
            if got != e.msgstr[0]:
                stale.append((e.msgid, got))
    assert stale == []


def test_nothing_marked_for_translation_is_missing_from_the_vietnamese_catalog(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages, run on a copy of the code with a copy of the catalog, finds every message
    already translated: a new string in a template or in Python fails here until it is."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail("gettext is needed (apt-get install gettext)")
    source = tmp_path / "cleftmission"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("locale", "__pycache__", "static", "*.mo"))
    copy_po = source / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    copy_po.parent.mkdir(parents=True)
    shutil.copy(VI_PO, copy_po)
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)

    call_command("makemessages", locale=["vi"], verbosity=0)

    entries = read_po(copy_po)
    assert untranslated(entries) == []
    assert {e.msgid for e in entries} == {e.msgid for e in read_po(VI_PO)}, "run makemessages (see README)"


def test_the_po_reader_sees_what_is_untranslated_and_what_is_fuzzy(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.py:1\nmsgid "Save"\nmsgstr "Lưu"\n\n'
        '#: a.py:2\nmsgid "Cancel"\nmsgstr ""\n\n'
        '#: a.py:3\n#, fuzzy\nmsgid "Edit"\nmsgstr "Sửa"\n\n'
        '#: a.py:4\nmsgid "%(n)s child"\nmsgid_plural "%(n)s children"\nmsgstr[0] ""\n\n'
        '#: a.py:5\nmsgid ""\n"Page %(n)s "\n"of %(total)s"\nmsgstr "Trang %(n)s"\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = read_po(po)
    assert [e.msgid for e in entries] == ["Save", "Cancel", "Edit", "%(n)s child", "Page %(n)s of %(total)s"]
    problems = untranslated(entries)
    assert len(problems) == 4
    assert "not translated: 'Cancel'" in problems[0]
    assert "fuzzy: 'Edit'" in problems[1]
    assert "not translated: '%(n)s child'" in problems[2]
    assert "placeholders differ" in problems[3]
