"""A volunteer's own page (/me/): their record, their missions, their credentials and the
dates they cannot serve. They see and change only their own, and nothing of anyone else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cleftmission.core.models import AuditEntry
from cleftmission.core.tests.helpers import assert_refused
from cleftmission.factories import (
    CredentialFactory,
    MissionFactory,
    MissionMemberFactory,
    UnavailabilityFactory,
    VolunteerFactory,
)
from cleftmission.volunteers.models import Credential, Unavailability

PDF = b"%PDF-1.4 synthetic licence"


def pdf(name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def client(as_user: Any, volunteer_user: Any) -> Client:
    c: Client = as_user(volunteer_user)
    return c


@pytest.fixture
def me(volunteer_user: Any) -> Any:
    return volunteer_user.volunteer


# Seeing their own record


def test_a_volunteer_sees_their_record_their_missions_and_their_credentials(
    client: Client, me: Any, mission: Any
) -> None:
    me.email = "yen@example.org"
    me.save()
    past = MissionFactory(name="Huế tháng 3", start_date=days(-300), end_date=days(-296))
    MissionMemberFactory(mission=past, volunteer=me, role="recovery_nurse", days=[days(-299).isoformat()])
    CredentialFactory(volunteer=me, kind="bls", number="BLS-77", valid_to=days(20))
    CredentialFactory(
        volunteer=me, kind="pals", valid_to=days(-5), verification="rejected", rejection_reason="Blurred scan"
    )
    CredentialFactory(volunteer=me, kind="nursing_licence", valid_to=days(900), verification="pending")

    response = client.get("/me/")
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (
        "Hoàng Yến",
        "yen@example.org",
        "0901 234 567",
        mission.name,
        mission.site.name,
        "Huế tháng 3",
        "BLS-77",
        "Blurred scan",
    ):
        assert shown in page, shown
    assert [m.mission for m in response.context["coming"]] == [mission]
    assert [m.mission for m in response.context["past"]] == [past]
    statuses = {c.kind: (status, c.verification) for c, status, _ in response.context["credentials"]}
    assert statuses == {
        "bls": (Credential.Status.EXPIRING, "verified"),
        "pals": (Credential.Status.EXPIRED, "rejected"),
        "nursing_licence": (Credential.Status.VALID, "pending"),
    }


def test_a_volunteers_credentials_are_measured_against_their_next_mission(
    client: Client, me: Any, mission: Any
) -> None:
    CredentialFactory(
        volunteer=me, kind="bls", valid_from=dt.date(2020, 1, 1), valid_to=mission.end_date - dt.timedelta(days=1)
    )
    response = client.get("/me/")
    assert response.context["next_mission"] == mission
    [(_, _, for_mission)] = response.context["credentials"]
    assert for_mission == Credential.Status.ENDS_DURING_MISSION


def test_a_volunteer_sees_nothing_of_other_volunteers(client: Client, me: Any, mission: Any) -> None:
    teammate: Any = VolunteerFactory(family_name="Lý", given_name="Thường Kiệt", email="kiet@example.org")
    MissionMemberFactory(mission=mission, volunteer=teammate)
    CredentialFactory(volunteer=teammate, number="SECRET-1")
    UnavailabilityFactory(volunteer=teammate, reason="Other person's holiday")
    page = client.get("/me/").content.decode()
    for hidden in ("Thường Kiệt", "kiet@example.org", "SECRET-1", "Other person's holiday"):
        assert hidden not in page


def test_a_volunteer_without_a_role_opens_no_page_of_others(client: Client, me: Any, mission: Any, child: Any) -> None:
    other: Any = VolunteerFactory()
    for url in (
        "/volunteers/",
        f"/volunteers/{me.pk}/",
        f"/volunteers/{other.pk}/",
        "/volunteers/credentials/",
        "/children/",
        f"/children/{child.pk}/",
        "/missions/",
        f"/missions/{mission.pk}/",
    ):
        assert client.get(url).status_code == 403, url


def test_a_volunteer_without_a_role_is_offered_only_their_own_page_in_the_top_bar(client: Client) -> None:
    page = client.get("/me/").content.decode()
    nav = page[page.index("<nav") : page.index("</nav>")]
    assert 'href="/me/"' in nav
    for hidden in ('href="/missions/"', 'href="/children/"', 'href="/volunteers/"'):
        assert hidden not in nav


def test_a_clinician_linked_to_a_volunteer_has_their_own_page_beside_the_usual_ones(
    as_user: Any, clinician: Any
) -> None:
    response = as_user(clinician).get("/me/")
    assert response.status_code == 200
    assert response.context["volunteer"] == clinician.volunteer
    nav = response.content.decode().split("</nav>")[0]
    assert 'href="/me/"' in nav and 'href="/missions/"' in nav


@pytest.mark.parametrize("persona", ["outsider", "viewer", "coordinator", "admin_user"])
def test_a_login_not_linked_to_a_volunteer_has_no_page_of_its_own(
    request: pytest.FixtureRequest, as_user: Any, persona: str
) -> None:
    client = as_user(request.getfixturevalue(persona))
    for url in ("/me/", "/me/credentials/new/", "/me/unavailable/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/me/unavailable/", {"first_day": "01/01/2027", "last_day": "02/01/2027"}).status_code == 403
    assert not Unavailability.objects.exists()


# Uploading and changing their credentials


def test_a_volunteer_uploads_a_credential_which_waits_for_verification(
    client: Client, me: Any, volunteer_user: Any
) -> None:
    data = {
        "kind": "bls",
        "number": "BLS-1",
        "issuer": "Hội Chữ thập đỏ",
        "valid_from": "01/02/2026",
        "valid_to": "01/02/2028",
        "document": pdf(),
    }
    response = client.post("/me/credentials/new/", data)
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    credential = Credential.objects.get(volunteer=me)
    assert (credential.kind, credential.number, credential.valid_to) == ("bls", "BLS-1", dt.date(2028, 2, 1))
    assert credential.verification == Credential.Verification.PENDING
    assert credential.verified_by is None
    assert credential.document.read() == PDF
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.object_id, entry.action) == (volunteer_user, str(me.pk), "create")


def test_a_new_credential_without_its_document_is_refused_naming_the_document(client: Client, me: Any) -> None:
    response = client.post("/me/credentials/new/", {"kind": "bls", "valid_to": "01/02/2028"})
    assert_refused(response, "document")
    assert not Credential.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_credential_that_ends_before_it_starts_is_refused_naming_the_date(client: Client, me: Any) -> None:
    data = {"kind": "bls", "valid_from": "01/02/2028", "valid_to": "01/02/2026", "document": pdf()}
    assert_refused(client.post("/me/credentials/new/", data), "valid_to")
    assert not Credential.objects.exists()


def test_a_volunteer_changes_a_verified_credential_and_it_goes_back_to_waiting(
    client: Client, me: Any, coordinator: Any
) -> None:
    credential: Any = CredentialFactory(
        volunteer=me, kind="bls", number="OLD", verified_by=coordinator, verified_at=timezone.now()
    )
    url = f"/me/credentials/{credential.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "bls", "number": "NEW", "valid_from": "01/01/2020", "valid_to": "01/01/2030"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.number == "NEW"
    assert credential.verification == Credential.Verification.PENDING
    assert (credential.verified_by, credential.verified_at) == (None, None)


def test_saving_a_credential_unchanged_keeps_it_verified(client: Client, me: Any, coordinator: Any) -> None:
    credential: Any = CredentialFactory(volunteer=me, kind="bls", number="SAME", verified_by=coordinator)
    response = client.post(
        f"/me/credentials/{credential.pk}/edit/",
        {"kind": "bls", "number": "SAME", "valid_from": "01/01/2020", "valid_to": "01/01/2030"},
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.verification == Credential.Verification.VERIFIED
    assert not AuditEntry.objects.exists()


def test_a_rejected_credential_with_a_new_document_waits_again_and_the_reason_is_cleared(
    client: Client, me: Any
) -> None:
    credential: Any = CredentialFactory(
        volunteer=me, kind="pals", verification="rejected", rejection_reason="Expired card"
    )
    response = client.post(
        f"/me/credentials/{credential.pk}/edit/",
        {"kind": "pals", "valid_from": "01/01/2020", "valid_to": "01/01/2030", "document": pdf("renewed.pdf")},
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert (credential.verification, credential.rejection_reason) == ("pending", "")
    assert credential.document


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_elses_credential_is_not_found_and_stays_as_it_was(client: Client, method: str) -> None:
    theirs: Any = CredentialFactory(number="THEIRS")
    response = getattr(client, method)(
        f"/me/credentials/{theirs.pk}/edit/",
        {"kind": "bls", "number": "MINE", "valid_to": "01/01/2030", "document": pdf()},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.kind, theirs.number, theirs.verification) == ("licence", "THEIRS", "verified")
    assert not AuditEntry.objects.exists()


# The dates they cannot serve


def test_a_volunteer_adds_dates_they_cannot_serve(client: Client, me: Any, volunteer_user: Any) -> None:
    response = client.post(
        "/me/unavailable/", {"first_day": "20/12/2026", "last_day": "03/01/2027", "reason": "Tết ở quê"}
    )
    assert response.status_code == 302
    period = Unavailability.objects.get(volunteer=me)
    assert (period.first_day, period.last_day, period.reason) == (
        dt.date(2026, 12, 20),
        dt.date(2027, 1, 3),
        "Tết ở quê",
    )
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.object_id) == (volunteer_user, str(me.pk))
    assert "Tết ở quê" in client.get("/me/").content.decode()


def test_a_single_day_is_accepted_and_a_last_day_before_the_first_is_refused(client: Client, me: Any) -> None:
    assert client.post("/me/unavailable/", {"first_day": "20/12/2026", "last_day": "20/12/2026"}).status_code == 302
    response = client.post("/me/unavailable/", {"first_day": "20/12/2026", "last_day": "19/12/2026"})
    assert_refused(response, "last_day")
    assert Unavailability.objects.filter(volunteer=me).count() == 1


def test_dates_that_are_not_dates_are_refused_naming_the_field(client: Client, me: Any) -> None:
    response = client.post("/me/unavailable/", {"first_day": "31/02/2027", "last_day": ""})
    assert_refused(response, "first_day")
    assert_refused(response, "last_day")
    assert not Unavailability.objects.exists()


def test_a_volunteer_removes_their_own_dates(client: Client, me: Any) -> None:
    period: Any = UnavailabilityFactory(volunteer=me)
    assert client.get(f"/me/unavailable/{period.pk}/delete/").status_code == 405
    response = client.post(f"/me/unavailable/{period.pk}/delete/")
    assert response.status_code == 302
    assert not Unavailability.objects.filter(pk=period.pk).exists()
    assert AuditEntry.objects.get().action == "delete"


def test_someone_elses_dates_are_not_found_and_kept(client: Client) -> None:
    theirs: Any = UnavailabilityFactory()
    assert client.post(f"/me/unavailable/{theirs.pk}/delete/").status_code == 404
    assert Unavailability.objects.filter(pk=theirs.pk).exists()
    assert not AuditEntry.objects.exists()
