from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("", views.course_list, name="course_list"),
    path("courses/<slug:course>/", views.course_detail, name="course_detail"),
    path("courses/<slug:course>/<slug:lesson>/", views.lesson_detail, name="lesson_detail"),
]
