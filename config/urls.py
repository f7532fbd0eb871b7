from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Reading lessons — teachers"
admin.site.site_title = "Reading lessons admin"
admin.site.index_title = "Courses, lessons and quizzes"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("classrooms.urls")),
    path("", include("quiz.urls")),
    path("", include("courses.urls")),
]
