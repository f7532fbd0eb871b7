from django.urls import path

from . import views

app_name = "classrooms"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join, name="join_code"),
]
