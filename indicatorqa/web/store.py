"""Optional storage for reviewers: submissions, their findings, and reviewer decisions.

Nothing is stored unless a request asks for it (``store=true``) and the server was
started with a database (``indicatorqa serve --db URL``): an author's draft stays on
the author's side by default.

The database is SQLite by default (a file path or a ``sqlite:///…`` URL); any
SQLAlchemy URL works the same, e.g. ``postgresql+psycopg://user@host/db`` once the
driver is installed. Tables are created on first use.

A reviewer's decision on a finding (accept: the finding is right; dismiss: it is
wrong, with a reason) is training data. :func:`export_feedback` writes the decided
indicators in the ``corpus/labels`` row format, which ``indicatorqa train --extra``
folds into the labeled data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker

from ..model import Project

DEFAULT_SQLITE = "indicatorqa-review.db"
DECISIONS = ("accept", "dismiss")

# The label codes of an indicator row in corpus/labels (see corpus/LABELING.md §1.1).
INDICATOR_CODES = ("V001", "V002", "V003", "V004", "V005", "V006", "V007", "V008", "V009",
                   "N001", "N002", "N003", "N004", "N005", "N006")
_MEASURABILITY = {"V001": "vague", "V002": "label", "V003": "deferred", "V004": "pseudo"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class Base(DeclarativeBase):
    pass


class Submission(Base):
    __tablename__ = "iqa_submission"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # "json" or "upload"; the file name is the upload's display name only, never a path.
    source: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255), default="")
    # The full answer as returned to the client (SPEC JSON), so a reviewer sees what the author saw.
    report: Mapped[dict] = mapped_column(JSON)
    projects: Mapped[list[StoredProject]] = relationship(back_populates="submission", cascade="all, delete-orphan",
                                                        order_by="StoredProject.position")


class StoredProject(Base):
    __tablename__ = "iqa_project"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("iqa_submission.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text, default="")
    budget: Mapped[float | None] = mapped_column(Float, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    grade: Mapped[str | None] = mapped_column(String(4), nullable=True)
    submission: Mapped[Submission] = relationship(back_populates="projects")
    indicators: Mapped[list[StoredIndicator]] = relationship(back_populates="project", cascade="all, delete-orphan",
                                                            order_by="StoredIndicator.position")


class StoredIndicator(Base):
    __tablename__ = "iqa_indicator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("iqa_project.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    level1: Mapped[str] = mapped_column(Text, default="")
    level2: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[str] = mapped_column(Text, default="")
    # The classifier's 二级指标 at submission time: an accepted N003 needs it to say
    # where the indicator belongs (level2_canonical in the label row).
    level2_predicted: Mapped[str | None] = mapped_column(String(16), nullable=True)
    project: Mapped[StoredProject] = relationship(back_populates="indicators")


class StoredFinding(Base):
    __tablename__ = "iqa_finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("iqa_submission.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("iqa_project.id", ondelete="CASCADE"), index=True)
    # None for a project-level finding (P…).
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("iqa_indicator.id", ondelete="CASCADE"), nullable=True)
    code: Mapped[str] = mapped_column(String(8), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    decisions: Mapped[list[Decision]] = relationship(back_populates="finding", cascade="all, delete-orphan",
                                                    order_by="Decision.id")


class Decision(Base):
    __tablename__ = "iqa_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("iqa_finding.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finding: Mapped[StoredFinding] = relationship(back_populates="decisions")


def normalise_url(db_url: str | os.PathLike | None) -> str:
    """A SQLAlchemy URL from a URL or a plain file path (plain paths mean SQLite)."""
    if db_url is None or str(db_url) == "":
        db_url = DEFAULT_SQLITE
    text = str(db_url)
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().resolve())


class Store:
    """Sessions on one database; safe to share between request threads."""

    def __init__(self, db_url: str | os.PathLike | None = None) -> None:
        self.url = normalise_url(db_url)
        kwargs = {}
        if self.url.startswith("sqlite"):
            # Request handlers run in a thread pool; each session still gets its own connection.
            kwargs["connect_args"] = {"check_same_thread": False}
            path = self.url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(self.url, **kwargs)
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    # --- writing ------------------------------------------------------------------------
    def save(
        self,
        projects: Iterable[Project],
        report: dict,
        source: str,
        filename: str = "",
        predict_level2: Callable[[object], str | None] | None = None,
    ) -> int:
        """Store one checked submission; returns its id."""
        with self.sessions.begin() as s:
            sub = Submission(source=source, filename=filename[:255], report=report)
            s.add(sub)
            s.flush()
            for p_pos, project in enumerate(projects):
                sp = StoredProject(submission_id=sub.id, position=p_pos, unit=project.unit, name=project.name,
                                   budget=project.budget, score=project.score, grade=project.grade)
                s.add(sp)
                s.flush()
                for f in project.findings:
                    s.add(_finding(sub.id, sp.id, None, f))
                for i_pos, ind in enumerate(project.indicators):
                    predicted = predict_level2(ind) if predict_level2 else None
                    si = StoredIndicator(project_id=sp.id, position=i_pos, level1=ind.level1, level2=ind.level2,
                                         name=ind.name, description=ind.description, value=ind.value,
                                         level2_predicted=predicted)
                    s.add(si)
                    s.flush()
                    for f in ind.findings:
                        s.add(_finding(sub.id, sp.id, si.id, f))
            return sub.id

    def decide(self, finding_id: int, decision: str, reason: str = "", reviewer: str = "") -> dict | None:
        """Record a decision; the latest decision on a finding is the one that counts."""
        if decision not in DECISIONS:
            raise ValueError(decision)
        with self.sessions.begin() as s:
            finding = s.get(StoredFinding, finding_id)
            if finding is None:
                return None
            d = Decision(finding_id=finding_id, decision=decision, reason=reason, reviewer=reviewer)
            s.add(d)
            s.flush()
            return {"id": d.id, "finding_id": finding_id, "decision": decision, "reason": reason,
                    "reviewer": reviewer, "created_at": d.created_at.isoformat()}

    # --- reading ------------------------------------------------------------------------
    def list_submissions(self, limit: int = 100) -> list[dict]:
        with self.sessions() as s:
            rows = s.scalars(select(Submission).order_by(Submission.id.desc()).limit(limit)).all()
            return [
                {"id": r.id, "created_at": r.created_at.isoformat(), "source": r.source, "filename": r.filename,
                 "projects": [{"name": p.name, "unit": p.unit, "score": p.score, "grade": p.grade} for p in r.projects]}
                for r in rows
            ]

    def submission(self, submission_id: int) -> dict | None:
        with self.sessions() as s:
            sub = s.get(Submission, submission_id)
            if sub is None:
                return None
            findings = s.scalars(
                select(StoredFinding).where(StoredFinding.submission_id == submission_id).order_by(StoredFinding.id)
            ).all()
            positions = {p.id: p.position for p in sub.projects}
            ind_pos = {i.id: i.position for p in sub.projects for i in p.indicators}
            out = []
            for f in findings:
                latest = f.decisions[-1] if f.decisions else None
                out.append({
                    "id": f.id, "project": positions.get(f.project_id),
                    "indicator": ind_pos.get(f.indicator_id) if f.indicator_id else None,
                    "code": f.code, "slug": f.slug, "severity": f.severity, "message": f.message,
                    "evidence": f.evidence or [], "confidence": f.confidence,
                    "decision": None if latest is None else {
                        "decision": latest.decision, "reason": latest.reason, "reviewer": latest.reviewer,
                        "created_at": latest.created_at.isoformat()},
                })
            return {"id": sub.id, "created_at": sub.created_at.isoformat(), "source": sub.source,
                    "filename": sub.filename, "report": sub.report, "findings": out}

    # --- feedback -----------------------------------------------------------------------
    def feedback_rows(self) -> list[dict]:
        """Decided indicators as corpus/labels indicator rows (see :func:`export_feedback`)."""
        from ..levels import canonical_level2

        rows = []
        with self.sessions() as s:
            decided = s.scalars(
                select(StoredIndicator).where(
                    StoredIndicator.id.in_(
                        select(StoredFinding.indicator_id).join(Decision, Decision.finding_id == StoredFinding.id)
                    )
                ).order_by(StoredIndicator.id)
            ).all()
            for ind in decided:
                findings = s.scalars(select(StoredFinding).where(StoredFinding.indicator_id == ind.id)).all()
                row = _label_row(ind, findings, canonical_level2(ind.level2))
                if row is not None:
                    rows.append(row)
        return rows


def _finding(submission_id: int, project_id: int, indicator_id: int | None, f) -> StoredFinding:
    return StoredFinding(submission_id=submission_id, project_id=project_id, indicator_id=indicator_id, code=f.code,
                         slug=f.slug, severity=f.severity, message=f.message, evidence=list(f.evidence),
                         confidence=f.confidence)


def _label_row(ind: StoredIndicator, findings: list[StoredFinding], written: str | None) -> dict | None:
    """One labeled row, or None when the row cannot be labeled consistently.

    Bits the reviewer decided are the reviewer's (dismissed → 0, accepted → 1); bits
    nobody decided keep the engine's verdict at submission time, because the row is
    only usable for training with all its labels set. The note lists which bits a
    reviewer decided, so a later audit can tell the two apart.
    """
    if written is None:
        # corpus/labels requires the written 二级指标 to name a canonical level (N003 is defined by it).
        return None
    labels = {code: 0 for code in INDICATOR_CODES}
    for f in findings:
        if f.code in labels:
            labels[f.code] = 1
    decided: dict[str, tuple[str, str]] = {}
    for f in findings:
        if f.code in labels and f.decisions:
            latest = f.decisions[-1]
            decided[f.code] = (latest.decision, latest.reason)
    if not decided:
        return None
    for code, (decision, _reason) in decided.items():
        labels[code] = 1 if decision == "accept" else 0
    # V001–V004 are one class (measurability): an accepted one excludes the others.
    accepted_meas = [c for c in _MEASURABILITY if decided.get(c, ("",))[0] == "accept"]
    if len(accepted_meas) > 1:
        return None  # the reviewer accepted two contradictory classes; nothing consistent to learn
    if accepted_meas:
        for c in _MEASURABILITY:
            labels[c] = int(c == accepted_meas[0])
    meas_set = [c for c in _MEASURABILITY if labels[c]]
    if len(meas_set) > 1:
        return None
    measurability = _MEASURABILITY[meas_set[0]] if meas_set else "ok"
    # N003 ⇔ the true level differs from the written one.
    if labels["N003"]:
        canonical = ind.level2_predicted
        if not canonical or canonical == written:
            return None  # an accepted N003 without a different predicted level says nowhere to move it
    else:
        canonical = written
    parts = []
    for code in sorted(decided):
        decision, reason = decided[code]
        word = "accepted" if decision == "accept" else "dismissed"
        parts.append(f"{code} {word} by reviewer" + (f": {reason}" if reason else ""))
    undecided = sorted(c for c in INDICATOR_CODES if labels[c] and c not in decided)
    if undecided:
        parts.append("engine verdict kept for " + ", ".join(undecided))
    project = ind.project
    return {
        "doc": "feedback",
        "table": project.id,
        "project": project.name,
        "row": ind.position + 1,
        "level1": ind.level1,
        "level2": ind.level2,
        "name": ind.name,
        "description": ind.description,
        "value": ind.value,
        "labels": labels,
        "measurability": measurability,
        "level2_canonical": canonical,
        "note": "; ".join(parts),
        "kind": "indicator",
        "source": "feedback",
        "submission": project.submission_id,
    }


def export_feedback(db_url: str | os.PathLike | None, out_jsonl: str | os.PathLike) -> int:
    """Write reviewer-decided indicators as labeled rows (corpus/labels format); returns the count.

    ``indicatorqa train --extra OUT.jsonl`` (or ``train --feedback DB``) trains on them.
    Written atomically: a temp file next to the target, then renamed.
    """
    url = normalise_url(db_url)
    path = url.split("///", 1)[1] if url.startswith("sqlite:///") else ""
    if path and path != ":memory:" and not Path(path).is_file():
        # Opening would create an empty database and export nothing: a typo must not pass silently.
        from ..errors import InputError

        raise InputError(f"审核数据库不存在：{path}（应为 indicatorqa serve --db 使用的数据库）")
    store = Store(url)
    try:
        rows = store.feedback_rows()
    finally:
        store.close()
    target = Path(out_jsonl)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(rows)
