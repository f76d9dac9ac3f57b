"""`manage.py remind_credentials`: the credentials expiring within a window, listed per
volunteer or e-mailed to each volunteer through Django's e-mail backend."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cleftmission.factories import CredentialFactory, VolunteerFactory


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("remind_credentials", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    lan: Any = VolunteerFactory(family_name="Đỗ", given_name="Lan", email="lan@example.org")
    CredentialFactory(volunteer=lan, kind="bls", valid_to=days(10))
    CredentialFactory(volunteer=lan, kind="pals", valid_to=days(45))
    CredentialFactory(volunteer=lan, kind="licence", valid_to=days(400))
    binh: Any = VolunteerFactory(family_name="Bùi", given_name="Bình", email="")
    CredentialFactory(volunteer=binh, kind="bls", valid_to=days(0))
    CredentialFactory(volunteer=binh, kind="pals", valid_to=days(-3))
    cuong: Any = VolunteerFactory(family_name="Cao", given_name="Cường", email="cuong@example.org")
    CredentialFactory(volunteer=cuong, kind="licence", valid_to=days(-30))
    CredentialFactory(volunteer=cuong, kind="passport", valid_to=None)
    return {"lan": lan, "binh": binh, "cuong": cuong}


def test_it_lists_one_line_per_credential_expiring_within_the_window_grouped_per_volunteer(
    people: dict[str, Any],
) -> None:
    lines = run("--days", "60")[1:]  # after the heading
    assert [line.split("\t")[0] for line in lines] == ["Bùi Bình", "Đỗ Lan", "Đỗ Lan"]
    assert lines[0].split("\t")[2:] == [days(0).strftime("%d/%m/%Y"), "0", "-"]
    assert lines[1].split("\t")[2:] == [days(10).strftime("%d/%m/%Y"), "10", "lan@example.org"]
    assert lines[2].split("\t")[3] == "45"


def test_the_window_is_inclusive_and_can_be_narrowed(people: dict[str, Any]) -> None:
    assert [line.split("\t")[3] for line in run("--days", "10")[1:]] == ["0", "10"]
    assert [line.split("\t")[3] for line in run("--days", "9")[1:]] == ["0"]


def test_with_include_expired_it_lists_those_already_expired_too(people: dict[str, Any]) -> None:
    lines = run("--days", "60", "--include-expired")[1:]
    assert [(line.split("\t")[0], line.split("\t")[3]) for line in lines] == [
        ("Bùi Bình", "-3"),
        ("Bùi Bình", "0"),
        ("Cao Cường", "-30"),
        ("Đỗ Lan", "10"),
        ("Đỗ Lan", "45"),
    ]


def test_listing_sends_no_e_mail(people: dict[str, Any]) -> None:
    run("--days", "60", "--include-expired")
    assert mail.outbox == []


def test_with_email_each_volunteer_with_an_address_gets_one_e_mail_and_the_others_are_named(
    people: dict[str, Any],
) -> None:
    lines = run("--days", "60", "--include-expired", "--email")
    assert sorted(m.to[0] for m in mail.outbox) == ["cuong@example.org", "lan@example.org"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert any("Bùi Bình" in line and "not sent" in line for line in lines)
    lan = next(m for m in mail.outbox if m.to == ["lan@example.org"])
    assert "Đỗ Lan" in lan.body
    assert days(10).strftime("%d/%m/%Y") in lan.body and days(45).strftime("%d/%m/%Y") in lan.body
    assert days(400).strftime("%d/%m/%Y") not in lan.body
    assert lan.subject


def test_nothing_to_remind_is_said_and_sends_nothing(db: None) -> None:
    CredentialFactory(valid_to=days(300))
    assert run("--days", "60", "--email") == ["No credentials expire within 60 days."]
    assert mail.outbox == []


@pytest.mark.parametrize("bad", ["0", "-5", "3651"])
def test_a_window_outside_1_to_3650_days_is_refused(db: None, bad: str) -> None:
    with pytest.raises(CommandError, match="--days"):
        call_command("remind_credentials", "--days", bad, stdout=StringIO())
    assert mail.outbox == []


def test_the_longest_window_is_accepted(people: dict[str, Any]) -> None:
    assert len(run("--days", "3650")[1:]) == 4
