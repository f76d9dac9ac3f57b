"""The coordinator's changes to a schedule: moves checked against every rule, locks,
publishing, and the repairs of each kind of event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cleftmission.core.models import AuditEntry
from cleftmission.scheduling import services, solver
from cleftmission.scheduling.models import Schedule
from cleftmission.scheduling.tests.conftest import OPERATING_DAYS, Setup, accept

TIME_LIMIT = 5.0
BEFORE_THE_DAYS = {"day": 0, "minute": 0}


@pytest.fixture
def published(setup: Setup, coordinator: Any) -> Schedule:
    schedule = services.build_schedule(mission=setup.mission, acting_user=coordinator, time_limit=TIME_LIMIT)
    return services.publish_schedule(schedule=schedule, acting_user=coordinator)


def assert_follows_every_rule(schedule: Schedule) -> None:
    assert solver.check(schedule.problem, services.solution_of(schedule))["violations"] == []


def places(schedule: Schedule) -> dict[int, tuple[Any, Any, Any]]:
    return {r.visit_id: (r.day, r.table_id, r.start) for r in schedule.cases.all()}


def test_publishing_replaces_the_schedule_published_before(setup: Setup, coordinator: Any, published: Schedule) -> None:
    draft = services.build_schedule(mission=setup.mission, acting_user=coordinator, time_limit=TIME_LIMIT)
    services.publish_schedule(schedule=draft, acting_user=coordinator)
    published.refresh_from_db()
    assert published.status == Schedule.Status.REPLACED
    assert list(Schedule.objects.filter(status="published")) == [draft]
    with pytest.raises(ValidationError):
        services.publish_schedule(schedule=published, acting_user=coordinator)


def test_moving_a_case_of_a_published_schedule_makes_a_draft_and_leaves_the_published_list_alone(
    setup: Setup, coordinator: Any, published: Schedule
) -> None:
    before = places(published)
    row = published.cases.get(visit=setup.visit("Em"))
    moved = services.move_case(
        case=row,
        move=services.Move(day=OPERATING_DAYS[3], table_id=setup.tables[1].pk, surgeon_id=setup.surgeons[0].pk),
        acting_user=coordinator,
    )
    assert moved.schedule.status == Schedule.Status.DRAFT and moved.schedule.based_on == published
    assert (moved.day, moved.table_id) == (OPERATING_DAYS[3], setup.tables[1].pk)
    assert places(published) == before
    assert_follows_every_rule(moved.schedule)
    assert AuditEntry.objects.filter(model="scheduling.scheduledcase", changes__has_key="place").exists()
    assert moved.visit_id in services.moved_since_published(moved.schedule, list(moved.schedule.cases.all()))


def test_a_move_to_a_day_the_surgeon_is_away_is_refused_naming_the_broken_rule(
    setup: Setup, coordinator: Any, published: Schedule
) -> None:
    row = published.cases.get(visit=setup.visit("An"))
    away = setup.surgeons[1]
    with pytest.raises(ValidationError) as refused:
        services.move_case(
            case=row,
            move=services.Move(day=OPERATING_DAYS[1], table_id=setup.tables[0].pk, surgeon_id=away.pk),
            acting_user=coordinator,
        )
    assert any(away.full_name in message for message in refused.value.message_dict["case"])  # named, not an id
    draft = Schedule.objects.get(status="draft")
    assert places(draft) == places(published)  # nothing of the refused move was saved


def test_a_move_that_overfills_a_table_day_is_refused(setup: Setup, coordinator: Any, published: Schedule) -> None:
    # Pile every case on the first table of the first day: 600 minutes of cases in 240.
    rows = list(published.cases.all())
    with pytest.raises(ValidationError) as refused:
        for row in rows:
            schedule = Schedule.objects.get(mission=setup.mission, status__in=["draft"]) if row != rows[0] else None
            case = schedule.cases.get(visit=row.visit) if schedule else row
            services.move_case(
                case=case,
                move=services.Move(day=OPERATING_DAYS[0], table_id=setup.tables[0].pk, surgeon_id=None),
                acting_user=coordinator,
            )
    assert refused.value.message_dict["case"]
    assert_follows_every_rule(Schedule.objects.get(status="draft"))


def test_a_move_to_a_day_outside_the_operating_days_is_refused_naming_the_day(
    setup: Setup, coordinator: Any, published: Schedule
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.move_case(
            case=published.cases.first(),  # type: ignore[arg-type]
            move=services.Move(day=dt.date(2026, 12, 7), table_id=setup.tables[0].pk),
            acting_user=coordinator,
        )
    assert "day" in refused.value.message_dict


def test_cancelling_a_case_repairs_the_schedule_into_a_draft_with_the_reason(
    setup: Setup, coordinator: Any, published: Schedule
) -> None:
    row = published.cases.get(visit=setup.visit("Bảo"))
    event = services.Event(type="cancel", case=row, cancel_code="FEVER", cancel_note="38.6 °C")
    repaired = services.repair(schedule=published, events=[event], acting_user=coordinator, now=BEFORE_THE_DAYS)
    assert repaired.status == Schedule.Status.DRAFT and repaired.kind == Schedule.Kind.REPAIRED
    cancelled = repaired.cases.get(visit=setup.visit("Bảo"))
    assert (cancelled.cancel_code, cancelled.cancel_note, cancelled.day) == ("FEVER", "38.6 °C", None)
    assert repaired.changes <= 5
    assert_follows_every_rule(repaired)
    # building again keeps the cancelled child off
    rebuilt = services.build_schedule(mission=setup.mission, acting_user=coordinator, time_limit=TIME_LIMIT)
    assert rebuilt.cases.get(visit=setup.visit("Bảo")).cancel_code == "FEVER"


def test_a_cancellation_needs_a_reason_and_other_needs_a_note(
    setup: Setup, coordinator: Any, published: Schedule
) -> None:
    row = published.cases.first()
    for code, note, field in (("", "", "cancel_code"), ("OTHER", " ", "cancel_note")):
        with pytest.raises(ValidationError) as refused:
            services.repair(
                schedule=published,
                events=[services.Event(type="cancel", case=row, cancel_code=code, cancel_note=note)],
                acting_user=coordinator,
            )
        assert field in refused.value.message_dict
    assert not Schedule.objects.filter(status="draft").exists()


def test_a_surgeon_absent_leaves_none_of_their_cases_on_that_day(
    setup: Setup, coordinator: Any, published: Schedule
) -> None:
    surgeon = setup.surgeons[0]
    day = OPERATING_DAYS[0]
    event = services.Event(type="surgeon_absent", surgeon_id=surgeon.pk, day=day)
    repaired = services.repair(schedule=published, events=[event], acting_user=coordinator, now=BEFORE_THE_DAYS)
    assert not repaired.cases.filter(surgeon=surgeon, day=day).exists()
    assert repaired.cases.filter(day__isnull=False).count() == 6
    assert_follows_every_rule(repaired)


def test_a_day_that_has_passed_cannot_be_repaired_and_says_so_on_its_field(
    setup: Setup, coordinator: Any, published: Schedule
) -> None:
    on_day_two = {"day": 1, "minute": 0}
    first_day = OPERATING_DAYS[0]
    done = published.cases.filter(day=first_day).first()
    assert done is not None
    refusals = [
        (services.Event(type="surgeon_absent", surgeon_id=setup.surgeons[0].pk, day=first_day), "day"),
        (services.Event(type="table_closed", table_id=setup.tables[0].pk, day=first_day, from_minute=0), "day"),
        (services.Event(type="duration", case=done, minutes=done.minutes + 60), "minutes"),
    ]
    for event, field in refusals:
        with pytest.raises(ValidationError) as refused:
            services.repair(schedule=published, events=[event], acting_user=coordinator, now=on_day_two)
        assert field in refused.value.message_dict
    assert not Schedule.objects.filter(status="draft").exists()


def test_a_table_closed_for_the_day_holds_no_case_and_an_overrun_lengthens_the_case(
    setup: Setup, coordinator: Any, published: Schedule
) -> None:
    table, day = setup.tables[0], OPERATING_DAYS[0]
    closed = services.repair(
        schedule=published,
        events=[services.Event(type="table_closed", table_id=table.pk, day=day, from_minute=0)],
        acting_user=coordinator,
        now=BEFORE_THE_DAYS,
    )
    assert not closed.cases.filter(table=table, day=day).exists()
    assert_follows_every_rule(closed)
    row = closed.cases.get(visit=setup.visit("Giang"))
    longer = services.repair(
        schedule=closed,
        events=[services.Event(type="duration", case=row, minutes=200)],
        acting_user=coordinator,
        now=BEFORE_THE_DAYS,
    )
    case = longer.cases.get(visit=setup.visit("Giang"))
    assert case.minutes == 200 and (case.day is None or case.end - case.start == 200)  # type: ignore[operator]
    assert_follows_every_rule(longer)
    closed.refresh_from_db()
    assert closed.status == Schedule.Status.REPLACED  # one draft at a time


def test_a_child_accepted_after_the_schedule_was_made_is_added_by_a_repair(
    setup: Setup, coordinator: Any, published: Schedule
) -> None:
    late = accept(setup.mission, "Hoa", dt.date(2026, 5, 1), "lip_uni", 7)
    assert services.children_not_on(published) == [late]
    repaired = services.repair(
        schedule=published,
        events=[services.Event(type="add_case", visit=late)],
        acting_user=coordinator,
        now=BEFORE_THE_DAYS,
    )
    assert repaired.cases.get(visit=late).day is not None
    assert services.children_not_on(repaired) == []
    assert_follows_every_rule(repaired)


def test_a_move_is_refused_only_for_what_it_breaks_not_for_what_was_broken_before(
    setup: Setup, coordinator: Any, published: Schedule
) -> None:
    # Someone's earlier edit left a surgeon absent on a day they operate (written straight in).
    em = published.cases.get(visit=setup.visit("Em"))
    published.cases.filter(pk=em.pk).update(surgeon=setup.surgeons[1], day=OPERATING_DAYS[1])
    assert solver.check(published.problem, services.solution_of(published))["violations"]
    row = published.cases.get(visit=setup.visit("An"))
    moved = services.move_case(
        case=row,
        move=services.Move(day=OPERATING_DAYS[3], table_id=setup.tables[1].pk, surgeon_id=setup.surgeons[0].pk),
        acting_user=coordinator,
    )
    assert (moved.day, moved.table_id) == (OPERATING_DAYS[3], setup.tables[1].pk)
