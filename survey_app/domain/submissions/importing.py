"""Importing responses from a CSV file (as Excel saves it): all checked first, then all or nothing.

One row per response: ``unit_code``, ``channel``, ``respondent_type``, ``field``,
``submitted_at``, one column per item code (1..5, ``NA`` or empty), ``comment``; optional
``gender``, ``age_band``, ``submission_mode`` and ``key``. Codes are those of METHODOLOGY §2.3;
the exact Vietnamese label of a choice is accepted too.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter as Tally
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from questionnaires import NOT_APPLICABLE, Instrument, ProfileQuestion

from ...database import write_transaction
from ...errors import DomainError
from ...extensions import db
from ...models import Campaign, CampaignUnit, Channel, Response, Unit, User, utcnow
from ...support.dates import local_date, parse_when
from ...support.text import clean_text, fold
from ..audit import audit
from ..campaigns.instruments import campaign_blocks, instrument_of
from .responses import COMMENT, PROFILE_COLUMNS, Submission, build_response, check_submission

BOM = b"\xef\xbb\xbf"
REQUIRED = ("unit_code", "respondent_type", "submitted_at")
OPTIONAL = ("channel", "field", "gender", "age_band", "submission_mode", "comment", "key")
KEY_PREFIX = "imp:"
MAX_KEY = 48
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class ImportProblem:
    """One problem in the file, located by line (as Excel numbers them) and column."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"Dòng {self.line}" if self.line else "", f"cột {self.column}"
                 if self.column else ""]
        prefix = ", ".join(part for part in where if part)
        return f"{prefix}: {self.message}" if prefix else self.message


class ImportRejected(DomainError):
    """The file was refused; nothing was imported. ``problems`` lists every reason."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__(f"Tệp bị từ chối, không phiếu nào được nhập ({len(problems)} lỗi).")


@dataclass
class ImportResult:
    imported: int = 0
    already_present: int = 0
    invalid: int = 0


@dataclass
class _Row:
    line: int
    key: str
    unit: Unit
    channel: Channel
    submitted_at: datetime
    submission: Submission


def import_responses(campaign: Campaign, data: bytes, *, source: str,
                     user: User | None = None) -> ImportResult:
    """Check the whole file, then store every new row in one transaction."""
    version = campaign.instrument_version
    instrument = instrument_of(version)
    text = decode_csv(data)
    rows = _Parser(campaign, instrument).parse(text)
    existing = _existing_digests([row.key for row in rows])
    conflicts = [ImportProblem(row.line, "key", "phiếu có khóa này đã được nhập trước đây với "
                               "nội dung khác") for row in rows
                 if row.key in existing and existing[row.key] != row.submission.digest()]
    if conflicts:
        raise ImportRejected(conflicts)
    result = ImportResult(already_present=sum(1 for row in rows if row.key in existing))
    with write_transaction() as session:
        present = set(_existing_digests([row.key for row in rows]))
        for row in rows:
            if row.key in present:
                continue
            response = build_response(campaign=campaign, unit=row.unit, version=version,
                                      instrument=instrument, submission=row.submission,
                                      key=row.key, channel=row.channel,
                                      submitted_at=row.submitted_at,
                                      entered_by_id=user.id if user else None)
            session.add(response)
            result.imported += 1
            result.invalid += response.status == "invalid"
        audit.record("responses.import", object_type="campaign", object_id=campaign.code,
                     after={"file": source, "imported": result.imported,
                            "already_present": result.already_present,
                            "invalid": result.invalid}, user=user)
    return result


def decode_csv(data: bytes, rejected: type[ImportRejected] = ImportRejected) -> str:
    """A CSV file's text, as Excel saves it (UTF-8, with or without BOM); other encodings are
    refused with the line where decoding failed."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise rejected([ImportProblem(line, None, "tệp không phải UTF-8. Trong Excel hãy "
                                      "lưu bằng “CSV UTF-8 (Comma delimited)”.")]) from exc


def csv_rows(text: str):
    """A CSV reader over ``text``, separated by commas or, as Excel saves it where the list
    separator is ";" (a Vietnamese regional setting), by semicolons: the header line decides."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _existing_digests(keys: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        query = select(Response.submission_key, Response.payload_digest).where(
            Response.submission_key.in_(chunk))
        found.update((key, digest) for key, digest in db.session.execute(query))
    return found


class _Parser:
    """Reads and checks every row, collecting all problems before deciding."""

    def __init__(self, campaign: Campaign, instrument: Instrument):
        self.campaign = campaign
        self.instrument = instrument
        self.blocks = campaign_blocks(campaign)
        self.items = instrument.items_for(self.blocks)
        self.profile = {q.code: q for q in instrument.profile if q.kind == "choice"}
        self.problems: list[ImportProblem] = []
        taking_part = select(Unit).join(CampaignUnit, CampaignUnit.unit_id == Unit.id).where(
            CampaignUnit.campaign_id == campaign.id)
        self.units = {unit.code: unit for unit in db.session.scalars(taking_part)}
        self.now = utcnow()
        self.explicit_keys: dict[str, int] = {}
        self.derived_seen: Tally[str] = Tally()

    def problem(self, line: int | None, column: str | None, message: str) -> None:
        self.problems.append(ImportProblem(line, column, message))

    def parse(self, text: str) -> list[_Row]:
        reader = csv_rows(text)
        rows: list[_Row] = []
        try:
            header = self._header(next(reader, None))
            line = reader.line_num + 1
            for record in reader:
                if any(cell.strip() for cell in record):
                    row = self._row(line, header, record)
                    if row is not None:
                        rows.append(row)
                line = reader.line_num + 1
                if len(self.problems) >= MAX_PROBLEMS:
                    break
        except csv.Error as exc:
            self.problem(reader.line_num or 1, None, f"không đọc được dòng này ({exc}).")
        if not rows and not self.problems:
            self.problem(None, None, "tệp không có phiếu nào.")
        if self.problems:
            raise ImportRejected(self.problems)
        return rows

    def _header(self, header: list[str] | None) -> list[str]:
        if not header:
            raise ImportRejected([ImportProblem(1, None, "tệp trống.")])
        names = [clean_text(name).lower() for name in header]
        known = set(REQUIRED) | set(OPTIONAL) | {item.code for item in self.items}
        for name, count in Tally(names).items():
            if count > 1:
                self.problem(1, name, "cột bị lặp lại.")
            if name not in known:
                self.problem(1, name or "(trống)", "cột không có trong phiếu của đợt khảo sát "
                                                   "này.")
        for name in [*REQUIRED, *(item.code for item in self.instrument.rating_items)]:
            if name not in names:
                self.problem(1, name, "thiếu cột bắt buộc.")
        if self.problems:
            raise ImportRejected(self.problems)
        return names

    def _row(self, line: int, header: list[str], record: list[str]) -> _Row | None:
        if len(record) != len(header):
            self.problem(line, None, f"có {len(record)} ô nhưng tiêu đề có {len(header)} cột.")
            return None
        cells = {name: clean_text(value) for name, value in zip(header, record, strict=True)}
        before = len(self.problems)
        unit = self._unit(line, cells["unit_code"])
        channel = self._channel(line, cells.get("channel", ""))
        submitted_at = self._when(line, cells["submitted_at"])
        answers = self._answers(line, cells)
        profile = self._profile(line, cells)
        submission = Submission(answers=answers, profile=profile, comment=cells.get(COMMENT, ""))
        for problem in check_submission(self.instrument, self.blocks,
                                        submission, unit):
            self.problem(line, problem.field, problem.message)
        if len(self.problems) > before or unit is None or submitted_at is None:
            return None
        key = self._key(line, cells.get("key", ""), unit, channel, submitted_at, submission)
        return _Row(line, key, unit, channel, submitted_at, submission) if key else None

    def _unit(self, line: int, code: str) -> Unit | None:
        unit = self.units.get(code)
        if unit is None:
            self.problem(line, "unit_code", f"đơn vị “{code}” không tham gia đợt khảo sát "
                                            f"“{self.campaign.code}”." if code else
                                            "thiếu mã đơn vị.")
        return unit

    def _channel(self, line: int, raw: str) -> Channel:
        if not raw:
            return Channel.IMPORT
        try:
            return Channel(raw.lower())
        except ValueError:
            self.problem(line, "channel", f"kênh “{raw}” không hợp lệ (qr, kiosk, paper, "
                                          "import, odk).")
            return Channel.IMPORT

    def _when(self, line: int, raw: str) -> datetime | None:
        when = parse_when(raw)
        if when is None:
            self.problem(line, "submitted_at", f"ngày giờ “{raw}” không đọc được (dùng "
                                               "dd/mm/yyyy [HH:MM] hoặc ISO 8601).")
            return None
        day = local_date(when)
        start, end = self.campaign.starts_on, self.campaign.deadline
        if when > self.now + timedelta(minutes=5):
            self.problem(line, "submitted_at", "ngày giờ ở tương lai.")
        elif not start <= day <= end:
            self.problem(line, "submitted_at", f"ngày {day:%d/%m/%Y} nằm ngoài thời gian "
                                               f"khảo sát ({start:%d/%m/%Y}–{end:%d/%m/%Y}).")
        return when

    def _answers(self, line: int, cells: dict[str, str]) -> dict[str, int]:
        answers: dict[str, int] = {}
        for item in self.items:
            raw = cells.get(item.code, "")
            if not raw:
                continue
            if raw.upper() == "NA" and item.scale.not_applicable:
                answers[item.code] = NOT_APPLICABLE
            elif raw.isascii() and raw.isdigit() and int(raw) in item.scale.values:
                answers[item.code] = int(raw)
            else:
                choices = f"{item.scale.values[0]}–{item.scale.values[-1]}"
                extra = ", NA" if item.scale.not_applicable else ""
                self.problem(line, item.code, f"giá trị “{raw}” không hợp lệ (chỉ nhận "
                                              f"{choices}{extra} hoặc để trống).")
        return answers

    def _profile(self, line: int, cells: dict[str, str]) -> dict[str, str]:
        profile: dict[str, str] = {}
        for code in PROFILE_COLUMNS:
            raw = cells.get(code, "")
            question = self.profile.get(code)
            if not raw or question is None:
                continue
            choice = _choice(question, raw)
            if choice is None:
                codes = ", ".join(question.option_codes())
                self.problem(line, code, f"“{raw}” không phải một lựa chọn của “{question.label}"
                                         f"” (mã: {codes}; hoặc đúng nhãn tiếng Việt).")
            else:
                profile[code] = choice
        return profile

    def _key(self, line: int, raw: str, unit: Unit, channel: Channel, when: datetime,
             submission: Submission) -> str | None:
        if raw:
            if len(raw) > MAX_KEY or not raw.isascii() or not all(
                    ch.isalnum() or ch in "._-" for ch in raw):
                self.problem(line, "key", f"khóa tối đa {MAX_KEY} ký tự, chỉ gồm chữ, số, "
                                          "“.”, “_”, “-”.")
                return None
            if raw in self.explicit_keys:
                self.problem(line, "key", f"khóa trùng với dòng {self.explicit_keys[raw]}.")
                return None
            self.explicit_keys[raw] = line
            return KEY_PREFIX + raw
        # Identical rows are distinct people who answered alike: numbering the occurrences
        # gives each a stable key, so importing the same file again adds nothing.
        content = "|".join([self.campaign.code, unit.code, channel.value, when.isoformat(),
                            submission.digest()])
        occurrence = self.derived_seen[content]
        self.derived_seen[content] += 1
        digest = hashlib.sha256(f"{content}#{occurrence}".encode()).hexdigest()
        return KEY_PREFIX + digest[:32]


def _choice(question: ProfileQuestion, raw: str) -> str | None:
    for option in question.options:
        if raw == option.value or fold(raw) == fold(option.label):
            return str(option.value)
    return None
