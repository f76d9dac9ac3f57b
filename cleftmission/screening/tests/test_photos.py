"""Clinical photographs: uploaded with recorded consent at the photos station, refused when
not an image or too large, and streamed only to those allowed to see the child's photos."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cleftmission.core.models import AuditEntry
from cleftmission.screening import services
from cleftmission.screening.forms import MAX_PHOTO_BYTES
from cleftmission.screening.models import Photo, ScreeningVisit
from cleftmission.screening.tests.station_helpers import evaluate_url, image_bytes, in_english, visit_of


@pytest.fixture
def visit(child: Any, mission: Any) -> ScreeningVisit:
    return visit_of(child, mission)


def upload(client: Any, visit: ScreeningVisit, content: bytes, name: str = "face.jpg", **extra: str) -> Any:
    data = {
        "upload": "1",
        "photo-image": SimpleUploadedFile(name, content, content_type="image/jpeg"),
        "photo-view": "frontal",
        "photo-consent_by": "Lê Thị Hoa (mẹ)",
        **extra,
    }
    return client.post(evaluate_url(visit, "photos"), data)


def photo_url(photo: Photo, size: str = "thumb") -> str:
    return reverse("screening:photo", args=[photo.visit.mission_id, photo.visit_id, photo.pk, size])


@pytest.fixture
def photo(visit: ScreeningVisit, clinician: Any) -> Photo:
    return services.add_photo(
        visit=visit,
        image=SimpleUploadedFile("face.jpg", image_bytes(size=(800, 600))),
        view="frontal",
        consent_by="Lê Thị Hoa (mẹ)",
        acting_user=clinician,
    )


def test_a_clinician_uploads_a_photo_with_consent_and_a_thumbnail_is_made(
    as_user: Any, clinician: Any, visit: ScreeningVisit, settings: Any
) -> None:
    response = upload(as_user(clinician), visit, image_bytes(size=(1200, 900)))

    assert response.status_code == 302
    photo = Photo.objects.get(visit=visit)
    assert (photo.consent_by, photo.view, photo.uploaded_by) == ("Lê Thị Hoa (mẹ)", "frontal", clinician)
    assert Path(photo.image.path).is_relative_to(Path(settings.MEDIA_ROOT))
    from PIL import Image

    with Image.open(photo.thumbnail.path) as thumb:
        assert max(thumb.size) == 320
    entry = AuditEntry.objects.get(model="screening.photo")
    assert (entry.actor, entry.object_id) == (clinician, str(visit.patient_id))


def test_the_photo_is_stored_under_the_extension_of_its_real_format(clinician: Any, visit: ScreeningVisit) -> None:
    photo = services.add_photo(
        visit=visit,
        image=SimpleUploadedFile("face.jpg.html", image_bytes("PNG")),
        view="lateral",
        consent_by="Mẹ",
        acting_user=clinician,
    )
    assert photo.image.name.endswith(".png")


def test_a_file_that_is_not_an_image_is_refused_naming_the_field(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    response = upload(in_english(as_user(clinician)), visit, b"%PDF-1.4 not a photo", name="scan.jpg")

    assert response.status_code == 200
    assert list(response.context["photo_form"].errors) == ["image"]
    assert 'id="id_photo-image_error"' in response.content.decode()
    assert not Photo.objects.exists()


def test_a_photo_over_the_size_limit_is_refused_naming_the_field(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    too_big = image_bytes("PNG") + b"\0" * MAX_PHOTO_BYTES  # a real PNG, padded past 10 MB
    response = upload(in_english(as_user(clinician)), visit, too_big, name="big.png")

    assert response.status_code == 200
    errors = response.context["photo_form"].errors
    assert list(errors) == ["image"]
    assert "10 MB" in errors["image"][0]
    assert not Photo.objects.exists()


def test_the_service_refuses_a_large_or_broken_file_whoever_calls_it(clinician: Any, visit: ScreeningVisit) -> None:
    """The API stores photos through the same service as the page."""
    for content in (image_bytes("PNG") + b"\0" * MAX_PHOTO_BYTES, b"GIF89a broken", image_bytes("BMP")):
        with pytest.raises(ValidationError) as refused:
            services.add_photo(
                visit=visit,
                image=SimpleUploadedFile("x.png", content),
                view="frontal",
                consent_by="Mẹ",
                acting_user=clinician,
            )
        assert list(refused.value.message_dict) == ["image"]
    assert not Photo.objects.exists()


def test_a_photo_without_recorded_consent_is_refused(as_user: Any, clinician: Any, visit: ScreeningVisit) -> None:
    response = upload(as_user(clinician), visit, image_bytes(), **{"photo-consent_by": ""})
    assert list(response.context["photo_form"].errors) == ["consent_by"]
    with pytest.raises(ValidationError):
        services.add_photo(
            visit=visit,
            image=SimpleUploadedFile("a.jpg", image_bytes()),
            view="frontal",
            consent_by=" ",
            acting_user=clinician,
        )
    assert not Photo.objects.exists()


@pytest.mark.parametrize("persona", ["clinician", "coordinator", "admin_user"])
def test_the_photo_is_streamed_to_the_clinical_roles(
    request: pytest.FixtureRequest, as_user: Any, photo: Photo, persona: str
) -> None:
    client = as_user(request.getfixturevalue(persona))
    for size, kind in (("thumb", "image/jpeg"), ("full", "image/jpeg")):
        response = client.get(photo_url(photo, size))
        assert response.status_code == 200
        assert response["Content-Type"] == kind
        assert response["Cache-Control"] == "private, max-age=3600"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("registrar", 403), ("outsider", 403)])
def test_the_photo_is_refused_to_viewers_registrars_and_users_without_a_role(
    request: pytest.FixtureRequest, as_user: Any, photo: Photo, persona: str, status: int
) -> None:
    client = as_user(request.getfixturevalue(persona))
    assert client.get(photo_url(photo)).status_code == status
    assert client.get(photo_url(photo, "full")).status_code == status


def test_the_photo_is_not_found_for_a_clinician_of_another_mission(
    as_user: Any, photo: Photo, other_mission: Any
) -> None:
    from cleftmission.core.roles import Role, set_role
    from cleftmission.factories import MissionMemberFactory, UserFactory, VolunteerFactory

    stranger: Any = UserFactory(username="other-clinician")
    set_role(stranger, Role.CLINICIAN)
    MissionMemberFactory(mission=other_mission, volunteer=VolunteerFactory(user=stranger))
    assert as_user(stranger).get(photo_url(photo)).status_code == 404


def test_a_stranger_is_sent_to_log_in(client: Any, photo: Photo) -> None:
    response = client.get(photo_url(photo))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_photo_is_found_only_under_its_own_visit_and_size(
    as_user: Any, coordinator: Any, photo: Photo, other_child: Any, other_mission: Any
) -> None:
    other = visit_of(other_child, other_mission)
    client = as_user(coordinator)
    assert (
        client.get(reverse("screening:photo", args=[other.mission_id, other.pk, photo.pk, "thumb"])).status_code == 404
    )
    assert client.get(photo_url(photo, "huge")).status_code == 404


def test_there_is_no_public_media_url(client: Any, photo: Photo, as_user: Any, coordinator: Any) -> None:
    assert as_user(coordinator).get("/media/" + photo.image.name).status_code == 404


def test_thumbnails_show_on_the_visit_page_and_the_childs_record_for_clinicians_only(
    as_user: Any, clinician: Any, viewer: Any, registrar: Any, photo: Photo, child: Any
) -> None:
    thumb = photo_url(photo)
    assert thumb in as_user(clinician).get(photo.visit.get_absolute_url()).content.decode()
    assert thumb in as_user(clinician).get(f"/children/{child.pk}/").content.decode()
    for user in (viewer, registrar):
        client = as_user(user)
        assert thumb not in client.get(photo.visit.get_absolute_url()).content.decode()
        assert thumb not in client.get(f"/children/{child.pk}/").content.decode()


def test_the_photos_station_shows_the_photos_and_is_marked_done_with_a_note(
    as_user: Any, clinician: Any, photo: Photo
) -> None:
    client = as_user(clinician)
    url = evaluate_url(photo.visit, "photos")
    assert photo_url(photo) in client.get(url).content.decode()
    assert client.post(url, {"version": "0", "note": "4 ảnh"}).status_code == 302
    assert photo.visit.evaluations.get(station="photos").note == "4 ảnh"
