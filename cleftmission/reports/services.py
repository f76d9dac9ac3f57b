"""The one write of the reports: a coordinator applies new planning minutes to the
procedure catalog (screening.Procedure), from the actual times recorded. Audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cleftmission.core.services import save_audited
from cleftmission.screening.models import Procedure

LOWEST, HIGHEST = 5, 600  # as the catalog's validators


def set_planning_minutes(*, procedure: Procedure, minutes: Any, acting_user: Any) -> Procedure:
    """Set the procedure's planning minutes; refused, naming the field, unless a whole number
    of minutes from 5 to 600. The schedules built from now on plan with it."""
    try:
        value = int(str(minutes).strip())
    except ValueError:
        raise ValidationError({"planning_minutes": _("Give the planning minutes as a whole number.")}) from None
    if not LOWEST <= value <= HIGHEST:
        raise ValidationError(
            {
                "planning_minutes": _("The planning minutes must be from %(low)s to %(high)s.")
                % {"low": LOWEST, "high": HIGHEST}
            }
        )
    procedure.planning_minutes = value
    return save_audited(instance=procedure, acting_user=acting_user)
