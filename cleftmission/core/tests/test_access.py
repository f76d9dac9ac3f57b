"""Who may open which page. One test walks every URL of the web app with every role; the
others prove that mission-scoped users never see or change another mission's children and
that each role only touches the fields it owns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cleftmission.core.models import AuditEntry
from cleftmission.core.tests.access_table import (
    EDITS_CHILDREN,
    EVERY_ROLE,
    EXCLUDED_NAMES,
    EXCLUDED_PREFIXES,
    PLANNERS,
    REGISTERS_CHILDREN,
    ROLES,
    VOLUNTEER_READERS,
    Page,
    World,
)
from cleftmission.core.tests.helpers import form_data, guardian_rows
from cleftmission.factories import (
    CredentialFactory,
    FollowUpVisitFactory,
    GuardianFactory,
    ScheduledCaseFactory,
    ScheduleFactory,
    ScreeningVisitFactory,
    SurgicalCaseFactory,
    TeamProposalFactory,
    UnavailabilityFactory,
    VolunteerFactory,
)
from cleftmission.followup.tests.access_pages import FOLLOW_UP_PAGES
from cleftmission.patients.models import Patient
from cleftmission.reports.tests.access_pages import REPORT_PAGES
from cleftmission.scheduling.tests.access_pages import SCHEDULE_PAGES
from cleftmission.screening.tests.access_pages import SCREENING_PAGES
from cleftmission.surgery.tests.access_pages import SURGERY_PAGES
from cleftmission.volunteers.models import MissionMember
from cleftmission.volunteers.tests.access_pages import VOLUNTEER_PAGES


def _mission(w: World) -> dict[str, int]:
    return {"pk": w.mission.pk}


def _site(w: World) -> dict[str, int]:
    return {"pk": w.mission.site.pk}


def _volunteer(w: World) -> dict[str, int]:
    return {"pk": w.volunteer.pk}


def _credential_owner(w: World) -> dict[str, int]:
    return {"volunteer_pk": w.volunteer.pk}


def _credential(w: World) -> dict[str, int]:
    return {"volunteer_pk": w.volunteer.pk, "pk": w.credential.pk}


def _child(w: World) -> dict[str, int]:
    return {"pk": w.child.pk}


# Every page of the web app. A new page fails test_every_page_has_a_name_and_an_entry_in_the_access_table
# until it is listed here with the roles that may use it.
PAGES: dict[str, Page] = {
    "healthz": Page(allowed=EVERY_ROLE, public=True),
    "dashboard": Page(allowed=EVERY_ROLE, redirects=frozenset({"volunteer"})),  # to their own page
    "missions:list": Page(allowed=EVERY_ROLE),
    "missions:create": Page(allowed=PLANNERS, kind="form"),
    "missions:detail": Page(allowed=EVERY_ROLE, params=_mission),
    "missions:edit": Page(allowed=PLANNERS, kind="form", params=_mission),
    "missions:sites": Page(allowed=EVERY_ROLE),
    "missions:site_create": Page(allowed=PLANNERS, kind="form"),
    "missions:site": Page(allowed=EVERY_ROLE, params=_site),
    "missions:site_edit": Page(allowed=PLANNERS, kind="form", params=_site),
    "volunteers:list": Page(allowed=VOLUNTEER_READERS),
    "volunteers:create": Page(allowed=PLANNERS, kind="form"),
    "volunteers:expiry": Page(allowed=VOLUNTEER_READERS),
    "volunteers:detail": Page(allowed=VOLUNTEER_READERS, params=_volunteer),
    "volunteers:edit": Page(allowed=PLANNERS, kind="form", params=_volunteer),
    "volunteers:credential_create": Page(allowed=PLANNERS, kind="form", params=_credential_owner),
    "volunteers:credential_edit": Page(allowed=PLANNERS, kind="form", params=_credential),
    "volunteers:credential_delete": Page(allowed=PLANNERS, kind="action", params=_credential),
    "patients:list": Page(allowed=EVERY_ROLE),
    "patients:create": Page(allowed=REGISTERS_CHILDREN, kind="form"),
    "patients:detail": Page(allowed=EVERY_ROLE, params=_child),
    "patients:edit": Page(allowed=EDITS_CHILDREN, kind="form", params=_child),
    **SCREENING_PAGES,
    **VOLUNTEER_PAGES,
    **SCHEDULE_PAGES,
    **REPORT_PAGES,
    **SURGERY_PAGES,
    **FOLLOW_UP_PAGES,
}

PERSONAS = {
    "outsider": "outsider",
    "volunteer": "volunteer_user",
    "viewer": "viewer",
    "registrar": "registrar",
    "clinician": "clinician",
    "coordinator": "coordinator",
    "admin": "admin_user",
}


def url_patterns() -> Iterator[tuple[str, str | None]]:
    """(route, namespaced name) of every URL pattern the project resolves."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str | None]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^")
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                yield route, f"{namespace}{pattern.name}" if pattern.name else None

    yield from walk(get_resolver().url_patterns, "", "")


def web_pages() -> list[tuple[str, str | None]]:
    return [
        (route, name)
        for route, name in url_patterns()
        if not route.startswith(EXCLUDED_PREFIXES) and name not in EXCLUDED_NAMES
    ]


def client_as(request: pytest.FixtureRequest, role: str) -> Client:
    if role == "anonymous":
        return Client()
    client: Client = request.getfixturevalue("as_user")(request.getfixturevalue(PERSONAS[role]))
    return client


@pytest.fixture
def world(mission: Any, child: Any, volunteer_user: Any) -> World:
    GuardianFactory(patient=child, phone="+84912345678")
    volunteer = volunteer_user.volunteer
    schedule = ScheduleFactory(mission=mission)
    scheduled_case = ScheduledCaseFactory(schedule=schedule, visit=child.visits.get())
    credential = CredentialFactory(
        volunteer=volunteer, document=SimpleUploadedFile("bls.pdf", b"%PDF-1.4 synthetic", "application/pdf")
    )
    return World(
        mission=mission,
        child=child,
        volunteer=volunteer,
        credential=credential,
        member=MissionMember.objects.get(mission=mission, volunteer=volunteer),
        proposal=TeamProposalFactory(mission=mission, volunteer=VolunteerFactory(specialty="anesthesiologist")),
        unavailability=UnavailabilityFactory(volunteer=volunteer),
        schedule=schedule,
        scheduled_case=scheduled_case,
        # another child of the mission: publishing the schedule above drops the cases it does not plan
        surgical_case=SurgicalCaseFactory(visit=ScreeningVisitFactory(mission=mission)),
        follow_up=FollowUpVisitFactory(case__visit=ScreeningVisitFactory(mission=mission)),
    )


def test_every_page_has_a_name_and_an_entry_in_the_access_table() -> None:
    pages = web_pages()
    nameless = [route for route, name in pages if name is None]
    assert not nameless, f"pages without a URL name: {nameless}"
    names = {name for _, name in pages}
    assert names - set(PAGES) == set(), "pages missing from PAGES: give each one its allowed roles"
    assert set(PAGES) - names == set(), "PAGES lists URL names that no longer exist"


def test_the_walk_covers_the_pages_a_user_relies_on() -> None:
    """Guard the walker itself: if it silently found nothing, the walk would prove nothing."""
    names = {name for _, name in web_pages()}
    assert {"dashboard", "patients:edit", "missions:edit", "volunteers:credential_delete"} <= names


def expected_get(page: Page, role: str) -> int:
    if page.public:
        return 200
    if role == "anonymous" or role in page.redirects:
        return 302
    if role in page.not_found:
        return 404
    if role not in page.allowed:
        return 403
    return 405 if page.kind == "action" else 200


def expected_post(page: Page, role: str) -> set[int]:
    if role == "anonymous" or role in page.redirects:
        return {302}
    if role in page.not_found:
        return {404}
    if role not in page.allowed:
        return {403}
    # Allowed: an empty form comes back with its errors (200), or is saved (302).
    return {302} if page.kind == "action" else {200, 302}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_access_table_says(
    request: pytest.FixtureRequest, world: World, role: str
) -> None:
    client = client_as(request, role)
    audit_before = AuditEntry.objects.count()
    wrong: list[str] = []
    # POST-only actions (deleting) go last, so that the other pages still find their objects.
    for name, page in sorted(PAGES.items(), key=lambda item: item[1].kind == "action"):
        url = reverse(name, kwargs=page.params(world))
        response = client.get(url)
        if response.status_code != expected_get(page, role):
            wrong.append(f"GET {url} ({name}): {response.status_code}, expected {expected_get(page, role)}")
        elif response.status_code == 302 and role not in page.redirects:
            assert response["Location"].startswith("/accounts/login/?next="), response["Location"]
        if page.kind == "read":
            continue
        response = client.post(url, {})
        if response.status_code not in expected_post(page, role):
            wrong.append(f"POST {url} ({name}): {response.status_code}, expected {expected_post(page, role)}")
        elif role == "anonymous":
            assert response["Location"].startswith("/accounts/login/?next="), response["Location"]
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
    # (a volunteer may change their own documents and unavailability: the walk deletes theirs)
    if role in {"anonymous", "outsider", "viewer"}:
        assert AuditEntry.objects.count() == audit_before, "a user who may change nothing changed something"


@pytest.mark.parametrize("persona", ["clinician", "registrar"])
def test_a_child_of_another_mission_is_not_found_on_its_page_or_its_edit_form(
    request: pytest.FixtureRequest, as_user: Any, other_child: Any, persona: str
) -> None:
    client = as_user(request.getfixturevalue(persona))
    assert client.get(f"/children/{other_child.pk}/").status_code == 404
    assert client.get(f"/children/{other_child.pk}/edit/").status_code == 404
    response = client.post(
        f"/children/{other_child.pk}/edit/", {"given_name": "Changed", "lahshal": "LAHSHAL", **guardian_rows()}
    )
    assert response.status_code == 404
    other_child.refresh_from_db()
    assert (other_child.given_name, other_child.lahshal) == ("Lan", "L......")


@pytest.mark.parametrize("persona", ["clinician", "registrar"])
def test_a_child_of_another_mission_is_absent_from_the_children_list_and_dashboard_count(
    request: pytest.FixtureRequest, as_user: Any, child: Any, other_child: Any, persona: str
) -> None:
    client = as_user(request.getfixturevalue(persona))
    response = client.get("/children/")
    assert [p.pk for p in response.context["page"]] == [child.pk]
    assert "Phạm Thị Lan" not in response.content.decode()
    assert client.get("/").context["children_count"] == 1


def test_coordinators_and_viewers_see_the_children_of_every_mission(
    as_user: Any, coordinator: Any, viewer: Any, child: Any, other_child: Any
) -> None:
    for user in (coordinator, viewer):
        response = as_user(user).get("/children/")
        assert {p.pk for p in response.context["page"]} == {child.pk, other_child.pk}


def test_a_viewer_sees_a_child_without_guardian_phone_or_address(as_user: Any, viewer: Any, child: Any) -> None:
    GuardianFactory(patient=child, name="Lê Thị Hoa", phone="+84912345678")
    Patient.objects.filter(pk=child.pk).update(address="12 Ngõ Huế", district="Phường Bạch Mai")
    response = as_user(viewer).get(f"/children/{child.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nguyễn Văn An" in page
    for secret in ("+84912345678", "912345678", "12 Ngõ Huế", "Bạch Mai", "Lê Thị Hoa"):
        assert secret not in page, f"a viewer sees {secret!r}"


def test_a_clinician_on_the_mission_sees_the_guardian_phone_and_address(
    as_user: Any, clinician: Any, child: Any
) -> None:
    GuardianFactory(patient=child, name="Lê Thị Hoa", phone="+84912345678")
    Patient.objects.filter(pk=child.pk).update(address="12 Ngõ Huế")
    page = as_user(clinician).get(f"/children/{child.pk}/").content.decode()
    assert "+84912345678" in page
    assert "12 Ngõ Huế" in page


def test_a_registrar_edits_identity_fields_and_never_the_diagnosis(as_user: Any, registrar: Any, child: Any) -> None:
    client = as_user(registrar)
    response = client.get(f"/children/{child.pk}/edit/")
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == set(Patient.IDENTITY_FIELDS)
    assert 'name="lahshal"' not in response.content.decode()

    data = form_data(form, response.context["guardians"])
    data.update(given_name="Ân", lahshal="LAHSHAL", diagnosis_notes="written by a registrar")
    response = client.post(f"/children/{child.pk}/edit/", data)
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.given_name == "Ân"
    assert (child.lahshal, child.diagnosis_notes) == ("L......", "")


def test_a_registrar_registering_a_child_cannot_set_the_diagnosis(as_user: Any, registrar: Any, mission: Any) -> None:
    data = {
        "mission": mission.pk,
        "family_name": "Vũ",
        "given_name": "Hải",
        "sex": "M",
        "date_of_birth": "2025-01-15",
        "province": "Hà Nội",
        "lahshal": "LAHSHAL",
        **guardian_rows(),
    }
    response = as_user(registrar).post("/children/new/", data)
    assert response.status_code == 302
    assert Patient.objects.get(given_name="Hải").lahshal == ""


def test_a_clinician_edits_the_diagnosis_and_never_the_name(as_user: Any, clinician: Any, child: Any) -> None:
    client = as_user(clinician)
    response = client.get(f"/children/{child.pk}/edit/")
    assert response.status_code == 200
    assert set(response.context["form"].fields) == set(Patient.CLINICAL_FIELDS)
    assert response.context["guardians"] is None

    response = client.post(
        f"/children/{child.pk}/edit/",
        {"family_name": "Trần", "given_name": "Bình", "date_of_birth": "2020-01-01", "lahshal": "LAHSH..",
         **guardian_rows({"name": "Someone", "relation": "father", "phone": "0987654321"})},
    )  # fmt: skip
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.family_name, child.given_name, str(child.date_of_birth)) == ("Nguyễn", "An", "2025-06-01")
    assert child.lahshal == "LAHSH.."
    assert not child.guardians.exists()


def test_a_registrar_cannot_register_a_child_for_a_mission_they_are_not_on(
    as_user: Any, registrar: Any, other_mission: Any
) -> None:
    data = {
        "mission": other_mission.pk,
        "family_name": "Vũ",
        "given_name": "Hải",
        "sex": "M",
        "date_of_birth": "2025-01-15",
        "province": "Hà Nội",
        **guardian_rows(),
    }
    response = as_user(registrar).post("/children/new/", data)
    assert response.status_code == 200
    assert "mission" in response.context["registration"].errors
    assert not Patient.objects.filter(given_name="Hải").exists()


@pytest.mark.parametrize(
    "role", ["anonymous", "outsider", "volunteer", "viewer", "registrar", "clinician", "coordinator"]
)
def test_the_django_admin_is_closed_to_everyone_but_the_administrator(
    request: pytest.FixtureRequest, role: str
) -> None:
    client = client_as(request, role)
    for url in ("/admin/", "/admin/patients/patient/", "/admin/core/auditentry/"):
        response = client.get(url)
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith(("/admin/login/", "/accounts/login/")), response["Location"]


def test_the_administrator_reaches_the_django_admin(as_user: Any, admin_user: Any) -> None:
    client = as_user(admin_user)
    for url in ("/admin/", "/admin/patients/patient/", "/admin/core/auditentry/"):
        assert client.get(url).status_code == 200, url
