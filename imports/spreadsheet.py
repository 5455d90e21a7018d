"""Reading an uploaded CSV, or an XLSX, XLS or ODS workbook (with python-calamine), as a header
row and data rows of text, streamed so a million-row CSV never sits in memory as cells; blank
rows (leading ones too) are skipped. Bad files raise SpreadsheetError with a message
the coordinator can act on."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Iterator
from decimal import Decimal

XLSX_MAGIC = b"PK\x03\x04"  # a zip: XLSX and ODS
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: XLS
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
WORKBOOK_NAMES = {
    ".xlsx": "an Excel workbook (XLSX)",
    ".xlsm": "an Excel workbook (XLSM)",
    ".xls": "an Excel 97–2003 workbook (XLS)",
    ".ods": "an OpenDocument spreadsheet (ODS)",
}


class SpreadsheetError(ValueError):
    """The file cannot be read; the message says why and what to do."""


def is_workbook(filename: str, data: bytes) -> bool:
    return (
        filename.lower().endswith(WORKBOOK_EXTENSIONS)
        or data[:4] == XLSX_MAGIC
        or data[:8] == XLS_MAGIC
    )


is_xlsx = is_workbook  # the name the rest of the app used when only XLSX was read


def read_header(filename: str, data: bytes, sheet: str = "") -> list[str]:
    """The column headers, checked: not empty, no blank or repeated header."""
    rows = iter_rows(filename, data, sheet)
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


def iter_rows(filename: str, data: bytes, sheet: str = "") -> Iterator[list[str]]:
    """Every row (the header first) as a list of text cells; of a workbook, those of `sheet`
    (by default the first with data)."""
    if not data:
        raise SpreadsheetError("The file is empty.")
    if is_workbook(filename, data):
        return _workbook_rows(data, sheet)
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


def sheet_names(filename: str, data: bytes) -> tuple[list[str], str]:
    """A workbook's visible sheets and the one read by default; ([], "") for a CSV."""
    if not is_workbook(filename, data):
        return [], ""
    workbook = _open_workbook(data)
    try:
        return _visible(workbook), _pick_sheet(workbook).name
    finally:
        workbook.close()


def describe(filename: str, data: bytes, sheet: str = "") -> str:
    """How the file is read, as the dry run says it: "Read as Windows-1252, separated by
    semicolons." """
    if is_workbook(filename, data):
        extension = "." + filename.lower().rsplit(".", 1)[-1]
        kind = WORKBOOK_NAMES.get(extension, "a workbook")
        workbook = _open_workbook(data)
        try:
            names = _visible(workbook)
            chosen = _pick_sheet(workbook, sheet)
        finally:
            workbook.close()
        if len(names) <= 1:
            return f"Read as {kind}."
        others = ", ".join(f"“{n}”" for n in names if n != chosen.name)
        how = "as chosen" if sheet == chosen.name else "the first with data"
        return f"Read as {kind}, sheet “{chosen.name}”, {how} (also: {others})."
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


def _open_workbook(data: bytes):
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as error:  # zip, XML, password: CalamineError
        raise SpreadsheetError(
            f"This workbook cannot be opened ({error}). Save it again as .xlsx or .csv."
        ) from None


def _visible(workbook) -> list[str]:
    from python_calamine import SheetVisibleEnum

    return [m.name for m in workbook.sheets_metadata if m.visible == SheetVisibleEnum.Visible]


def _pick_sheet(workbook, sheet: str = ""):
    """The sheet named `sheet` when the workbook has it, else the first with data."""
    if sheet and sheet in _visible(workbook):
        return workbook.get_sheet_by_name(sheet)
    return _sheet_with_data(workbook)


def _sheet_with_data(workbook):
    """The first visible sheet with a cell in it (a workbook often opens on a blank or notes
    sheet before the list), or else the first sheet."""
    from python_calamine import SheetVisibleEnum

    first = None
    for meta in workbook.sheets_metadata:
        if meta.visible != SheetVisibleEnum.Visible:
            continue
        sheet = workbook.get_sheet_by_name(meta.name)
        first = first or sheet
        if sheet.height and any(_cell_text(v).strip() for row in sheet.iter_rows() for v in row):
            return sheet
    return first or workbook.get_sheet_by_index(0)


def _workbook_rows(data: bytes, name: str = "") -> Iterator[list[str]]:
    workbook = _open_workbook(data)
    try:
        sheet = _pick_sheet(workbook, name)
    except Exception:
        workbook.close()
        raise

    def rows() -> Iterator[list[str]]:
        try:
            for values in sheet.iter_rows():
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
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    return str(value)


def estimate_rows(filename: str, data: bytes, sheet: str = "") -> int:
    """About how many data rows the file has (for the progress bar), without parsing it."""
    if is_workbook(filename, data):
        try:
            workbook = _open_workbook(data)
            rows = _pick_sheet(workbook, sheet).height
            workbook.close()
        except Exception:
            return 1
        return max(rows - 1, 1)
    return max(data.count(b"\n") - 1 + (not data.endswith(b"\n")), 1)
