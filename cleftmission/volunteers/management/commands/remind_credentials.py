"""List, or e-mail, the volunteers whose credentials expire within a window of days.

python manage.py remind_credentials --days 60                    # list them
python manage.py remind_credentials --days 60 --include-expired  # and those already expired
python manage.py remind_credentials --days 60 --email            # one e-mail per volunteer
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cleftmission.volunteers.models import Credential, Volunteer

MAX_DAYS = 3650


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _days_left(credential: Credential, today: dt.date) -> int:
    assert credential.valid_to is not None
    return (credential.valid_to - today).days


def _when(credential: Credential, today: dt.date) -> str:
    left = _days_left(credential, today)
    if left < 0:
        return ngettext("expired %(n)s day ago", "expired %(n)s days ago", -left) % {"n": -left}
    if left == 0:
        return _("expires today")
    return ngettext("%(n)s day left", "%(n)s days left", left) % {"n": left}


def _message(volunteer: Volunteer, credentials: list[Credential], today: dt.date) -> tuple[str, str]:
    """Subject and body in the active language."""
    subject = _("Your credentials for the cleft missions: renewal needed")
    lines = [
        _("Dear %(name)s,") % {"name": volunteer.full_name},
        "",
        _("These credentials of yours on file with the cleft missions expire soon or have expired:"),
        "",
        *[
            f"- {c.get_kind_display()}{f' ({c.number})' if c.number else ''}: "
            + _("valid until %(day)s, %(when)s") % {"day": _day(c.valid_to or today), "when": _when(c, today)}
            for c in credentials
        ],
        "",
        _("Please renew them and upload the new documents on your page, or send them to the mission coordinator."),
        "",
        _("Thank you,"),
        _("The mission coordinators"),
    ]
    return subject, "\n".join(lines)


class Command(BaseCommand):
    help = "List, or e-mail, the volunteers whose credentials expire within --days days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.CREDENTIAL_WARNING_DAYS, help="The window, 1 to 3650")
        parser.add_argument("--include-expired", action="store_true", help="Also credentials already expired")
        parser.add_argument("--email", action="store_true", help="Send each volunteer one e-mail")

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["days"]
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}.")
        today = timezone.localdate()
        credentials = Credential.objects.filter(valid_to__lte=today + dt.timedelta(days=days))
        if not options["include_expired"]:
            credentials = credentials.filter(valid_to__gte=today)
        rows = list(
            credentials.select_related("volunteer").order_by("volunteer__search_name", "volunteer_id", "valid_to")
        )
        if not rows:
            self.stdout.write(f"No credentials expire within {days} days.")
            return
        sent = skipped = 0
        self.stdout.write("\t".join(["volunteer", "credential", "valid until", "days left", "e-mail"]))
        for _volunteer_id, group in groupby(rows, key=lambda c: c.volunteer_id):
            mine = list(group)
            volunteer = mine[0].volunteer
            for c in mine:
                assert c.valid_to is not None
                self.stdout.write(
                    "\t".join(
                        [
                            volunteer.full_name,
                            c.get_kind_display(),
                            _day(c.valid_to),
                            str(_days_left(c, today)),
                            volunteer.email or "-",
                        ]
                    )
                )
            if not options["email"]:
                continue
            if not volunteer.email:
                self.stdout.write(f"  no e-mail address for {volunteer.full_name}: not sent")
                skipped += 1
                continue
            send_mail(*self._bilingual(volunteer, mine, today), None, [volunteer.email])
            sent += 1
        if options["email"]:
            self.stdout.write(f"Sent {sent} e-mail(s); {skipped} volunteer(s) without an e-mail address.")

    def _bilingual(self, volunteer: Volunteer, credentials: list[Credential], today: dt.date) -> tuple[str, str]:
        """The message in the site's language, then in English when that reads differently."""
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _message(volunteer, credentials, today)
        with translation.override("en"):
            subject_en, body_en = _message(volunteer, credentials, today)
        if body_en != body:
            body = f"{body}\n\n-----\n\n{body_en}"
        if subject_en != subject:
            subject = f"{subject} / {subject_en}"
        return subject, body
