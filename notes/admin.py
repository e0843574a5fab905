"""The note admin, with publishing done as the note's edit page does it.

Talks registers the note admin, but publishing a note tells the assignees held back
while it was a draft, and turning it back into a draft keeps what was published with
it public: ``notes.services.update_note``, which talks cannot import. So this app,
above both, registers the admin again with saving through that service."""

from django.contrib import admin

from notes.services import update_note
from talks.admin import NoteAdmin
from talks.models import Note


class PublishingNoteAdmin(NoteAdmin):
    def save_model(self, request, obj: Note, form, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        update_note(note=obj, by=request.user, title=obj.title, body=obj.body, status=obj.status)


admin.site.unregister(Note)
admin.site.register(Note, PublishingNoteAdmin)
