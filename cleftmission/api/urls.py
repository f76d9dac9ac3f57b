"""The JSON API, version 1, at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from ninja import NinjaAPI, Swagger

from cleftmission.api import (
    errors,
    followup,
    missions,
    patients,
    scheduling,
    screening,
    sites,
    surgery,
    team,
    volunteers,
)
from cleftmission.api.auth import allow
from cleftmission.core import roles

DESCRIPTION = """
The JSON API of CleftMission.

**Authentication.** Send `Authorization: Bearer <token>`; an administrator issues tokens with
`python manage.py issue_token USERNAME`. A browser logged in to CleftMission may also read (GET)
with its session. Changes always need a token.

**Permissions** are those of the web pages: the caller's role decides what they may read and
change, and clinicians and registrars see only the children of the missions they are on
(other children answer 404). Address and guardians are shown only to roles that may see
contact details.

**Lists** answer `{"items": [...], "count": N}` and take `limit` (default 50, at most 200) and
`offset`.

**Changes.** `POST` creates, `PATCH` changes only the fields sent. Credentials live under their
volunteer (`/volunteers/{id}/credentials`), tables under their hospital (`/sites/{id}/tables`),
guardians under their child (`/patients/{id}/guardians`). Unknown fields are refused.

**Errors** always have one shape, whatever the status (400 unreadable body, 401 not
authenticated, 403 not allowed, 404 not found or not yours to see, 409 conflict, 422 invalid data):
`{"detail": "<sentence>", "errors": [{"field": "<name>", "message": "<text>"}]}`. Nested fields are
named like `guardians.0.phone`. Messages follow `Accept-Language` (Vietnamese or English).
"""

api = NinjaAPI(
    title="CleftMission API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # Swagger UI's own files come with django-ninja (`ninja` is installed); its default
    # validator badge would fetch an image from validator.swagger.io, so it is off.
    docs=Swagger(settings={"validatorUrl": None}),
    auth=allow(roles.ANY_ROLE),  # each operation narrows this to the roles it admits
)
errors.install(api)

api.add_router("/sites", sites.router)
api.add_router("/missions", missions.router)
api.add_router("/volunteers", volunteers.router)
api.add_router("/patients", patients.router)
api.add_router("", screening.router)  # /missions/{id}/visits, /visits/{id}, …
api.add_router("", scheduling.router)  # /missions/{id}/schedules, /schedules/{id}, …
api.add_router("", team.router)  # /missions/{id}/members, /missions/{id}/team, /credentials, …
api.add_router("", surgery.router)  # /missions/{id}/cases, /cases/{id}, …
api.add_router("", followup.router)  # /follow-ups, /follow-ups/{id}, /missions/{id}/recall
api.add_router("", errors.not_found_router)  # last, so that it only answers what nothing else does
