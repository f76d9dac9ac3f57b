"""Screening-day pages, all inside a mission: /missions/<mission_id>/screening/…"""

from django.urls import URLPattern

from cleftmission.screening import views_board, views_intake, views_stations

app_name = "screening"
urlpatterns: list[URLPattern] = [
    *views_intake.urlpatterns,
    *views_stations.urlpatterns,
    *views_board.urlpatterns,
]
