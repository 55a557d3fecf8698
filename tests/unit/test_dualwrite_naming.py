"""CL101 names the commit the publish fails to announce, not an incidental one.

A project is written to a temporary folder and checked whole, so calls across modules are
followed; each test reads the message of the finding at one line.
"""

from __future__ import annotations

from pathlib import Path

from consistency_lint.app.config import resolve
from consistency_lint.app.runner import run_check

DB = """
from flask_sqlalchemy import SQLAlchemy
from rq import Queue

db = SQLAlchemy()
job_queue = Queue()


class ApiEvent(db.Model):
    __tablename__ = "api_events"


class Task(db.Model):
    __tablename__ = "tasks"


class Version(db.Model):
    __tablename__ = "versions"
"""

# An event bus that persists each event (a commit of its event-log row), then enqueues.
EVENTS = """
from app.db import ApiEvent, db, job_queue


def save_event(name):
    db.session.add(ApiEvent(name=name))
    db.session.commit()


def emit(name, persist=True):
    if persist:
        save_event(name)
    job_queue.enqueue(print, name)
"""


def _findings(tmp_path: Path, services: str) -> list[tuple[int, str]]:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "db.py").write_text(DB)
    (package / "events.py").write_text(EVENTS)
    (package / "services.py").write_text(services)
    settings = resolve({}, "(test)", tmp_path)
    result = run_check([tmp_path], settings, jobs=1, cache=False)
    assert not result.errors, result.errors
    return [
        (d.line, d.message)
        for d in result.diagnostics
        if d.path.endswith("services.py") and d.code == "CL101"
    ]


def _messages(tmp_path: Path, services: str) -> dict[int, str]:
    return dict(_findings(tmp_path, services))


def _line(source: str, text: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), 1) if text in line)


def test_an_earlier_emit_s_event_row_is_not_the_commit_named(tmp_path: Path) -> None:
    source = """
from app import events
from app.db import Task, db


def update_task(task: Task):
    db.session.add(task)
    db.session.commit()
    events.emit("task:update")
    events.emit("project:update")  # the second publish
"""
    messages = _messages(tmp_path, source)
    second = messages[_line(source, "the second publish")]
    assert f"(line {_line(source, 'db.session.commit()')})" in second, second
    assert "save_event" not in second and "ApiEvent" not in second, second


def test_a_caller_s_own_commit_is_named_before_a_helper_s_event_row(tmp_path: Path) -> None:
    """The commit inside a called service (its business row, then its own emit) is named,
    not the event-log row its emit wrote."""
    source = """
from app import events
from app.db import Task, db


def save_task(task: Task):
    db.session.add(task)
    db.session.commit()
    events.emit("task:update")


def assign(task: Task):
    save_task(task)
    events.emit("assignment:new")  # after the helper
"""
    message = _messages(tmp_path, source)[_line(source, "after the helper")]
    assert f"(line {_line(source, 'db.session.commit()')}, via save_task())" in message, message


def test_when_every_commit_is_the_publish_s_own_event_row_nothing_is_reported(tmp_path: Path) -> None:
    source = """
from app import events


def announce_twice():
    events.emit("task:viewed")
    events.emit("task:seen")


def announce_then_notify():
    events.emit("task:viewed")
    notify()


def notify():
    events.emit("task:notified")
"""
    assert _messages(tmp_path, source) == {}


def test_the_commit_on_every_path_is_named_before_a_conditional_one(tmp_path: Path) -> None:
    source = """
from app.db import Task, Version, db, job_queue


def update(task: Task, versioned):
    db.session.add(task)
    db.session.commit()  # always
    if versioned:
        db.session.add(Version())
        db.session.commit()  # only when versioned
    job_queue.enqueue(print, task)  # the publish
"""
    message = _messages(tmp_path, source)[_line(source, "the publish")]
    assert f"(line {_line(source, '# always')})" in message, message


def test_a_conditional_commit_is_named_when_no_commit_dominates(tmp_path: Path) -> None:
    source = """
from app.db import Task, db, job_queue


def maybe_save(task: Task, changed):
    if changed:
        db.session.add(task)
        db.session.commit()  # only when changed
    job_queue.enqueue(print, task)  # the publish
"""
    message = _messages(tmp_path, source)[_line(source, "the publish")]
    assert f"(line {_line(source, '# only when changed')})" in message, message


def test_a_commit_after_the_join_is_nearer_than_the_dominating_one(tmp_path: Path) -> None:
    source = """
from app.db import Task, Version, db, job_queue


def update(task: Task, versioned):
    db.session.add(task)
    db.session.commit()  # first
    if versioned:
        db.session.add(Version())
        db.session.commit()  # conditional
    db.session.add(task)
    db.session.commit()  # last
    job_queue.enqueue(print, task)  # the publish
"""
    message = _messages(tmp_path, source)[_line(source, "the publish")]
    assert f"(line {_line(source, '# last')})" in message, message


def test_a_publish_in_a_loop_is_reported_once_after_the_commit_before_the_loop(tmp_path: Path) -> None:
    """The second iteration meets the publish again after the first iteration's commit: still
    one finding, naming what the first iteration follows."""
    source = """
from app.db import Task, db, job_queue


def close_all(task: Task, people):
    db.session.add(task)
    db.session.commit()  # before the loop
    for person in people:
        job_queue.enqueue(print, person)  # the publish
        db.session.add(person)
        db.session.commit()
"""
    publish = _line(source, "the publish")
    found = [message for line, message in _findings(tmp_path, source) if line == publish]
    assert len(found) == 1, found
    assert f"(line {_line(source, '# before the loop')})" in found[0], found[0]
