"""Writes to volunteers, their credentials (and the documents behind them), their
unavailable dates, and the team rules (required credentials, staffing templates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.core.services import delete_audited, save_audited
from cleftmission.core.validators import normalize_phone
from cleftmission.volunteers.models import Credential, RequiredCredential, StaffingNeed, Unavailability, Volunteer

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

# The kinds of document accepted, by the extension the file is stored under, with the content
# type it is served as. The extension comes from the bytes, never from the name sent.
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}
_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

# What a credential says; a change to any of these sends it back for verification.
CREDENTIAL_CONTENT = ("kind", "number", "issuer", "valid_from", "valid_to", "document")


def _document_refused() -> ValidationError:
    return ValidationError(
        {
            "document": _("Send the document as a PDF or a JPEG, PNG or WebP image of at most %(mb)s MB.")
            % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}
        }
    )


def document_kind(file: File[Any] | IO[bytes]) -> str:
    """The kind of a document ("pdf", "jpg", "png" or "webp") read from its bytes; refuses
    anything else, and anything over the size limit."""
    from PIL import Image, UnidentifiedImageError

    size = getattr(file, "size", None)
    if size is not None and (size > MAX_DOCUMENT_BYTES or size == 0):
        raise _document_refused()
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if head == b"%PDF-":
        return "pdf"
    try:
        with Image.open(file) as probe:
            image_format = probe.format or ""
            probe.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise _document_refused() from exc
    finally:
        file.seek(0)
    if image_format not in _IMAGE_FORMATS:
        raise _document_refused()
    return _IMAGE_FORMATS[image_format]


def validate_document(file: File[Any] | IO[bytes]) -> None:
    """Refuse (naming "document") a file that is not a PDF or a JPEG, PNG or WebP image by its
    content, or that is larger than MAX_DOCUMENT_BYTES."""
    document_kind(file)


def document_content_type(name: str) -> str:
    """The content type a stored document is served with, from the extension it was stored
    under after its bytes were checked."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return DOCUMENT_TYPES.get(extension, "application/octet-stream")


def save_volunteer(*, volunteer: Volunteer, acting_user: Any, procedures: Iterable[Any] | None = None) -> Volunteer:
    """Save a volunteer; `procedures` (for surgeons: the operations they do, none = any) is
    set when given, and its change audited with the record."""
    if volunteer.phone:
        volunteer.phone = normalize_phone(volunteer.phone)
    with transaction.atomic():
        saved = save_audited(instance=volunteer, acting_user=acting_user)
        if procedures is not None:
            before = sorted(p.code for p in saved.procedures.all())
            after = sorted(p.code for p in procedures)
            if before != after:
                saved.procedures.set(list(procedures))
                audit.record(
                    instance=saved,
                    action=AuditEntry.Action.UPDATE,
                    changes={"procedures": [", ".join(before), ", ".join(after)]},
                    acting_user=acting_user,
                )
    return saved


def _content_changed(credential: Credential) -> bool:
    if credential.pk is None:
        return True
    saved = Credential.objects.filter(pk=credential.pk).values(*CREDENTIAL_CONTENT).first()
    if saved is None:
        return True
    current = {name: getattr(credential, name) for name in CREDENTIAL_CONTENT}
    current["document"] = credential.document.name or ""
    return any(saved[name] != current[name] for name in CREDENTIAL_CONTENT)


def _save_with_document(*, credential: Credential, document: File[Any] | None, acting_user: Any) -> Credential:
    """Store the new document (under the extension of its checked kind), save the credential,
    and delete the replaced file once the change is committed. If the save fails, the new file
    is removed and the old one kept: nothing half-saved."""
    old_name = ""
    new_name = ""
    if document is not None:
        kind = document_kind(document)
        if credential.pk is not None:
            old_name = Credential.objects.filter(pk=credential.pk).values_list("document", flat=True).first() or ""
        credential.document.save(f"document.{kind}", document, save=False)
        new_name = credential.document.name or ""
    try:
        with transaction.atomic():
            saved = save_audited(instance=credential, acting_user=acting_user, target=credential.volunteer)
            if old_name and old_name != new_name:
                storage = credential.document.storage
                transaction.on_commit(lambda: storage.delete(old_name))
    except Exception:
        if new_name:
            credential.document.storage.delete(new_name)
            credential.document.name = old_name
        raise
    return saved


def save_credential(*, credential: Credential, acting_user: Any, document: File[Any] | None = None) -> Credential:
    """A coordinator records or changes a credential (optionally attaching its document): what
    a coordinator writes is verified by them. One already verified keeps who verified it (the
    change itself is on the trail)."""
    if credential.verification != Credential.Verification.VERIFIED:
        credential.verification = Credential.Verification.VERIFIED
        credential.rejection_reason = ""
        credential.verified_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
        credential.verified_at = timezone.now()
    return _save_with_document(credential=credential, document=document, acting_user=acting_user)


def save_own_credential(*, credential: Credential, document: File[Any] | None, acting_user: Any) -> Credential:
    """A volunteer uploads a credential of their own (a new one needs its document) or changes
    one: a changed credential goes back to waiting for verification."""
    if credential.pk is None and document is None:
        raise ValidationError({"document": _("Attach the document (a PDF or an image).")})
    if document is not None or _content_changed(credential):
        credential.verification = Credential.Verification.PENDING
        credential.rejection_reason = ""
        credential.verified_by = None
        credential.verified_at = None
    return _save_with_document(credential=credential, document=document, acting_user=acting_user)


def verify_credential(*, credential: Credential, acting_user: Any) -> Credential:
    credential.verification = Credential.Verification.VERIFIED
    credential.rejection_reason = ""
    credential.verified_by = acting_user
    credential.verified_at = timezone.now()
    return save_audited(instance=credential, acting_user=acting_user, target=credential.volunteer)


def reject_credential(*, credential: Credential, reason: str, acting_user: Any) -> Credential:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"rejection_reason": _("Say why the document is rejected.")})
    credential.verification = Credential.Verification.REJECTED
    credential.rejection_reason = reason[:300]
    credential.verified_by = acting_user
    credential.verified_at = timezone.now()
    return save_audited(instance=credential, acting_user=acting_user, target=credential.volunteer)


def remove_credential(*, credential: Credential, acting_user: Any) -> None:
    name = credential.document.name or ""
    storage = credential.document.storage
    with transaction.atomic():
        delete_audited(instance=credential, acting_user=acting_user, target=credential.volunteer)
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def add_unavailability(
    *, volunteer: Volunteer, first_day: dt.date, last_day: dt.date, reason: str = "", acting_user: Any
) -> Unavailability:
    period = Unavailability(volunteer=volunteer, first_day=first_day, last_day=last_day, reason=reason.strip())
    return save_audited(instance=period, acting_user=acting_user, target=volunteer)


def remove_unavailability(*, unavailability: Unavailability, acting_user: Any) -> None:
    delete_audited(instance=unavailability, acting_user=acting_user, target=unavailability.volunteer)


# --- the team rules -------------------------------------------------------------------------


def set_required_credentials(*, required: Iterable[tuple[str, str]], acting_user: Any) -> int:
    """Make the required credentials exactly `required` ((specialty, kind) pairs): one audited
    create or delete per changed pair, all or nothing. Returns how many rows changed."""
    wanted = set(required)
    errors = [
        pair for pair in wanted if pair[0] not in Volunteer.Specialty.values or pair[1] not in Credential.Kind.values
    ]
    if errors:
        raise ValidationError({"required": _("Choose specialties and credential kinds from the lists.")})
    changed = 0
    with transaction.atomic():
        existing = {(r.specialty, r.kind): r for r in RequiredCredential.objects.select_for_update()}
        for pair, row in existing.items():
            if pair not in wanted:
                delete_audited(instance=row, acting_user=acting_user)
                changed += 1
        for specialty, kind in sorted(wanted - set(existing)):
            save_audited(instance=RequiredCredential(specialty=specialty, kind=kind), acting_user=acting_user)
            changed += 1
    return changed


def set_staffing_templates(*, templates: dict[str, dict[str, tuple[int, int]]], acting_user: Any) -> int:
    """Make the staffing template of each kind of mission in `templates` (kind -> role -> (per
    table, in addition)); a role with both zero is left out of the template. Audited per changed
    row, all or nothing. Returns how many rows changed."""
    changed = 0
    with transaction.atomic():
        existing = {(n.mission_kind, n.role): n for n in StaffingNeed.objects.select_for_update()}
        for mission_kind, needs in sorted(templates.items()):
            for role, (per_table, fixed) in sorted(needs.items()):
                row = existing.get((mission_kind, role))
                if per_table == 0 and fixed == 0:
                    if row is not None:
                        delete_audited(instance=row, acting_user=acting_user)
                        changed += 1
                    continue
                if row is None:
                    row = StaffingNeed(mission_kind=mission_kind, role=role)
                elif (row.per_table, row.fixed) == (per_table, fixed):
                    continue
                row.per_table, row.fixed = per_table, fixed
                save_audited(instance=row, acting_user=acting_user)
                changed += 1
    return changed
