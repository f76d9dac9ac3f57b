"""Credential documents: only a PDF or an image (checked by its bytes, not its name) of at most
10 MB is kept; it is served only to its own volunteer and to coordinators; replacing it
removes the old file, and a refused save leaves nothing behind."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from cleftmission.core.models import AuditEntry
from cleftmission.factories import CredentialFactory, UserFactory, VolunteerFactory
from cleftmission.volunteers import services
from cleftmission.volunteers.models import Credential

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def picture(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


def upload(content: bytes, name: str = "scan.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type)


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "credentials"
    return {str(p.relative_to(settings.MEDIA_ROOT)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


# What is accepted


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF, "pdf"), (picture("JPEG"), "jpg"), (picture("PNG"), "png"), (picture("WEBP"), "webp")],
    ids=["pdf", "jpeg", "png", "webp"],
)
def test_a_pdf_or_a_jpeg_png_or_webp_image_is_accepted(content: bytes, kind: str) -> None:
    assert services.document_kind(upload(content, name="anything.bin")) == kind
    services.validate_document(upload(content))


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        picture("GIF"),
        picture("BMP"),
        b"",
        b"PK\x03\x04 a word document",
        picture("PNG")[:60],  # a truncated image
    ],
    ids=["html", "svg", "gif", "bmp", "empty", "zip", "truncated-png"],
)
def test_anything_else_is_refused_naming_the_document_whatever_its_name(content: bytes) -> None:
    with pytest.raises(ValidationError) as refused:
        services.validate_document(upload(content, name="licence.pdf"))
    message = refused.value.message_dict["document"][0]
    assert "PDF" in message and "10 MB" in message


def test_a_document_over_10_mb_is_refused_and_one_of_exactly_10_mb_is_kept() -> None:
    limit = services.MAX_DOCUMENT_BYTES
    assert limit == 10 * 1024 * 1024
    services.validate_document(upload(PDF + b" " * (limit - len(PDF))))
    with pytest.raises(ValidationError) as refused:
        services.validate_document(upload(PDF + b" " * (limit - len(PDF) + 1)))
    assert "document" in refused.value.message_dict


# Who gets the bytes


@pytest.fixture
def document(volunteer_user: Any) -> Credential:
    credential: Any = CredentialFactory(volunteer=volunteer_user.volunteer, kind="bls")
    services.save_own_credential(credential=credential, document=upload(PDF), acting_user=volunteer_user)
    return credential


def url(credential: Credential) -> str:
    return f"/volunteers/{credential.volunteer_id}/credentials/{credential.pk}/document/"


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", ["volunteer_user", "coordinator", "admin_user"])
def test_the_volunteer_themself_and_coordinators_get_the_document_inline_and_unsniffed(
    request: pytest.FixtureRequest, as_user: Any, document: Credential, persona: str
) -> None:
    response = as_user(request.getfixturevalue(persona)).get(url(document))
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("persona", ["viewer", "clinician", "registrar", "outsider"])
def test_no_one_else_with_a_login_gets_the_document(
    request: pytest.FixtureRequest, as_user: Any, document: Credential, persona: str
) -> None:
    response = as_user(request.getfixturevalue(persona)).get(url(document))
    assert response.status_code == 403
    assert PDF not in response.content


def test_another_volunteer_does_not_get_the_document(as_user: Any, document: Credential) -> None:
    other = UserFactory(username="other-volunteer")
    VolunteerFactory(user=other)
    response = as_user(other).get(url(document))
    assert response.status_code == 403
    assert PDF not in response.content


def test_an_anonymous_visitor_is_sent_to_the_login_without_the_document(document: Credential) -> None:
    response = Client().get(url(document))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert PDF not in response.content


def test_the_document_is_not_found_under_another_volunteers_address(
    as_user: Any, coordinator: Any, document: Credential
) -> None:
    other: Any = VolunteerFactory()
    response = as_user(coordinator).get(f"/volunteers/{other.pk}/credentials/{document.pk}/document/")
    assert response.status_code == 404


def test_a_credential_without_a_document_or_whose_file_is_gone_is_not_found(
    as_user: Any, coordinator: Any, volunteer_user: Any, document: Credential
) -> None:
    bare: Any = CredentialFactory(volunteer=volunteer_user.volunteer, kind="pals")
    assert as_user(coordinator).get(url(bare)).status_code == 404
    os.remove(document.document.path)
    assert as_user(volunteer_user).get(url(document)).status_code == 404


def test_an_image_sent_under_a_pdf_name_is_stored_and_served_as_the_image_it_is(
    as_user: Any, volunteer_user: Any
) -> None:
    client = as_user(volunteer_user)
    png = picture("PNG")
    response = client.post(
        "/me/credentials/new/",
        {"kind": "pals", "valid_from": "01/01/2025", "valid_to": "01/01/2028", "document": upload(png, "pals.pdf")},
    )
    assert response.status_code == 302
    credential = Credential.objects.get(volunteer=volunteer_user.volunteer, kind="pals")
    assert credential.document.name.endswith(".png")
    assert "pals" not in credential.document.name  # the name sent never reaches the disk
    served = client.get(url(credential))
    assert served["Content-Type"] == "image/png"
    assert body(served) == png


# Replacing and refusing


def test_replacing_a_document_removes_the_old_file_once_saved(
    volunteer_user: Any, document: Credential, django_capture_on_commit_callbacks: Any
) -> None:
    old = document.document.name
    with django_capture_on_commit_callbacks(execute=True):
        services.save_own_credential(
            credential=document, document=upload(picture("JPEG"), "new.jpg"), acting_user=volunteer_user
        )
    document.refresh_from_db()
    assert document.document.name != old
    assert document.document.name.endswith(".jpg")
    assert stored_files() >= {document.document.name}
    assert old not in stored_files()


def test_a_refused_change_keeps_the_old_document_and_leaves_no_new_file(
    as_user: Any, volunteer_user: Any, document: Credential, django_capture_on_commit_callbacks: Any
) -> None:
    before_files, old = stored_files(), document.document.name
    audit_before = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(volunteer_user).post(
            f"/me/credentials/{document.pk}/edit/",
            {"kind": "bls", "valid_from": "01/05/2026", "valid_to": "30/04/2026", "document": upload(PDF, "new.pdf")},
        )
    assert response.status_code == 200
    assert "valid_to" in response.context["form"].errors
    document.refresh_from_db()
    assert document.document.name == old
    assert stored_files() == before_files
    assert AuditEntry.objects.count() == audit_before


def test_a_file_that_is_not_a_document_is_refused_on_the_form_and_nothing_is_saved(
    as_user: Any, volunteer_user: Any
) -> None:
    before_files = stored_files()
    response = as_user(volunteer_user).post(
        "/me/credentials/new/",
        {"kind": "bls", "valid_to": "01/01/2028", "document": upload(b"<html></html>", "bls.pdf", "text/html")},
    )
    assert response.status_code == 200
    assert "document" in response.context["form"].errors
    assert "PDF" in response.content.decode()
    assert not Credential.objects.filter(volunteer=volunteer_user.volunteer).exists()
    assert stored_files() == before_files
    assert not AuditEntry.objects.exists()


def test_a_coordinator_attaches_a_document_to_a_volunteers_credential(as_user: Any, coordinator: Any) -> None:
    credential: Any = CredentialFactory(verification=Credential.Verification.PENDING)
    edit = f"/volunteers/{credential.volunteer_id}/credentials/{credential.pk}/edit/"
    response = as_user(coordinator).post(
        edit, {"kind": "licence", "valid_from": "01/01/2020", "valid_to": "01/01/2030", "document": upload(PDF)}
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.document.name.endswith(".pdf")
    assert credential.verification == Credential.Verification.VERIFIED
    assert credential.verified_by == coordinator
    entry = AuditEntry.objects.get()
    assert entry.object_id == str(credential.volunteer_id)
    assert entry.changes["document"][1] == credential.document.name
