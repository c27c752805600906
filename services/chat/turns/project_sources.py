"""What a turn of a chat on a document project is given: the project's passages and, maybe, a table.

The Upload service ranks the chunks of the project's documents against the question (full-text,
scoped to the project and so to the caller's organization). The best-ranked one from a CSV or XLSX
document makes that document a SQLite table (turns/attachment_tables.py, as for an attached
spreadsheet) the engines can query with SQL.
"""

from __future__ import annotations

from services.chat.clients.upload import UploadClient
from services.chat.engines.base import Attachment, TurnContext
from services.chat.engines.passages import table_document
from services.chat.storage.project_store import ProjectStore
from services.chat.turns.attachment_tables import AttachmentTables
from services.common.database import run_sync
from services.common.jwt_tokens import Principal

PASSAGES = 8


class ProjectSources:
    def __init__(self, projects: ProjectStore, uploads: UploadClient, tables: AttachmentTables) -> None:
        self._projects = projects
        self._uploads = uploads
        self._tables = tables

    async def attach(self, who: Principal, project_id: str, context: TurnContext) -> None:
        """Give the engine the project's name, its passages best matching the question, and a table."""
        project = await run_sync(self._projects.get, who.organization_id, project_id)
        chunks = await self._uploads.project_passages(who, project.id, context.question, PASSAGES)
        context.project = project.name
        context.attachments = [Attachment(c.upload_id, c.filename, c.text, c.mime_type) for c in chunks]
        table = table_document(context.attachments)
        if table is not None:
            document = {"id": table.upload_id, "filename": table.filename, "mime_type": table.mime_type}
            context.database = await self._tables.database(who, document)
