"""Signals other apps listen to, so `courses` never imports them."""

from django.dispatch import Signal

# A signed-in reader opened a lesson's reading page: sent with `lesson` and `user`.
lesson_read = Signal()
