"""The access table's building blocks, shared by the per-app page tables
(cleftmission/<app>/tests/access_pages.py) that test_access.py merges."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# "volunteer": a login linked to a volunteer record and no role; "outsider": a login with neither.
ROLES = ["anonymous", "outsider", "volunteer", "viewer", "registrar", "clinician", "coordinator", "admin"]

EVERY_ROLE = frozenset({"viewer", "registrar", "clinician", "coordinator", "admin"})
PLANNERS = frozenset({"coordinator", "admin"})
VOLUNTEER_READERS = frozenset({"viewer", "coordinator", "admin"})
REGISTERS_CHILDREN = frozenset({"registrar", "coordinator", "admin"})
EDITS_CHILDREN = frozenset({"registrar", "clinician", "coordinator", "admin"})
# Logins linked to a volunteer record (the clinician and registrar personas are volunteers too).
LINKED_TO_A_VOLUNTEER = frozenset({"volunteer", "registrar", "clinician"})

# Not pages of the web app, or tested elsewhere: the Django admin (see below), the API, the
# language switch, static and media files, and logging in and out.
EXCLUDED_PREFIXES = ("admin/", "api/", "i18n/", "static/", "media/")
EXCLUDED_NAMES = {"login", "logout"}


@dataclass(frozen=True)
class Page:
    """A page and the roles that may use it.

    kind: "read" (GET only), "form" (GET shows it, POST submits it) or "action" (POST only).
    not_found: roles that are refused with 404 rather than 403 (someone else's record, looked
    up among the user's own); redirects: roles sent elsewhere with a 302 (not to the login).
    """

    allowed: frozenset[str]
    kind: str = "read"
    params: Callable[[World], dict[str, Any]] = field(default=lambda world: {})
    public: bool = False
    not_found: frozenset[str] = frozenset()
    redirects: frozenset[str] = frozenset()


@dataclass
class World:
    """volunteer is the "volunteer" persona's own record; credential (with a document) and
    unavailability are theirs; member and proposal are on `mission`'s team."""

    mission: Any
    child: Any
    volunteer: Any
    credential: Any
    member: Any = None
    proposal: Any = None
    unavailability: Any = None
    schedule: Any = None
    scheduled_case: Any = None
    surgical_case: Any = None
    follow_up: Any = None
