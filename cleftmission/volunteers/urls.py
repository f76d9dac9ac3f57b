from django.urls import path

from cleftmission.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("volunteers/", views.volunteer_list, name="list"),
    path("volunteers/new/", views.volunteer_edit, name="create"),
    path("volunteers/credentials/", views.credential_expiry, name="expiry"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="detail"),
    path("volunteers/<int:pk>/edit/", views.volunteer_edit, name="edit"),
    path("volunteers/<int:volunteer_pk>/credentials/new/", views.credential_edit, name="credential_create"),
    path("volunteers/<int:volunteer_pk>/credentials/<int:pk>/edit/", views.credential_edit, name="credential_edit"),
    path(
        "volunteers/<int:volunteer_pk>/credentials/<int:pk>/delete/",
        views.credential_delete,
        name="credential_delete",
    ),
]
