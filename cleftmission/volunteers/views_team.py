"""A mission's team: the roster against the staffing template with every check, adding and
editing members, "propose a team", and the printed and exported roster."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


roster = roster_print = roster_csv = roster_xlsx = _todo
member_add = member_edit = member_remove = _todo
propose = proposal_accept = proposal_reject = _todo
