"""A volunteer's own page: their record, their missions, their credential documents and the
dates they are unavailable. Open to any login linked to a volunteer record."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


my_page = my_credential_edit = my_unavailability = my_unavailability_delete = _todo
