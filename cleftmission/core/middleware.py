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
            response = redirect_to_login(request.get_full_path())
            if request.headers.get("HX-Request"):
                # An htmx poll after the session ended: send the whole page to the login,
                # instead of swapping the login form into a board.
                hx = HttpResponse(status=204)
                hx["HX-Redirect"] = response["Location"]
                return hx
            return response
        return self.get_response(request)
