"""Administrative and organisational units, as a tree of any depth.

Province → district → commune today, but since the 2025 reorganisation many
provinces have no district level, and contests also list agencies (police,
military, border guard). So depth is data, never a column per level. `path`
("/1/7/42/") makes "this unit and everything below it" one indexed prefix
match, which is how organizers' scopes and per-unit statistics are queried.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base, UTCDateTime, utcnow


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # A short word for the level as people say it: "Tỉnh", "Huyện", "Xã", "Cơ quan".
    kind: Mapped[str] = mapped_column(String(40), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Indexed for prefix matches (LIKE '/1/7/%'); on PostgreSQL that needs the
    # pattern operator class unless the database collation is C.
    path: Mapped[str] = mapped_column(String(400), default="/")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Population or membership, for participation rates (optional).
    population: Mapped[int | None] = mapped_column(Integer)
    # A unit merged away (2025 reorganisation) keeps its id so past results
    # stay attached; new entrants pick the unit it was merged into.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_units_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
    )

    parent: Mapped[Unit | None] = relationship(
        remote_side="Unit.id", foreign_keys=[parent_id], lazy="joined", join_depth=1
    )

    def place_under(self, parent: Unit | None) -> None:
        """Set parent, depth and path; the id must already be assigned (flush first)."""
        if self.id is None:
            raise ValueError("flush the unit before placing it in the tree")
        self.parent = parent
        self.parent_id = parent.id if parent else None
        self.depth = parent.depth + 1 if parent else 0
        self.path = f"{parent.path if parent else '/'}{self.id}/"

    def is_within(self, ancestor_path: str) -> bool:
        return self.path.startswith(ancestor_path)

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"
