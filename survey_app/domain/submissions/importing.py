"""Importing responses from a CSV file or an Excel workbook: all checked first, then all or nothing.

The file is told apart by its content (an .xlsx is a ZIP package: ``spreadsheet.py`` reads
its first sheet without running any formula), then every row goes through the same checks.
``check_import`` runs them and writes nothing (the web page's preview); ``import_responses``
stores every new row in one transaction (the web's confirmation and ``flask
import-responses``), reporting how far it is through ``progress``.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from questionnaires import NOT_APPLICABLE, Instrument, ProfileQuestion

from ...database import write_transaction
from ...errors import DomainError
from ...extensions import db
from ...models import (
    Campaign,
    CampaignState,
    CampaignUnit,
    Channel,
    Response,
    ResponseStatus,
    Unit,
    User,
    utcnow,
)
from ...support.dates import local_date, parse_when
from ...support.text import clean_text, fold
from ..audit import audit
from ..campaigns.instruments import campaign_blocks, instrument_of
from . import spreadsheet
from .responses import (
    COMMENT,
    PROFILE_COLUMNS,
    Submission,
    answer_values,
    check_submission,
    insert_answers,
    rated_count,
    required_rated,
    response_values,
)

BOM = b"\xef\xbb\xbf"
REQUIRED = ("unit_code", "respondent_type", "submitted_at")
OPTIONAL = ("channel", "field", "gender", "age_band", "submission_mode", "comment", "key")
KEY_PREFIX = "imp:"
MAX_KEY = 48
MAX_PROBLEMS = 200
#: Rows stored (and progress reported) at a time, all inside the one transaction.
CHUNK = 500
#: Rows shown in the preview.
SAMPLE_ROWS = 10

#: ``progress(stage, done, total)``: stage ``"check"`` (rows read and checked) or ``"store"``
#: (new rows written); called every ``CHUNK`` rows and at the end of each stage.
Progress = Callable[[str, int, int], None]


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


class CampaignFrozen(DomainError):
    """The campaign's results are approved: its responses never change again."""

    def __init__(self) -> None:
        super().__init__("Kết quả của đợt khảo sát này đã được phê duyệt; không nhập thêm phiếu "
                         "được nữa.")


@dataclass
class ImportResult:
    imported: int = 0
    already_present: int = 0
    invalid: int = 0


@dataclass
class UnitCount:
    """What a file brings to one unit: rows new to the database, rows already there."""

    code: str
    name: str
    new: int = 0
    present: int = 0


@dataclass
class SampleRow:
    """One of the first rows of the file, as the preview shows it."""

    line: int
    unit: str
    channel: str
    respondent_type: str
    submitted_at: datetime
    rated: int
    comment: str
    present: bool


@dataclass
class ImportPreview:
    """What importing the file would do, worked out without writing anything."""

    format: str
    rows: int = 0
    new: int = 0
    already_present: int = 0
    invalid: int = 0
    units: list[UnitCount] = field(default_factory=list)
    sample: list[SampleRow] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    key: str
    unit: Unit
    channel: Channel
    submitted_at: datetime
    submission: Submission


def check_import(campaign: Campaign, data: bytes) -> ImportPreview:
    """Every check ``import_responses`` makes, and what it would store; writes nothing.

    Raises ``ImportRejected`` (every problem) or ``CampaignFrozen``.
    """
    instrument = instrument_of(campaign.instrument_version)
    file_format, rows, existing = _checked(campaign, instrument, data, None)
    needed = required_rated(instrument, campaign.valid_threshold)
    preview = ImportPreview(format=file_format, rows=len(rows))
    units: dict[str, UnitCount] = {}
    for row in rows:
        present = row.key in existing
        count = units.setdefault(row.unit.code, UnitCount(row.unit.code, row.unit.name))
        if present:
            count.present += 1
            preview.already_present += 1
        else:
            count.new += 1
            preview.new += 1
            preview.invalid += rated_count(instrument, row.submission.answers) < needed
        if len(preview.sample) < SAMPLE_ROWS:
            preview.sample.append(SampleRow(
                line=row.line, unit=row.unit.name, channel=row.channel.label,
                respondent_type=_choice_label(instrument, "respondent_type",
                                              row.submission.profile.get("respondent_type")),
                submitted_at=row.submitted_at,
                rated=rated_count(instrument, row.submission.answers),
                comment=row.submission.comment, present=present))
    preview.units = sorted(units.values(), key=lambda count: count.name)
    return preview


def import_responses(campaign: Campaign, data: bytes, *, source: str,
                     user: User | None = None, progress: Progress | None = None
                     ) -> ImportResult:
    """Check the whole file, then store every new row in one transaction.

    The rows are written ``CHUNK`` at a time (``progress`` told after each), all inside one
    transaction: a failure or a crash part-way leaves nothing of the file stored.
    """
    version = campaign.instrument_version
    instrument = instrument_of(version)
    _format, rows, existing = _checked(campaign, instrument, data, progress)
    result = ImportResult(already_present=sum(1 for row in rows if row.key in existing))
    with write_transaction() as session:
        # Locked as approval locks it: an import and an approval never interleave.
        state = session.scalar(select(Campaign.state).where(Campaign.id == campaign.id)
                               .with_for_update())
        if state == CampaignState.APPROVED:
            raise CampaignFrozen()
        present = set(_existing_digests([row.key for row in rows]))
        new_rows = [row for row in rows if row.key not in present]
        result.already_present = len(rows) - len(new_rows)
        if progress:
            progress("store", 0, len(new_rows))
        for start in range(0, len(new_rows), CHUNK):
            chunk = new_rows[start:start + CHUNK]
            # Plain multi-row inserts (no ORM object per row and answer): the same columns
            # build_response gives, several times less CPU (docs/benchmarks.md).
            values = [response_values(campaign=campaign, unit=row.unit, version=version,
                                      instrument=instrument, submission=row.submission,
                                      key=row.key, channel=row.channel,
                                      submitted_at=row.submitted_at,
                                      entered_by_id=user.id if user else None)
                      for row in chunk]
            responses = Response.__table__
            ids = session.scalars(insert(responses).returning(
                responses.c.id, sort_by_parameter_order=True), values).all()
            insert_answers(session, ((response_id, code, value)
                                     for response_id, row in zip(ids, chunk, strict=True)
                                     for code, value in answer_values(row.submission)))
            result.imported += len(chunk)
            result.invalid += sum(1 for row in values if row["status"] is ResponseStatus.INVALID)
            if progress:
                progress("store", result.imported, len(new_rows))
        audit.record("responses.import", object_type="campaign", object_id=campaign.code,
                     after={"file": source, "imported": result.imported,
                            "already_present": result.already_present,
                            "invalid": result.invalid}, user=user)
    return result


def _checked(campaign: Campaign, instrument: Instrument, data: bytes,
             progress: Progress | None) -> tuple[str, list[_Row], dict[str, str]]:
    """The file's format, its rows once every one is checked, and the keys already stored."""
    if campaign.frozen:
        raise CampaignFrozen()
    file_format, records, problems = read_table(data)
    rows = _Parser(campaign, instrument).parse(records, problems, progress)
    existing = _existing_digests([row.key for row in rows])
    conflicts = [ImportProblem(row.line, "key", "phiếu có khóa này đã được nhập trước đây với "
                               "nội dung khác") for row in rows
                 if row.key in existing and existing[row.key] != row.submission.digest()]
    if conflicts:
        raise ImportRejected(conflicts)
    return file_format, rows, existing


Records = list[tuple[int, list[str]]]


def read_table(data: bytes) -> tuple[str, Records, list[ImportProblem]]:
    """The file's format (``"xlsx"`` or ``"csv"``, by content), its rows by line as the person
    sees them (Excel's row number; the CSV's line), and the cells that could not be read."""
    if spreadsheet.is_legacy_workbook(data):
        raise ImportRejected([ImportProblem(None, None, "tệp Excel 97–2003 (.xls) hoặc tệp Excel "
                                            "có mật khẩu không đọc được. Trong Excel hãy bỏ mật "
                                            "khẩu và lưu dạng “Excel Workbook (.xlsx)” hoặc “CSV "
                                            "UTF-8 (Comma delimited)”.")])
    if spreadsheet.is_workbook(data):
        try:
            sheet = spreadsheet.read_workbook(data)
        except spreadsheet.UnreadableWorkbook as exc:
            raise ImportRejected([ImportProblem(None, None, str(exc))]) from exc
        return "xlsx", sheet.rows, [ImportProblem(*problem) for problem in sheet.problems]
    records, problems = csv_records(decode_csv(data))
    return "csv", records, problems


def csv_records(text: str) -> tuple[Records, list[ImportProblem]]:
    """Every record of a CSV text with the line it starts on; a record that cannot be read
    ends the reading with a problem at its line."""
    reader = csv_rows(text)
    records: Records = []
    line = 1
    try:
        for record in reader:
            records.append((line, record))
            line = reader.line_num + 1
    except csv.Error as exc:
        return records, [ImportProblem(reader.line_num or 1, None,
                                       f"không đọc được dòng này ({exc}).")]
    return records, []


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

    def parse(self, records: Records, problems: list[ImportProblem],
              progress: Progress | None = None) -> list[_Row]:
        rows: list[_Row] = []
        header = self._header(records[0][1] if records else None)
        self.problems.extend(problems)
        body = records[1:]
        for number, (line, record) in enumerate(body, start=1):
            if any(cell.strip() for cell in record):
                row = self._row(line, header, record)
                if row is not None:
                    rows.append(row)
            if len(self.problems) >= MAX_PROBLEMS:
                break
            if progress and number % CHUNK == 0:
                progress("check", number, len(body))
        if progress:
            progress("check", len(body), len(body))
        if not rows and not self.problems:
            self.problem(None, None, "tệp không có phiếu nào.")
        if self.problems:
            self.problems.sort(key=lambda problem: problem.line or 0)
            raise ImportRejected(self.problems[:MAX_PROBLEMS])
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


def _choice_label(instrument: Instrument, code: str, value: str | None) -> str:
    question = next((q for q in instrument.profile if q.code == code), None)
    return question.label_for(value) if question is not None and value else (value or "")


def _choice(question: ProfileQuestion, raw: str) -> str | None:
    for option in question.options:
        if raw == option.value or fold(raw) == fold(option.label):
            return str(option.value)
    return None
