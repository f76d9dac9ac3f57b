"""Follow-up: /follow-up/… (the programme's overdue visits, recording and planning visits),
/missions/<id>/recall/ (who to bring back to a mission) and /children/<id>/journey/."""

from django.urls import path

from cleftmission.followup import views

app_name = "followup"
urlpatterns = [
    path("follow-up/", views.overdue_list, name="overdue"),
    path("follow-up/overdue.csv", views.overdue_csv, name="overdue_csv"),
    path("follow-up/<int:pk>/", views.record_visit, name="visit"),
    path("follow-up/cases/<int:case_pk>/plan/", views.plan_visit, name="plan"),
    path("missions/<int:mission_id>/recall/", views.recall_list, name="recall"),
    path("missions/<int:mission_id>/recall.csv", views.recall_csv, name="recall_csv"),
    path("children/<int:pk>/journey/", views.journey, name="journey"),
]
