"""The date pricing depends on: AWS's extended-support calendars (RDS engines, EKS versions)
charge by how long ago standard support ended, as Infracost does with today's date.

One clock for the whole costing layer, so tests (and golden files) pin it in one place.
"""

from __future__ import annotations

import datetime


#: Replaced in tests: ``monkeypatch.setattr(calendar, "today", lambda: date(2026, 12, 1))``.
def today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()
