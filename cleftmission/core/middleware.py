from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

# Paths open without a session: the login page, the language switch, static files and
# the API (which authenticates each request itself with a token).
OPEN_PREFIXES = ("/accounts/login/", "/i18n/", "/static/", "/api/", "/healthz")


class LoginRequiredMiddleware:
    """Every page needs a logged-in user; this is data about children."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
