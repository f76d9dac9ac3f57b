from django.urls import path

from cleftmission.missions import views

app_name = "missions"
urlpatterns = [
    path("missions/", views.mission_list, name="list"),
    path("missions/new/", views.mission_edit, name="create"),
    path("missions/<int:pk>/", views.mission_detail, name="detail"),
    path("missions/<int:pk>/edit/", views.mission_edit, name="edit"),
    path("sites/", views.site_list, name="sites"),
    path("sites/new/", views.site_edit, name="site_create"),
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
]
