"""The operating days: /missions/<mission_id>/or/… (the OR board, each case's page)."""

from django.urls import URLPattern, path

from cleftmission.surgery import views, views_case

app_name = "surgery"
urlpatterns: list[URLPattern] = [
    path("", views.board, name="board"),
    path("cases/<int:pk>/stamp/", views.stamp, name="stamp"),
    path("cases/<int:pk>/undo/", views.undo, name="undo"),
    *views_case.urlpatterns,
]
