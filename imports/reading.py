"""Reading an uploaded spreadsheet into a header and rows, refusing what is not one.

The content decides the format, never the file name: an XLSX workbook starts with a zip
signature, anything else must be UTF-8 (or UTF-16 with a byte-order mark) CSV text. Nothing
here touches the database, so oversized or binary files are refused before any query runs.

Reading is bounded before it is done: the upload's size before a byte is read, a workbook's
inflated size from its zip directory before anything is inflated, and rows and columns while
rows are read (reading stops at the first row beyond the limit). The API's bulk measurement
upload reads its file here too, and its JSON list into the same kind of table (``records_table``).
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 50
# A workbook is a zip of XML files: bounds on what it unpacks to, read from the zip's directory.
MAX_XLSX_MEMBERS = 200
MAX_XLSX_MEMBER_BYTES = 48 * 1024 * 1024
MAX_XLSX_INFLATED_BYTES = 64 * 1024 * 1024
MAX_XLSX_RATIO = 100  # inflated / compressed size; spreadsheets' XML is typically 5-20

XLSX_SIGNATURE = b"PK\x03\x04"
LEGACY_XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Bytes that never occur in a text file (tab, line feed and carriage return are allowed).
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


# What spreadsheets write for "no value": never a value, and never stored as one.
NO_VALUE_MARKS = frozenset({"n/a", "na", "n.a.", "-", "–", "—", "none", "null", "nan", "missing", "?", "x"})


def read_number(text: str) -> Decimal:
    """A cell's number (spaces allowed as thousands separators); ValueError saying why otherwise.
    Values are numbers only: a "no value" mark such as "N/A" or "-" is refused with what to do
    instead, so it is never read as a value."""
    if text.strip().lower() in NO_VALUE_MARKS:
        raise ValueError(f"“{text}” is not a number: leave the cell empty when there is no value.")
    try:
        value = Decimal(text.replace(" ", ""))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValueError(f"“{text}” is not a number.")
    return value


# Dates as spreadsheets write them: ISO (a workbook's date cell reads 2010-07-01T00:00:00) or US.
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


def read_date(text: str) -> date:
    """A cell's date, YYYY-MM-DD or M/D/YYYY (a workbook's date cell at midnight too); ValueError
    saying how to write it otherwise."""
    day = text.strip()
    if len(day) > 10 and day[10] in "T " and not day[11:].strip("0:"):
        day = day[:10]
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(day, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date: write it as YYYY-MM-DD, e.g. 2010-07-01.")


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells); the header is row 1
    header_row: int | None = 1  # None: the header is no row of the input (a JSON list's keys)


def upload_bytes(upload) -> bytes:
    """The content of an uploaded file, refused from its size before any of it is read."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImportFileError(too_big_message(upload.size))
    return upload.read()


def read_table(data: bytes, max_rows: int | None = None) -> Table:
    max_rows = max_rows or MAX_ROWS
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(too_big_message(len(data)))
    if data.startswith(XLSX_SIGNATURE):
        records = _xlsx_records(data, max_rows)
    elif data.startswith(LEGACY_XLS_SIGNATURE):
        raise ImportFileError("This is an old Excel 97-2003 (.xls) file. Save it as .xlsx or CSV and upload it again.")
    else:
        records = _csv_records(_decode(data))
    return _table(records, max_rows)


def too_big_message(size: int) -> str:
    return (
        f"The file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB. "
        "Split it into smaller files."
    )


def _decode(data: bytes) -> str:
    if data.startswith(UTF16_BOMS):  # Excel's "Unicode text"; checked below like any other text
        try:
            data = data.decode("utf-16").encode()
        except UnicodeDecodeError as error:
            raise ImportFileError("The file starts like UTF-16 text but cannot be read as such.") from error
    if CONTROL_BYTES.search(data):
        raise ImportFileError("This is not a CSV or Excel file (it holds binary data). Upload a .csv or .xlsx file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            f"The file is not UTF-8 text: byte 0x{data[error.start]:02x} on line {line} cannot be read. "
            "In your spreadsheet, save it as “CSV UTF-8” and upload it again."
        ) from error


def _csv_records(text: str):
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:
        raise ImportFileError(f"Line {reader.line_num} is not valid CSV: {error}.") from error


UNREADABLE_WORKBOOK = "This is not a readable Excel workbook. Upload a .xlsx or .csv file."


def _check_inflated_size(data: bytes) -> None:
    """Refuse a workbook that would unpack to too much, from the zip's central directory alone.
    The declared sizes are binding: zipfile never inflates a member beyond its declared size (a
    member that holds more fails its CRC check), so this bounds what openpyxl reads."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ImportFileError(UNREADABLE_WORKBOOK) from error
    inflated = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members)
    if (
        len(members) > MAX_XLSX_MEMBERS
        or any(member.file_size > MAX_XLSX_MEMBER_BYTES for member in members)
        or inflated > MAX_XLSX_INFLATED_BYTES
        or inflated > MAX_XLSX_RATIO * max(compressed, 1024)
    ):
        raise ImportFileError(
            f"This workbook unpacks to {inflated / 1024 / 1024:.0f} MB, more than a spreadsheet of "
            f"{MAX_ROWS:,} rows needs. Save it as CSV, or split it, and upload it again."
        )


def _xlsx_records(data: bytes, max_rows: int):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_inflated_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise ImportFileError(UNREADABLE_WORKBOOK) from error
    try:
        sheet = workbook.worksheets[0]
        declared_rows = sheet.max_row or 0
        if declared_rows > max_rows + 1:
            raise ImportFileError(too_many_rows_message(max_rows))
        # Explicit bounds: openpyxl pads every row to max_col and fills row gaps up to max_row,
        # so neither the declared dimensions nor a far-away cell decide how much is produced.
        rows = sheet.iter_rows(max_row=max_rows + 2, max_col=MAX_COLUMNS + 1, values_only=True)
        for number, row in enumerate(rows, start=1):
            if number > max_rows + 1:
                raise ImportFileError(too_many_rows_message(max_rows))
            if any(value is not None for value in row[MAX_COLUMNS:]):
                raise ImportFileError(f"Row {number} has more than {MAX_COLUMNS} columns.")
            cells = list(row[:MAX_COLUMNS])
            while cells and cells[-1] is None:
                cells.pop()
            yield [_cell_text(value) for value in cells]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def too_many_rows_message(max_rows: int = MAX_ROWS) -> str:
    return f"The file has more than {max_rows:,} rows; split it into files of at most {max_rows:,} rows."


def _table(records, max_rows: int) -> Table:
    header = None
    rows = []
    for number, cells in enumerate(records, start=1):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, e.g. trailing rows of a spreadsheet
        if header is None:
            header = cells
            continue
        if len(rows) == max_rows:
            raise ImportFileError(too_many_rows_message(max_rows))
        rows.append((number, cells))
    if header is None:
        raise ImportFileError("The file is empty.")
    if not rows:
        raise ImportFileError("The file has a header row but no data rows.")
    return Table(header=header, rows=rows)


def records_table(records) -> Table:
    """A JSON list of objects as a table: their keys (in order of first use) are the header, the
    n-th object is row n, and each value is a cell's text (numbers as written, null as blank).
    Bounded like a file: at most ``MAX_ROWS`` rows and ``MAX_COLUMNS`` columns."""
    if not isinstance(records, list):
        raise ImportFileError("Send a JSON list of objects (a CSV or Excel file goes to bulk-upload/).")
    if not records:
        raise ImportFileError("The list is empty.")
    if len(records) > MAX_ROWS:
        raise ImportFileError(too_many_rows_message())
    header: dict[str, None] = {}
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise ImportFileError(f"Item {number} of the list is not an object of column names and values.")
        header.update(dict.fromkeys(record))
        if len(header) > MAX_COLUMNS:
            raise ImportFileError(f"The objects have more than {MAX_COLUMNS} different keys.")
    rows = []
    for number, record in enumerate(records, start=1):
        cells = []
        for name in header:
            value = record.get(name)
            if isinstance(value, dict | list):
                raise ImportFileError(f"Item {number}: “{name}” holds a list or object; give a single value.")
            cells.append(_json_cell_text(value))
        rows.append((number, cells))
    return Table(header=list(header), rows=rows, header_row=None)


def _json_cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)
