"""The workshops' pages, under `/learning/`."""

from django.urls import path

from mutua.learning import views

urlpatterns = [
    path("", views.programs, name="learning-programs"),
    path("mine/", views.mine, name="learning-mine"),
    path("calendar/", views.calendar, name="learning-calendar"),
    path("programs/<uuid:program_id>/", views.program, name="learning-program"),
    path("sessions/<uuid:session_id>/", views.session, name="learning-session"),
    path("sessions/<uuid:session_id>/attendance/", views.attendance, name="learning-attendance"),
    path("feed/<str:token>/mine.ics", views.feed_mine, name="learning-feed-mine"),
    path("feed/<str:token>/community.ics", views.feed_community, name="learning-feed-community"),
]
