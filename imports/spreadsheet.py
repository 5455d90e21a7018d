"""Reading an uploaded CSV or XLSX file as a header row and data rows of text, streamed so a
million-row file never sits in memory as cells. Bad files raise SpreadsheetError with a message
the coordinator can act on."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal

XLSX_MAGIC = b"PK\x03\x04"


class SpreadsheetError(ValueError):
    """The file cannot be read; the message says why and what to do."""


def is_xlsx(filename: str, data: bytes) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm")) or data[:4] == XLSX_MAGIC


def read_header(filename: str, data: bytes) -> list[str]:
    """The column headers, checked: not empty, no blank or repeated header."""
    rows = iter_rows(filename, data)
    header = next(rows, None)
    if header is None or not any(cell.strip() for cell in header):
        raise SpreadsheetError("The file is empty: it has no header row.")
    while header and not header[-1].strip():
        header = header[:-1]
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        name = name.strip()
        if not name:
            raise SpreadsheetError(f"Column {index} has no header: name every column.")
        if name.lower() in seen:
            raise SpreadsheetError(f"Two columns are called “{name}”: rename one of them.")
        seen.add(name.lower())
    if next(rows, None) is None:
        raise SpreadsheetError("The file has a header row but no data rows.")
    return [name.strip() for name in header]


def iter_rows(filename: str, data: bytes) -> Iterator[list[str]]:
    """Every row (the header first) as a list of text cells."""
    if not data:
        raise SpreadsheetError("The file is empty.")
    if is_xlsx(filename, data):
        return _xlsx_rows(data)
    return _csv_rows(data)


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        # Decode the whole file up front: a wrong encoding is refused before any row is read.
        text = codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SpreadsheetError(
            f"The file is not UTF-8 text (first unreadable character on line {line}). "
            "Save it again as “CSV UTF-8” and upload that."
        ) from None
    if "\x00" in text[:4096]:
        raise SpreadsheetError("This does not look like a CSV file: upload a .csv or .xlsx.")
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return (row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row))


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise SpreadsheetError(f"This XLSX file cannot be opened ({error}).") from None
    sheet = workbook.worksheets[0]

    def rows() -> Iterator[list[str]]:
        try:
            for values in sheet.iter_rows(values_only=True):
                cells = [_cell_text(v) for v in values]
                if any(c.strip() for c in cells):
                    yield cells
        finally:
            workbook.close()

    return rows()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def estimate_rows(filename: str, data: bytes) -> int:
    """About how many data rows the file has (for the progress bar), without parsing it."""
    if is_xlsx(filename, data):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True)
            rows = workbook.worksheets[0].max_row or 1
            workbook.close()
        except Exception:
            return 1
        return max(rows - 1, 1)
    return max(data.count(b"\n") - 1 + (not data.endswith(b"\n")), 1)
