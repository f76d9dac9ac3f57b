from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cleftmission.core.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print it (use as 'Authorization: Bearer <token>')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}") from exc
        _, key = ApiToken.issue(user)
        self.stdout.write(key)
