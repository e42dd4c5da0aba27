"""API: the deletion records (staff): who deleted which item when, and each object's checksum and fate."""

from __future__ import annotations

from sqlalchemy import select

from archive.api import bp
from archive.api.catalogue import page_json
from archive.auth.permissions import STAFF, require
from archive.deletions.models import Deletion
from archive.deletions.operations import deletion_json
from archive.pagination import page_number, paginate


@bp.get("/deletions")
@require(STAFF)
def list_deletions():
    """Deletion records, newest first (staff)."""
    return page_json(paginate(select(Deletion).order_by(Deletion.id.desc()), page_number()), deletion_json)
