"""The access table's building blocks, shared by the per-app page tables
(cleftmission/<app>/tests/access_pages.py) that test_access.py merges."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ["anonymous", "outsider", "viewer", "registrar", "clinician", "coordinator", "admin"]

EVERY_ROLE = frozenset({"viewer", "registrar", "clinician", "coordinator", "admin"})
PLANNERS = frozenset({"coordinator", "admin"})
VOLUNTEER_READERS = frozenset({"viewer", "coordinator", "admin"})
REGISTERS_CHILDREN = frozenset({"registrar", "coordinator", "admin"})
EDITS_CHILDREN = frozenset({"registrar", "clinician", "coordinator", "admin"})

# Not pages of the web app, or tested elsewhere: the Django admin (see below), the API, the
# language switch, static and media files, and logging in and out.
EXCLUDED_PREFIXES = ("admin/", "api/", "i18n/", "static/", "media/")
EXCLUDED_NAMES = {"login", "logout"}


@dataclass(frozen=True)
class Page:
    """A page and the roles that may use it.

    kind: "read" (GET only), "form" (GET shows it, POST submits it) or "action" (POST only).
    """

    allowed: frozenset[str]
    kind: str = "read"
    params: Callable[[World], dict[str, int]] = field(default=lambda world: {})
    public: bool = False


@dataclass
class World:
    mission: Any
    child: Any
    volunteer: Any
    credential: Any
