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


# What a spreadsheet program saves a CSV as, when not UTF-8: Excel on Windows in Western
# Europe and the Americas (Windows-1252), in Central Europe (Windows-1250), an old Mac (Mac
# Roman), and Latin-1. charset-normalizer chooses among these; where Windows-1252 reads the
# file the same as its choice, Windows-1252 is said (the two agree on most accented letters).
LEGACY_ENCODINGS = ["cp1252", "latin_1", "cp1250", "mac_roman"]
ENCODING_NAMES = {
    "utf_8": "UTF-8",
    "utf_8_sig": "UTF-8 (with a byte-order mark)",
    "utf_16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin_1": "Latin-1 (ISO-8859-1)",
    "cp1250": "Windows-1250",
    "mac_roman": "Mac Roman",
}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# How much of the file the encoding and the delimiter are guessed from.
SAMPLE_BYTES = 64 * 1024


def decode_text(data: bytes) -> tuple[str, str]:
    """The file's text and its encoding's codec name (a key of ENCODING_NAMES): UTF-8 with or
    without a byte-order mark, UTF-16 with one, or else the legacy encoding
    charset-normalizer finds in the first SAMPLE_BYTES."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf_8_sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf_16"
    else:
        try:
            return data.decode("utf-8"), "utf_8"
        except UnicodeDecodeError:
            encoding = _legacy_encoding(data[:SAMPLE_BYTES])
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SpreadsheetError(
            f"The file was read as {ENCODING_NAMES[encoding]}, but line {line} does not fit "
            "it. Save it again as “CSV UTF-8” and upload that."
        ) from None


def _legacy_encoding(sample: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        return "latin_1"  # reads any byte: the coordinator sees the result in the dry run
    try:
        if sample.decode("cp1252") == str(best):
            return "cp1252"
    except UnicodeDecodeError:
        pass
    return best.encoding if best.encoding in ENCODING_NAMES else "latin_1"


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon, tab or pipe: what csv.Sniffer finds in the first lines, or else the
    one the header row holds most of (a comma when it holds none)."""
    sample = text[: SAMPLE_BYTES // 8]
    if "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        header = sample.split("\n", 1)[0]
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def describe(filename: str, data: bytes) -> str:
    """How the file is read, as the dry run says it: "Read as Windows-1252, separated by
    semicolons." """
    if is_xlsx(filename, data):
        return "Read as an Excel workbook (XLSX)."
    text, encoding = decode_text(data)
    name = DELIMITERS[sniff_delimiter(text)]
    return f"Read as {ENCODING_NAMES[encoding]}, {name}-separated."


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    # Decode the whole file up front: a wrong encoding is refused before any row is read.
    text, _ = decode_text(data)
    if "\x00" in text[:4096]:
        raise SpreadsheetError("This does not look like a CSV file: upload a .csv or .xlsx.")
    dialect = csv.excel()
    dialect.delimiter = sniff_delimiter(text)
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
