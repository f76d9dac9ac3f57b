"""A mission's team: /missions/<mission_id>/team/…"""

from django.urls import path

from cleftmission.volunteers import views_team

app_name = "team"
urlpatterns = [
    path("", views_team.roster, name="roster"),
    path("print/", views_team.roster_print, name="print"),
    path("roster.csv", views_team.roster_csv, name="csv"),
    path("roster.xlsx", views_team.roster_xlsx, name="xlsx"),
    path("add/", views_team.member_add, name="add"),
    path("members/<int:pk>/", views_team.member_edit, name="member"),
    path("members/<int:pk>/remove/", views_team.member_remove, name="remove"),
    path("propose/", views_team.propose, name="propose"),
    path("proposals/<int:pk>/accept/", views_team.proposal_accept, name="accept"),
    path("proposals/<int:pk>/reject/", views_team.proposal_reject, name="reject"),
]
