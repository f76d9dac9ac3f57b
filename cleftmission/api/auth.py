"""Who is calling, and may their role use this endpoint: the API's one place for both.

A request authenticates with `Authorization: Bearer <token>` (tokens come from
`manage.py issue_token USERNAME`). A browser already logged in to CleftMission may also
read (GET) with its session; changes always need a token, so no CSRF token is involved.

Each operation declares the roles it admits (`auth=allow(roles.MANAGE_PLANNING)`); the
check runs before the body is read, so a role that may not write gets 403 whatever it sent.
Finer checks (which child, which field) stay in the routers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from cleftmission.core import roles
from cleftmission.core.models import ApiToken

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class RoleAuth(HttpBearer):
    """A bearer token (or, for reading, the session) of a user whose role is in `allowed`."""

    def __init__(self, allowed: set[roles.Role]) -> None:
        self.allowed = frozenset(allowed)
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        user = self._caller(request)
        role = roles.role_of(user)
        if role is None:
            raise PermissionDenied(_("Your account has no role in CleftMission yet; ask a coordinator."))
        if role not in self.allowed:
            raise PermissionDenied(_("Your role (%(role)s) may not do this.") % {"role": role.label})
        return user

    def _caller(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "").strip()
        if header:
            scheme, _sep, key = header.partition(" ")
            if scheme.lower() != "bearer" or not key.strip():
                raise AuthenticationError(message=_("Send the token as “Authorization: Bearer <token>”."))
            return self.authenticate(request, key.strip())
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method in READ_METHODS:
                return user
            raise AuthenticationError(message=_("Changes through the API need a bearer token."))
        raise AuthenticationError(message=_("Authentication needed: send “Authorization: Bearer <token>”."))

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = ApiToken.objects.for_key(token)
        if api_token is None or not api_token.user.is_active:
            raise AuthenticationError(message=_("This token is not valid or has been revoked."))
        return api_token.user


def allow(allowed: set[roles.Role]) -> RoleAuth:
    """The `auth=` of an operation open to these roles."""
    return RoleAuth(allowed)


def user_of(request: HttpRequest) -> Any:
    """The caller, as authenticated by RoleAuth."""
    return getattr(request, "auth", None)
