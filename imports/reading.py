"""Reading an uploaded spreadsheet into a header and rows, refusing what is not one.

The content decides the format, never the file name: an XLSX workbook starts with a zip
signature, anything else must be UTF-8 (or UTF-16 with a byte-order mark) CSV text. Nothing
here touches the database, so oversized or binary files are refused before any query runs.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000

XLSX_SIGNATURE = b"PK\x03\x04"
LEGACY_XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Bytes that never occur in a text file (tab, line feed and carriage return are allowed).
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells); the header is row 1


def read_table(data: bytes) -> Table:
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(too_big_message(len(data)))
    if data.startswith(XLSX_SIGNATURE):
        records = _xlsx_records(data)
    elif data.startswith(LEGACY_XLS_SIGNATURE):
        raise ImportFileError("This is an old Excel 97-2003 (.xls) file. Save it as .xlsx or CSV and upload it again.")
    else:
        records = _csv_records(_decode(data))
    return _table(records)


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


def _xlsx_records(data: bytes):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise ImportFileError("This is not a readable Excel workbook. Upload a .xlsx or .csv file.") from error
    try:
        sheet = workbook.worksheets[0]
        declared_rows = sheet.max_row or 0
        if declared_rows > MAX_ROWS + 1:
            raise ImportFileError(too_many_rows_message())
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
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


def too_many_rows_message() -> str:
    return f"The file has more than {MAX_ROWS:,} rows; split it into files of at most {MAX_ROWS:,} rows."


def _table(records) -> Table:
    header = None
    rows = []
    for number, cells in enumerate(records, start=1):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, e.g. trailing rows of a spreadsheet
        if header is None:
            header = cells
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(too_many_rows_message())
        rows.append((number, cells))
    if header is None:
        raise ImportFileError("The file is empty.")
    if not rows:
        raise ImportFileError("The file has a header row but no data rows.")
    return Table(header=header, rows=rows)
