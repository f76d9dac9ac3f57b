"""The mission report (/missions/<mission_id>/report/…) and the planning times (/planning/times/)."""

from cleftmission.reports import views

app_name = "reports"
urlpatterns = views.urlpatterns
