"""Signals other apps listen to, so `courses` never imports them."""

from django.dispatch import Signal

# A signed-in reader opened a lesson's reading page: sent with `lesson` and `user`.
lesson_read = Signal()

# A lesson's full text was saved and differs from before (the admin's paragraph edits, a
# re-import): sent with `lesson`, inside the saving transaction, after its paragraphs are stored.
lesson_text_changed = Signal()
