from django.urls import path

import config.converters  # noqa: F401  (registers <id:…>)

from . import views

app_name = "quiz"
urlpatterns = [
    path("courses/<slug:course>/<slug:lesson>/quiz/", views.start, name="start"),
    path("attempts/<id:attempt_id>/<id:n>/", views.question, name="question"),
    path("attempts/<id:attempt_id>/summary/", views.summary, name="summary"),
    path("attempts/<id:attempt_id>/finish/", views.finish, name="finish"),
    path("attempts/<id:attempt_id>/results/", views.results, name="results"),
    path("attempts/<id:attempt_id>/practice/", views.practice, name="practice"),
    path("me/", views.my_learning, name="my_learning"),
    path("preview/lessons/<id:lesson_id>/", views.preview, name="preview"),
    path("preview/lessons/<id:lesson_id>/worksheet/", views.worksheet, name="worksheet"),
    path("preview/lessons/<id:lesson_id>/drafts/", views.review_drafts, name="review_drafts"),
    path(
        "preview/lessons/<id:lesson_id>/drafts/<id:question_id>/",
        views.draft_card,
        name="draft_card",
    ),
    path(
        "preview/lessons/<id:lesson_id>/drafts/<id:question_id>/edit/",
        views.edit_draft,
        name="edit_draft",
    ),
    path(
        "preview/lessons/<id:lesson_id>/answer-key/",
        views.worksheet,
        {"answers": True},
        name="answer_key",
    ),
]
