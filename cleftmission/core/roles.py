"""Roles and what each may do. One place answers "may this user do that?".

A user's role is the Django group they belong to (administrators are superusers or
in the administrator group). Mission-scoped roles (clinician, registrar) see only the
children of the missions they are on; see `patients.access`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class Role(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    COORDINATOR = "coordinator"
    CLINICIAN = "clinician"
    REGISTRAR = "registrar"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMINISTRATOR: _("Administrator"),
    Role.COORDINATOR: _("Coordinator"),
    Role.CLINICIAN: _("Clinician"),
    Role.REGISTRAR: _("Registrar"),
    Role.VIEWER: _("Viewer"),
}

# Most powerful first: a user in several groups gets the strongest role.
ROLE_ORDER = list(Role)

AnyUser = AbstractBaseUser | AnonymousUser


def role_of(user: Any) -> Role | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if hasattr(user, "_cleftmission_role"):
        cached: Role | None = user._cleftmission_role
        return cached
    role: Role | None
    if user.is_superuser:
        role = Role.ADMINISTRATOR
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = next((r for r in ROLE_ORDER if r.value in names), None)
    user._cleftmission_role = role
    return role


def set_role(user: Any, role: Role) -> None:
    """Give the user exactly one role."""
    groups = [Group.objects.get_or_create(name=r.value)[0] for r in Role]
    user.groups.remove(*[g for g in groups if g.name != role.value])
    user.groups.add(next(g for g in groups if g.name == role.value))
    if hasattr(user, "_cleftmission_role"):
        del user._cleftmission_role


# What each role may do. Pages and endpoints ask these, never group names.
MANAGE_PLANNING = {Role.ADMINISTRATOR, Role.COORDINATOR}  # sites, missions, volunteers
SEE_VOLUNTEERS = {Role.ADMINISTRATOR, Role.COORDINATOR, Role.VIEWER}
REGISTER_CHILDREN = {Role.ADMINISTRATOR, Role.COORDINATOR, Role.REGISTRAR}
EDIT_IDENTITY = {Role.ADMINISTRATOR, Role.COORDINATOR, Role.REGISTRAR}
EDIT_CLINICAL = {Role.ADMINISTRATOR, Role.COORDINATOR, Role.CLINICIAN}
SEE_CONTACTS = {Role.ADMINISTRATOR, Role.COORDINATOR, Role.CLINICIAN, Role.REGISTRAR}
SEE_AUDIT = {Role.ADMINISTRATOR, Role.COORDINATOR}
SEE_ALL_CHILDREN = {Role.ADMINISTRATOR, Role.COORDINATOR, Role.VIEWER}
ANY_ROLE = set(Role)


def has(user: Any, allowed: set[Role]) -> bool:
    return role_of(user) in allowed


def require(user: Any, allowed: set[Role]) -> Role:
    role = role_of(user)
    if role not in allowed:
        raise PermissionDenied
    assert role is not None
    return role


V = TypeVar("V", bound=Callable[..., HttpResponse])


def role_required(allowed: set[Role]) -> Callable[[V], V]:
    """Refuse the view (403) to users whose role is not in `allowed`."""

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, allowed)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
