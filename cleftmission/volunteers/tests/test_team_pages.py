"""The team pages: the roster with every problem and its reason, the staffing template's gaps
and surplus; adding, changing and removing members through the forms, each bad input refused
on its field with nothing saved; propose → accept → on the team, reject → never proposed
again; the printed roster and the CSV and Excel exports (a viewer gets no contact details);
who may open them; the page's query count, which does not grow with the team."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cleftmission.core.models import AuditEntry
from cleftmission.factories import (
    CredentialFactory,
    MissionFactory,
    MissionMemberFactory,
    TeamProposalFactory,
    UnavailabilityFactory,
    VolunteerFactory,
)
from cleftmission.missions.models import Mission
from cleftmission.volunteers.models import (
    MissionMember,
    RequiredCredential,
    StaffingNeed,
    TeamProposal,
    Volunteer,
    every_day,
)

FIRST_DAY, LAST_DAY = dt.date(2026, 12, 7), dt.date(2026, 12, 11)
# Two tables: two surgeons, two anaesthesiologists and two ward nurses.
TEMPLATE = {"plastic_surgeon": (1, 0), "anesthesiologist": (1, 0), "ward_nurse": (0, 2)}


@pytest.fixture
def mission(db: None) -> Mission:
    """A local mission of five days with a small template; surgeons need a licence and BLS,
    anaesthesiologists a licence, nurses a nursing licence."""
    StaffingNeed.objects.filter(mission_kind="local").delete()
    for role, (per_table, fixed) in TEMPLATE.items():
        StaffingNeed.objects.create(mission_kind="local", role=role, per_table=per_table, fixed=fixed)
    RequiredCredential.objects.all().delete()
    for specialty, kind in [
        ("plastic_surgeon", "licence"),
        ("plastic_surgeon", "bls"),
        ("anesthesiologist", "licence"),
        ("nurse", "nursing_licence"),
    ]:
        RequiredCredential.objects.create(specialty=specialty, kind=kind)
    return cast(
        Mission,
        MissionFactory(
            name="Hà Nội tháng 12",
            kind="local",
            start_date=FIRST_DAY,
            end_date=LAST_DAY,
            tables_per_day=2,
            first_timers_min_pct=0,
            first_timers_max_pct=100,
        ),
    )


def credentialed(
    specialty: str = "plastic_surgeon", *, until: dt.date = dt.date(2030, 1, 1), **kwargs: Any
) -> Volunteer:
    """A volunteer holding every credential their specialty requires, verified, valid until `until`."""
    person = cast(Volunteer, VolunteerFactory(specialty=specialty, **kwargs))
    for kind in RequiredCredential.objects.filter(specialty=specialty).values_list("kind", flat=True):
        CredentialFactory(volunteer=person, kind=kind, valid_to=until)
    return person


def add_to_team(**kwargs: Any) -> MissionMember:
    return cast(MissionMember, MissionMemberFactory(**kwargs))


def proposed(**kwargs: Any) -> TeamProposal:
    return cast(TeamProposal, TeamProposalFactory(**kwargs))


def person(**kwargs: Any) -> Volunteer:
    return cast(Volunteer, VolunteerFactory(**kwargs))


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def en(user: Any) -> Client:
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def url(name: str, mission: Mission, pk: int | None = None) -> str:
    return reverse(f"team:{name}", args=[mission.pk] if pk is None else [mission.pk, pk])


def days(*numbers: int) -> list[str]:
    """ISO days of December 2026."""
    return [dt.date(2026, 12, n).isoformat() for n in numbers]


# ---- the team page --------------------------------------------------------------------------


def test_the_team_page_shows_each_kind_of_problem_with_its_reason(
    coordinator: Any, mission: Mission, other_mission: Any
) -> None:
    ending = credentialed("plastic_surgeon", family_name="Lê", given_name="Ending")
    ending.credentials.filter(kind="bls").update(valid_to=dt.date(2026, 12, 9))
    missing = credentialed("plastic_surgeon", family_name="Lê", given_name="Missing")
    missing.credentials.filter(kind="bls").delete()
    busy = credentialed("plastic_surgeon", family_name="Lê", given_name="Busy")
    add_to_team(mission=other_mission, volunteer=busy)  # other_mission: the same dates
    away = credentialed("nurse", family_name="Lê", given_name="Away")
    UnavailabilityFactory(
        volunteer=away, first_day=dt.date(2026, 12, 10), last_day=dt.date(2026, 12, 20), reason="exam"
    )
    unverified = credentialed("nurse", family_name="Lê", given_name="Waiting")
    unverified.credentials.update(verification="pending")
    for person in (ending, missing, busy):
        add_to_team(mission=mission, volunteer=person)
    for person in (away, unverified):
        add_to_team(mission=mission, volunteer=person, role="ward_nurse")

    response = en(coordinator).get(url("roster", mission))

    assert response.status_code == 200
    page = response.content.decode()
    for reason in (
        "BLS expires on 09 Dec 2026, before the mission ends",
        "BLS missing",
        f"Also on {other_mission.name} (07 Dec 2026 – 11 Dec 2026)",
        "Said they are unavailable 10 Dec 2026 – 20 Dec 2026 (exam)",
        "Nursing licence waiting for verification",
        "Anesthesiologist: 2 missing (0 of 2)",
    ):
        assert reason in page, reason
    staffing = {
        line.role: (line.needed, line.on_team, line.gap, line.surplus) for _label, line in response.context["staffing"]
    }
    assert staffing == {
        "plastic_surgeon": (2, 3, 0, 1),
        "anesthesiologist": (2, 0, 2, 0),
        "ward_nurse": (2, 2, 0, 0),
    }
    assert [label for label, _rows in response.context["groups"]] == ["Plastic surgeon", "Ward nurse"]
    assert response.context["report"].problem_count == 6  # five members' problems and the gap
    # The surplus surgeon shows as +1, the missing anaesthesiologists as −2.
    assert "+1" in page and "−2" in page


def test_the_team_page_shows_the_first_timers_against_the_bounds_and_the_in_country_share(
    coordinator: Any, mission: Mission
) -> None:
    Mission.objects.filter(pk=mission.pk).update(first_timers_min_pct=10, first_timers_max_pct=40)
    mission.refresh_from_db()
    add_to_team(mission=mission, volunteer=credentialed(origin="in_country"))
    add_to_team(mission=mission, volunteer=credentialed(origin="international", prior_missions=3))

    response = en(coordinator).get(url("roster", mission))

    page = response.content.decode()
    assert "First-time volunteers are 50% of the team, above 40%" in page
    assert "bounds 10–40%" in page
    report = response.context["report"]
    assert (report.first_timer_pct, report.in_country_pct) == (50.0, 50.0)


def test_each_day_counts_the_surgeons_and_anaesthesiologists_present_against_the_tables(
    coordinator: Any, mission: Mission
) -> None:
    add_to_team(mission=mission, volunteer=credentialed(), days=days(7, 8, 9, 10, 11))
    add_to_team(mission=mission, volunteer=credentialed(), days=days(8, 9))
    add_to_team(mission=mission, volunteer=credentialed("anesthesiologist"), days=days(7, 8, 9, 10, 11))

    cover = en(coordinator).get(url("roster", mission)).context["cover"]

    assert [(c["day"].day, c["surgeons"], c["anesthesiologists"], c["short"]) for c in cover] == [
        (7, 1, 1, True),
        (8, 2, 1, True),
        (9, 2, 1, True),
        (10, 1, 1, True),
        (11, 1, 1, True),
    ]


def test_the_team_page_reads_the_same_number_of_queries_for_a_small_and_a_large_team(
    coordinator: Any, mission: Mission, django_assert_max_num_queries: Any
) -> None:
    client = en(coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("roster", mission)).status_code == 200
        return len(captured)

    add_to_team(mission=mission, volunteer=credentialed())
    proposed(mission=mission, volunteer=credentialed("anesthesiologist"))
    small = queries()
    for _ in range(20):
        add_to_team(mission=mission, volunteer=credentialed("nurse"), role="ward_nurse")
    for _ in range(5):
        proposed(mission=mission, volunteer=credentialed("anesthesiologist"))
    assert queries() == small, small
    with django_assert_max_num_queries(18):
        client.get(url("roster", mission))


# ---- adding, changing, removing ----------------------------------------------------------------


def test_a_coordinator_adds_a_volunteer_for_some_days(coordinator: Any, mission: Mission) -> None:
    person = credentialed("anesthesiologist")

    response = en(coordinator).post(
        url("add", mission), {"volunteer": person.pk, "role": "anesthesiologist", "days": days(8, 9)}
    )

    assert response.status_code == 302
    member = MissionMember.objects.get(mission=mission, volunteer=person)
    assert (member.role, member.days) == ("anesthesiologist", days(8, 9))
    assert AuditEntry.objects.filter(action="create", actor=coordinator, model="volunteers.missionmember").exists()


def test_the_add_form_offers_every_day_of_the_mission_ticked(coordinator: Any, mission: Mission) -> None:
    form = en(coordinator).get(url("add", mission)).context["form"]
    assert form["days"].value() == every_day(mission)
    assert [value for value, _label in form.fields["days"].choices] == every_day(mission)


def test_without_a_role_the_volunteer_takes_the_usual_role_of_their_specialty(
    coordinator: Any, mission: Mission
) -> None:
    nurse = credentialed("nurse")
    en(coordinator).post(url("add", mission), {"volunteer": nurse.pk, "role": "", "days": every_day(mission)})
    assert MissionMember.objects.get(volunteer=nurse).role == "or_nurse"


def test_the_picker_finds_volunteers_as_you_type_and_marks_those_on_the_team(
    coordinator: Any, mission: Mission
) -> None:
    on_team = person(family_name="Nguyễn", given_name="Thảo")
    add_to_team(mission=mission, volunteer=on_team)
    free = person(family_name="Nguyễn", given_name="Thanh", specialty="anesthesiologist")
    person(family_name="Phạm", given_name="Lan")

    response = en(coordinator).get(url("add", mission), {"q": "nguyen th"}, HTTP_HX_REQUEST="true")

    assert [(v.pk, on) for v, on in response.context["choices"]] == [(free.pk, False), (on_team.pk, True)]
    page = response.content.decode()
    assert "<html" not in page  # only the list, for htmx
    assert "Phạm Lan" not in page
    only_anaesthesia = en(coordinator).get(
        url("add", mission), {"q": "nguyen", "specialty": "anesthesiologist"}, HTTP_HX_REQUEST="true"
    )
    assert [v.pk for v, _on in only_anaesthesia.context["choices"]] == [free.pk]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"days": days(6, 7)}, "days", "Days present must be within the mission's dates."),
        ({"days": ["2026-13-01"]}, "days", "Days present must be within the mission's dates."),
        ({"days": []}, "days", "Choose at least one day present."),
        ({"role": "surgeon-in-chief"}, "role", "Select a valid choice."),
        ({"volunteer": ""}, "volunteer", "Choose a volunteer."),
        ({"volunteer": "999999"}, "volunteer", "There is no such volunteer."),
    ],
    ids=["day-before-the-mission", "not-a-day", "no-day", "unknown-role", "no-volunteer", "no-such-volunteer"],
)
def test_adding_refuses_bad_input_on_its_field_and_saves_nothing(
    coordinator: Any, mission: Mission, data: dict[str, Any], field: str, message: str
) -> None:
    person = credentialed("anesthesiologist")
    posted = {"volunteer": person.pk, "role": "anesthesiologist", "days": every_day(mission), **data}

    response = en(coordinator).post(url("add", mission), posted)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert message.split("“")[0] in response.content.decode().replace("&#x27;", "'")
    assert not MissionMember.objects.filter(mission=mission).exists()


def test_a_volunteer_added_twice_is_refused_on_the_volunteer_field(coordinator: Any, mission: Mission) -> None:
    member = add_to_team(mission=mission, volunteer=credentialed(), days=days(7))

    response = en(coordinator).post(
        url("add", mission), {"volunteer": member.volunteer.pk, "role": "plastic_surgeon", "days": every_day(mission)}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"volunteer": ["This volunteer is already on the team."]}
    member.refresh_from_db()
    assert member.days == days(7)
    assert MissionMember.objects.filter(mission=mission).count() == 1


def test_a_team_at_its_size_cap_takes_no_one_more(coordinator: Any, mission: Mission) -> None:
    Mission.objects.filter(pk=mission.pk).update(team_size_cap=1)
    add_to_team(mission=mission, volunteer=credentialed())

    response = en(coordinator).post(
        url("add", mission),
        {"volunteer": credentialed("anesthesiologist").pk, "role": "anesthesiologist", "days": every_day(mission)},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["volunteer"]
    assert "size cap of 1" in errors["volunteer"][0]
    assert MissionMember.objects.filter(mission=mission).count() == 1


def test_a_coordinator_changes_a_members_role_and_days(coordinator: Any, mission: Mission) -> None:
    member = add_to_team(mission=mission, volunteer=credentialed("nurse"), role="ward_nurse")
    client = en(coordinator)
    assert client.get(url("member", mission, member.pk)).context["form"]["days"].value() == every_day(mission)

    response = client.post(url("member", mission, member.pk), {"role": "recovery_nurse", "days": days(9, 10)})

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.role, member.days) == ("recovery_nurse", days(9, 10))


@pytest.mark.parametrize(
    ("data", "field"),
    [({"days": days(12)}, "days"), ({"days": []}, "days"), ({"role": ""}, "role")],
    ids=["day-after-the-mission", "no-day", "no-role"],
)
def test_a_bad_edit_is_refused_on_its_field_and_changes_nothing(
    coordinator: Any, mission: Mission, data: dict[str, Any], field: str
) -> None:
    member = add_to_team(mission=mission, volunteer=credentialed("nurse"), role="ward_nurse")

    response = en(coordinator).post(url("member", mission, member.pk), {"role": "or_nurse", "days": days(8), **data})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    member.refresh_from_db()
    assert (member.role, member.days) == ("ward_nurse", every_day(mission))


def test_a_member_of_another_mission_is_not_found_under_this_one(
    coordinator: Any, mission: Mission, other_mission: Any
) -> None:
    elsewhere = add_to_team(mission=other_mission, volunteer=credentialed())
    client = en(coordinator)
    assert client.get(url("member", mission, elsewhere.pk)).status_code == 404
    assert client.post(url("remove", mission, elsewhere.pk)).status_code == 404
    assert MissionMember.objects.filter(pk=elsewhere.pk).exists()


def test_a_coordinator_removes_a_member_with_a_post_only(coordinator: Any, mission: Mission) -> None:
    member = add_to_team(mission=mission, volunteer=credentialed())
    client = en(coordinator)
    assert client.get(url("remove", mission, member.pk)).status_code == 405
    assert 'data-confirm="Take' in client.get(url("member", mission, member.pk)).content.decode()

    response = client.post(url("remove", mission, member.pk))

    assert response.status_code == 302
    assert not MissionMember.objects.filter(pk=member.pk).exists()
    assert AuditEntry.objects.filter(action="delete", actor=coordinator, model="volunteers.missionmember").exists()


# ---- proposals --------------------------------------------------------------------------------


def test_a_proposed_volunteer_accepted_from_the_page_is_on_the_team(coordinator: Any, mission: Mission) -> None:
    add_to_team(mission=mission, volunteer=credentialed())
    add_to_team(mission=mission, volunteer=credentialed())
    for _ in range(2):
        add_to_team(mission=mission, volunteer=credentialed("nurse"), role="ward_nurse")
    free = credentialed("anesthesiologist", family_name="Đỗ", given_name="Hùng")
    other = credentialed("anesthesiologist", family_name="Võ", given_name="Lan")
    client = en(coordinator)
    assert "Propose a team" in client.get(url("propose", mission)).content.decode()

    response = client.post(url("propose", mission))

    assert response.status_code == 302
    assert response["Location"].endswith("#proposals")
    proposals = {p.volunteer_id: p for p in TeamProposal.objects.filter(mission=mission)}
    assert set(proposals) == {free.pk, other.pk}
    page = client.get(url("roster", mission)).content.decode()
    assert "2 volunteers proposed" in page
    assert "Đỗ Hùng" in page and "credentials valid until 01 Jan 2030" in page

    response = client.post(url("accept", mission, proposals[free.pk].pk))

    assert response.status_code == 302
    member = MissionMember.objects.get(mission=mission, volunteer=free)
    assert (member.role, member.days) == ("anesthesiologist", every_day(mission))
    assert TeamProposal.objects.get(pk=proposals[free.pk].pk).status == "accepted"
    page = client.get(url("roster", mission)).content.decode()
    assert "Đỗ Hùng is on the team." in page
    assert "Anesthesiologist: 1 missing (1 of 2)" in page


def test_a_proposal_accepted_with_its_role_and_days_changed(coordinator: Any, mission: Mission) -> None:
    proposal = proposed(mission=mission, volunteer=credentialed("nurse"), role="ward_nurse")

    response = en(coordinator).post(
        url("accept", mission, proposal.pk), {"edited": "on", "role": "recovery_nurse", "days": days(10, 11)}
    )

    assert response.status_code == 302
    member = MissionMember.objects.get(mission=mission, volunteer=proposal.volunteer)
    assert (member.role, member.days) == ("recovery_nurse", days(10, 11))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"edited": "on", "role": "ward_nurse", "days": days(6)}, "Days present: Days present must be within"),
        ({"edited": "on", "role": "ward_nurse"}, "Days present: Choose at least one day present."),
    ],
    ids=["day-outside", "no-day"],
)
def test_a_bad_change_to_a_proposal_is_refused_naming_the_field_and_it_stays_pending(
    coordinator: Any, mission: Mission, data: dict[str, Any], message: str
) -> None:
    proposal = proposed(mission=mission, volunteer=credentialed("nurse"), role="ward_nurse")
    client = en(coordinator)

    response = client.post(url("accept", mission, proposal.pk), data)

    assert response.status_code == 302
    assert message in client.get(url("roster", mission)).content.decode().replace("&#x27;", "'")
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    assert not MissionMember.objects.filter(mission=mission).exists()


def test_a_rejected_volunteer_is_never_proposed_again(coordinator: Any, mission: Mission) -> None:
    for _ in range(2):
        add_to_team(mission=mission, volunteer=credentialed())
    add_to_team(mission=mission, volunteer=credentialed("anesthesiologist"))
    for _ in range(2):
        add_to_team(mission=mission, volunteer=credentialed("nurse"), role="ward_nurse")
    only = credentialed("anesthesiologist", family_name="Đỗ", given_name="Hùng")
    client = en(coordinator)
    client.post(url("propose", mission))
    proposal = TeamProposal.objects.get(mission=mission, volunteer=only)

    response = client.post(url("reject", mission, proposal.pk))

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    client.post(url("propose", mission))
    assert list(TeamProposal.objects.filter(mission=mission).values_list("volunteer_id", "status")) == [
        (only.pk, "rejected")
    ]
    page = client.get(url("roster", mission)).content.decode()
    assert "1 turned down for this mission" in page
    assert not MissionMember.objects.filter(volunteer=only).exists()


def test_deciding_a_proposal_that_was_replaced_or_decided_says_so(coordinator: Any, mission: Mission) -> None:
    proposal = proposed(mission=mission, volunteer=credentialed("anesthesiologist"))
    client = en(coordinator)
    client.post(url("reject", mission, proposal.pk))

    response = client.post(url("accept", mission, proposal.pk))

    assert response.status_code == 302
    assert "This proposal is no longer open" in client.get(url("roster", mission)).content.decode()
    assert not MissionMember.objects.filter(mission=mission).exists()
    assert client.post(url("accept", mission, 999999)).status_code == 302


# ---- print and exports ----------------------------------------------------------------------


@pytest.fixture
def small_team(mission: Mission) -> list[MissionMember]:
    surgeon = credentialed(
        family_name="Trần",
        given_name="Minh",
        origin="international",
        country="France",
        languages="fr, en",
        email="minh@example.org",
        phone="+84901111222",
    )
    surgeon.credentials.filter(kind="bls").delete()
    nurse = credentialed("nurse", family_name="Lê", given_name="Hoa", languages="vi", phone="+84903333444")
    return [
        add_to_team(mission=mission, volunteer=surgeon, days=days(8, 9, 10)),
        add_to_team(mission=mission, volunteer=nurse, role="ward_nurse"),
    ]


def test_the_roster_exports_to_csv_with_problems_and_contacts_for_a_coordinator(
    coordinator: Any, mission: Mission, small_team: list[MissionMember]
) -> None:
    response = en(coordinator).get(url("csv", mission))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Name", "Specialty", "Role on this mission", "Origin", "Country", "Days present", "Languages", "Problems",
         "E-mail", "Phone"],
        ["Trần Minh", "Plastic surgeon", "Plastic surgeon", "International", "France",
         "08 Dec 2026, 09 Dec 2026, 10 Dec 2026", "fr, en", "BLS missing", "minh@example.org", "+84901111222"],
        ["Lê Hoa", "Nurse", "Ward nurse", "In-country", "",
         "07 Dec 2026, 08 Dec 2026, 09 Dec 2026, 10 Dec 2026, 11 Dec 2026", "vi", "", "", "+84903333444"],
    ]  # fmt: skip


def test_the_roster_exports_to_excel(coordinator: Any, mission: Mission, small_team: list[MissionMember]) -> None:
    response = client_for(coordinator).get(url("xlsx", mission))  # in Vietnamese, the default

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["Họ tên", "Chuyên môn", "Vai trò trong đợt"]
    assert rows[1][0] == "Trần Minh"
    assert rows[1][5] == "08/12/2026, 09/12/2026, 10/12/2026"
    assert "BLS" in rows[1][7]
    assert rows[1][8:] == ["minh@example.org", "+84901111222"]
    assert len(rows) == 3


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(
    coordinator: Any, mission: Mission
) -> None:
    add_to_team(mission=mission, volunteer=credentialed(family_name="=HYPERLINK(1)", given_name="x"))
    rows = list(csv.reader(io.StringIO(en(coordinator).get(url("csv", mission)).content.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(1) x"
    sheet = load_workbook(io.BytesIO(en(coordinator).get(url("xlsx", mission)).content)).active
    assert sheet is not None
    assert sheet["A2"].data_type == "s"


def test_a_viewer_reads_the_team_and_its_exports_without_contact_details(
    viewer: Any, mission: Mission, small_team: list[MissionMember]
) -> None:
    client = en(viewer)
    page = client.get(url("roster", mission)).content.decode()
    exported = client.get(url("csv", mission)).content.decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(client.get(url("xlsx", mission)).content)).active
    assert workbook is not None
    sheet = " ".join(str(cell) for row in workbook.iter_rows(values_only=True) for cell in row)
    printed = client.get(url("print", mission)).content.decode()
    for text in (page, exported, sheet, printed):
        assert "Trần Minh" in text
        for secret in ("minh@example.org", "+84901111222", "901111222", "+84903333444"):
            assert secret not in text, secret
    assert "E-mail" not in exported.splitlines()[0]
    # A viewer changes nothing: no button to add, propose, edit or decide.
    for link in (url("add", mission), url("propose", mission), url("member", mission, small_team[0].pk)):
        assert link not in page


def test_the_printed_roster_lists_who_and_when_without_problems_or_contacts(
    coordinator: Any, mission: Mission, small_team: list[MissionMember]
) -> None:
    response = en(coordinator).get(url("print", mission))

    page = response.content.decode()
    assert "Trần Minh" in page and "Lê Hoa" in page
    assert "8 Dec – 10 Dec" in page and "every day" in page
    assert "@media print" in page
    for hidden in ("BLS missing", "minh@example.org", "+84903333444"):
        assert hidden not in page


# ---- who may open them ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["clinician", "registrar"])
def test_a_clinician_or_registrar_is_refused_the_team_of_their_own_and_of_another_mission(
    request: pytest.FixtureRequest, mission: Mission, other_mission: Any, persona: str
) -> None:
    """They are on `mission`; neither may read or change any team."""
    client = client_for(request.getfixturevalue(persona))
    member = MissionMember.objects.filter(mission=mission).first()
    assert member is not None
    proposal = proposed(mission=other_mission, volunteer=credentialed("anesthesiologist"))
    for team in (mission, other_mission):
        for name in ("roster", "print", "csv", "xlsx", "add", "propose"):
            assert client.get(url(name, team)).status_code == 403, (name, team)
    assert (
        client.post(
            url("add", other_mission), {"volunteer": member.volunteer_id, "days": every_day(other_mission)}
        ).status_code
        == 403
    )
    assert client.post(url("member", mission, member.pk), {"role": "interpreter", "days": days(7)}).status_code == 403
    assert client.post(url("remove", mission, member.pk)).status_code == 403
    assert client.post(url("accept", other_mission, proposal.pk)).status_code == 403
    assert client.post(url("propose", other_mission)).status_code == 403
    assert not MissionMember.objects.filter(mission=other_mission).exists()
    assert MissionMember.objects.filter(pk=member.pk, days=every_day(mission)).exists()
    proposal.refresh_from_db()
    assert proposal.status == "pending"
