from django.urls import path

from cleftmission.patients import views

app_name = "patients"
urlpatterns = [
    path("children/", views.patient_list, name="list"),
    path("children/new/", views.patient_create, name="create"),
    path("children/<int:pk>/", views.patient_detail, name="detail"),
    path("children/<int:pk>/edit/", views.patient_edit, name="edit"),
]
