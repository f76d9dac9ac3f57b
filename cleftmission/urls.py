from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cleftmission.api.urls import api
from cleftmission.core import views as core_views

admin.site.site_header = "CleftMission"

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("cleftmission.missions.urls")),
    path("", include("cleftmission.volunteers.urls")),
    path("", include("cleftmission.patients.urls")),
    path("", include("cleftmission.followup.urls")),
    path("missions/<int:mission_id>/screening/", include("cleftmission.screening.urls")),
    path("missions/<int:mission_id>/team/", include("cleftmission.volunteers.urls_team")),
    path("missions/<int:mission_id>/schedule/", include("cleftmission.scheduling.urls")),
    path("", include("cleftmission.reports.urls")),
    path("missions/<int:mission_id>/or/", include("cleftmission.surgery.urls")),
]
