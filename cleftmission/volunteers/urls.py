from django.urls import path

from cleftmission.volunteers import views, views_me

app_name = "volunteers"
urlpatterns = [
    path("volunteers/", views.volunteer_list, name="list"),
    path("volunteers/new/", views.volunteer_edit, name="create"),
    path("volunteers/credentials/", views.credential_expiry, name="expiry"),
    path("volunteers/documents/", views.verification_queue, name="verification"),
    path("volunteers/rules/", views.team_rules, name="rules"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="detail"),
    path("volunteers/<int:pk>/edit/", views.volunteer_edit, name="edit"),
    path("volunteers/<int:volunteer_pk>/credentials/new/", views.credential_edit, name="credential_create"),
    path("volunteers/<int:volunteer_pk>/credentials/<int:pk>/edit/", views.credential_edit, name="credential_edit"),
    path(
        "volunteers/<int:volunteer_pk>/credentials/<int:pk>/delete/",
        views.credential_delete,
        name="credential_delete",
    ),
    path(
        "volunteers/<int:volunteer_pk>/credentials/<int:pk>/document/",
        views.credential_document,
        name="credential_document",
    ),
    path(
        "volunteers/<int:volunteer_pk>/credentials/<int:pk>/verify/",
        views.credential_verify,
        name="credential_verify",
    ),
    # A volunteer's own page: their record, missions, documents and availability.
    path("me/", views_me.my_page, name="me"),
    path("me/credentials/new/", views_me.my_credential_edit, name="my_credential_create"),
    path("me/credentials/<int:pk>/edit/", views_me.my_credential_edit, name="my_credential_edit"),
    path("me/unavailable/", views_me.my_unavailability, name="my_unavailability"),
    path("me/unavailable/<int:pk>/delete/", views_me.my_unavailability_delete, name="my_unavailability_delete"),
]
