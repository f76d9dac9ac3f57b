"""The volunteers' and team pages in the access table walked by core/tests/test_access.py."""

from __future__ import annotations

from cleftmission.core.tests.access_table import LINKED_TO_A_VOLUNTEER, PLANNERS, VOLUNTEER_READERS, Page, World


def _mission(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk}


def _member(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk, "pk": w.member.pk}


def _proposal(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk, "pk": w.proposal.pk}


def _credential(w: World) -> dict[str, int]:
    return {"volunteer_pk": w.volunteer.pk, "pk": w.credential.pk}


def _my_credential(w: World) -> dict[str, int]:
    return {"pk": w.credential.pk}


def _my_unavailability(w: World) -> dict[str, int]:
    return {"pk": w.unavailability.pk}


# The clinician and registrar are volunteers too, but the world's credential and
# unavailability belong to the "volunteer" persona: looked up among their own, they are not found.
NOT_THEIRS = frozenset({"clinician", "registrar"})

TEAM_PAGES: dict[str, Page] = {
    "team:roster": Page(allowed=VOLUNTEER_READERS, params=_mission),
    "team:print": Page(allowed=VOLUNTEER_READERS, params=_mission),
    "team:csv": Page(allowed=VOLUNTEER_READERS, params=_mission),
    "team:xlsx": Page(allowed=VOLUNTEER_READERS, params=_mission),
    "team:add": Page(allowed=PLANNERS, kind="form", params=_mission),
    "team:member": Page(allowed=PLANNERS, kind="form", params=_member),
    "team:remove": Page(allowed=PLANNERS, kind="action", params=_member),
    "team:propose": Page(allowed=PLANNERS, kind="form", params=_mission),
    "team:accept": Page(allowed=PLANNERS, kind="action", params=_proposal),
    "team:reject": Page(allowed=PLANNERS, kind="action", params=_proposal),
}

VOLUNTEER_SELF_PAGES: dict[str, Page] = {
    "volunteers:me": Page(allowed=LINKED_TO_A_VOLUNTEER),
    "volunteers:my_credential_create": Page(allowed=LINKED_TO_A_VOLUNTEER, kind="form"),
    "volunteers:my_credential_edit": Page(
        allowed=frozenset({"volunteer"}), kind="form", params=_my_credential, not_found=NOT_THEIRS
    ),
    "volunteers:my_unavailability": Page(allowed=LINKED_TO_A_VOLUNTEER, kind="form"),
    "volunteers:my_unavailability_delete": Page(
        allowed=frozenset({"volunteer"}), kind="action", params=_my_unavailability, not_found=NOT_THEIRS
    ),
}

CREDENTIAL_PAGES: dict[str, Page] = {
    # the volunteer's own document, or any for a coordinator; never a viewer's
    "volunteers:credential_document": Page(allowed=PLANNERS | {"volunteer"}, params=_credential),
    "volunteers:verification": Page(allowed=PLANNERS),
    "volunteers:credential_verify": Page(allowed=PLANNERS, kind="form", params=_credential),
    "volunteers:rules": Page(allowed=PLANNERS, kind="form"),
}

VOLUNTEER_PAGES: dict[str, Page] = {**TEAM_PAGES, **VOLUNTEER_SELF_PAGES, **CREDENTIAL_PAGES}
