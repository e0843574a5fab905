"""The one kind of error an import reports: what is wrong, in which file, on which line."""


class ImportProblem(ValueError):
    """Input the importer cannot read. ``str()`` names the file and the line when known:
    "notes.md, line 8: a takeaway is at most 500 characters …"."""

    def __init__(self, message: str, *, line: int | None = None, file: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.file = file

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (self.file, f"line {self.line}" if self.line else "") if part
        )
        return f"{where}: {self.message}" if where else self.message

    def in_file(self, name: str) -> "ImportProblem":
        """The same problem, naming ``name`` (kept when a file is already named)."""
        return ImportProblem(self.message, line=self.line, file=self.file or name)
