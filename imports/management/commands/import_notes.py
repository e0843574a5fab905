"""Import conference notes from Markdown or plain-text files."""

import dataclasses
import json
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from imports.importer import (
    ImportProblem,
    ParsedEvent,
    dates,
    into_event,
    read_path,
    save_parsed,
    to_json,
)
from imports.importer.read import DETECT, MARKDOWN, TEXT
from talks.models import Event


class Command(BaseCommand):
    help = (
        "Import conference notes: each PATH is one attendee's notes on one event, as "
        "Markdown (front matter optional) or plain text, UTF-8 (or UTF-16 with a byte-order "
        "mark), at most 2 MB; docs/import-format.md lists the conventions recognised. "
        "The notes become USERNAME's, published. All files are read first and written in "
        "one transaction: a problem in any of them (empty, binary, too large, not UTF-8, "
        "a URL the site refuses, a note over the site's limit) is reported with the file "
        "and line, and nothing is written. Nothing in a file's shape is refused: a missing "
        "date or name, a doubtful session or speaker, is a guess, printed on stderr as "
        'unsure (and listed under "unsure" in --json). Importing a file again updates '
        "what it wrote before (notes, takeaways, action points) instead of duplicating it; "
        "events, talks, open spaces and speakers already there are matched by name. "
        "--event attaches the notes to that event instead of the one the file describes; "
        "--date sets the event's dates. --dry-run writes nothing and prints what was "
        "detected; with --json, as JSON (an object per file, a list for several files)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", type=Path)
        parser.add_argument("--author", required=True, metavar="USERNAME")
        parser.add_argument("--event", metavar="SLUG", help="Import into this event.")
        parser.add_argument("--format", choices=[DETECT, MARKDOWN, TEXT], default=DETECT)
        parser.add_argument(
            "--date",
            metavar="DATE",
            help="The event's dates, overriding what the file says: 2026-03-23 or a "
            "range such as “23-25 March 2026”.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Write nothing.")
        parser.add_argument("--json", action="store_true", help="With --dry-run: print JSON.")

    def handle(self, *args, **options) -> None:
        if options["json"] and not options["dry_run"]:
            raise CommandError("--json prints what would be imported: use it with --dry-run.")
        started = time.perf_counter()
        try:
            documents = [read_path(path, options["format"]) for path in options["paths"]]
            dated = options["event"] is None
            parsed = [document.parse(require_date=dated) for document in documents]
        except ImportProblem as problem:
            raise CommandError(str(problem)) from None
        if options["date"]:
            parsed = [self.dated(one, options["date"]) for one in parsed]
        if options["event"] is None:
            for document, one in zip(documents, parsed, strict=True):
                for doubt in one.unsure:
                    where = f", line {doubt.line}" if doubt.line else ""
                    self.stderr.write(
                        f"{document.name}{where}: unsure: {doubt.what} “{doubt.text}”: {doubt.why}"
                    )
        author = self.author(options["author"])
        event = self.event(options["event"])
        if event is not None:
            parsed = [into_event(one, event) for one in parsed]
        if options["dry_run"]:
            self.show(documents, parsed, as_json=options["json"])
            return
        try:
            with transaction.atomic():
                summaries = [save_parsed(one, author=author, event=event) for one in parsed]
        except ImportProblem as problem:
            raise CommandError(str(problem)) from None
        for document, summary in zip(documents, summaries, strict=True):
            self.stdout.write(f"{document.name}: {summary.event}: {summary}")
        if options["verbosity"] >= 2:
            self.stdout.write(f"Took {time.perf_counter() - started:.3f} s.")

    def dated(self, parsed: ParsedEvent, text: str) -> ParsedEvent:
        """``parsed`` with the dates given on the command line (no longer unsure)."""
        found = dates.find(text)
        if found is None:
            raise CommandError(f"--date: “{text}” is not a date (write it as 2026-03-23).")
        parsed = dataclasses.replace(parsed, starts_on=found.starts_on, ends_on=found.ends_on)
        parsed.unsure = [doubt for doubt in parsed.unsure if doubt.what != "date"]
        return parsed

    def author(self, username: str):
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(
                f"No user “{username}”: --author takes the username of an existing account."
            ) from None

    def event(self, slug: str | None) -> Event | None:
        if slug is None:
            return None
        try:
            return Event.objects.get(slug=slug)
        except Event.DoesNotExist:
            raise CommandError(f"No event with the slug “{slug}”.") from None

    def show(self, documents, parsed, *, as_json: bool) -> None:
        if as_json:
            found = [to_json(one) for one in parsed]
            self.stdout.write(
                json.dumps(found[0] if len(found) == 1 else found, indent=2, ensure_ascii=False)
            )
            return
        for document, one in zip(documents, parsed, strict=True):
            when = f"{one.starts_on}" + (
                f" to {one.ends_on}" if one.ends_on != one.starts_on else ""
            )
            self.stdout.write(
                f"{document.name}: {one.name} ({when}): {len(one.talks)} talks, "
                f"{len(one.open_spaces)} open spaces, {len(one.takeaways)} takeaways, "
                f"{len(one.action_points)} action points; nothing written (dry run)"
            )
