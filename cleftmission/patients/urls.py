from django.urls import path

from cleftmission.patients import views, views_merge

app_name = "patients"
urlpatterns = [
    path("children/", views.patient_list, name="list"),
    path("children/new/", views.patient_create, name="create"),
    path("children/<int:pk>/", views.patient_detail, name="detail"),
    path("children/<int:pk>/edit/", views.patient_edit, name="edit"),
    path("children/<int:pk>/merge/", views_merge.merge_search, name="merge"),
    path("children/<int:pk>/merge/<int:other_pk>/", views_merge.merge_confirm, name="merge_confirm"),
    path("children/<int:pk>/merge/undo/", views_merge.merge_undo, name="merge_undo"),
]
