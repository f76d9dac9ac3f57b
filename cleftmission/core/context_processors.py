from typing import Any

from django.http import HttpRequest

from cleftmission.core import roles
from cleftmission.volunteers.views_me import linked_volunteer


def role(request: HttpRequest) -> dict[str, Any]:
    user_role = roles.role_of(request.user)
    return {
        "role": user_role,
        "can": {
            "manage_planning": user_role in roles.MANAGE_PLANNING,
            "see_volunteers": user_role in roles.SEE_VOLUNTEERS,
            "register_children": user_role in roles.REGISTER_CHILDREN,
            "edit_identity": user_role in roles.EDIT_IDENTITY,
            "edit_clinical": user_role in roles.EDIT_CLINICAL,
            "see_contacts": user_role in roles.SEE_CONTACTS,
            "see_audit": user_role in roles.SEE_AUDIT,
            "admin": user_role == roles.Role.ADMINISTRATOR,
            # a login linked to a volunteer record has a page of their own, whatever their role
            "my_page": linked_volunteer(getattr(request, "user", None)) is not None,
        },
    }
