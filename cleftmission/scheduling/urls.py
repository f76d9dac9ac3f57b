"""The operating schedule: /missions/<mission_id>/schedule/…"""

from cleftmission.scheduling import views

app_name = "scheduling"
urlpatterns = views.urlpatterns
