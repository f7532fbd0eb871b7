from django.urls import path

from . import views

app_name = "quiz"
urlpatterns = [
    path("courses/<slug:course>/<slug:lesson>/quiz/", views.start, name="start"),
    path("attempts/<int:attempt_id>/<int:n>/", views.question, name="question"),
    path("attempts/<int:attempt_id>/summary/", views.summary, name="summary"),
    path("attempts/<int:attempt_id>/finish/", views.finish, name="finish"),
    path("attempts/<int:attempt_id>/results/", views.results, name="results"),
    path("attempts/<int:attempt_id>/practice/", views.practice, name="practice"),
    path("me/", views.my_learning, name="my_learning"),
    path("preview/lessons/<int:lesson_id>/", views.preview, name="preview"),
    path("preview/lessons/<int:lesson_id>/worksheet/", views.worksheet, name="worksheet"),
    path("preview/lessons/<int:lesson_id>/drafts/", views.review_drafts, name="review_drafts"),
    path(
        "preview/lessons/<int:lesson_id>/drafts/<int:question_id>/",
        views.draft_card,
        name="draft_card",
    ),
    path(
        "preview/lessons/<int:lesson_id>/drafts/<int:question_id>/edit/",
        views.edit_draft,
        name="edit_draft",
    ),
    path(
        "preview/lessons/<int:lesson_id>/answer-key/",
        views.worksheet,
        {"answers": True},
        name="answer_key",
    ),
]
