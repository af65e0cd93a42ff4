"""``?export=csv`` and ``?export=xlsx`` on the lists: the rows the list shows, streamed.

CSV is written row by row into a streaming response. XLSX is written by openpyxl in
write-only mode, which keeps rows in a temporary file rather than in memory; the finished
workbook (a zip) is sent from a temporary file in chunks.
"""

import csv
import tempfile
from datetime import datetime

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

EXPORT_FORMATS = {"csv", "xlsx"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    """A file-like object whose write() hands the line back (csv.writer writes into it)."""

    def write(self, value):
        return value


def _plain(value, kind: str, places: int):
    if value is None:
        return ""
    if kind == "money":
        return f"{value:.{places}f}"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


def csv_response(stem: str, columns, rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a byte-order mark, so spreadsheet programs read UTF-8
        yield writer.writerow([column.header for column in columns])
        for values, places in rows:
            yield writer.writerow(
                [_plain(v, c.kind, places) for v, c in zip(values, columns, strict=True)]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    return response


def xlsx_response(stem: str, columns, rows) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(stem.replace("-", " ").capitalize()[:31])
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values, places in rows:
        cells = []
        for value, column in zip(values, columns, strict=True):
            if column.kind == "money" and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0" + ("." + "0" * places if places else "")
            elif isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
                cell.number_format = "yyyy-mm-dd hh:mm"
            else:
                cell = WriteOnlyCell(sheet, value=value)
            cells.append(cell)
        sheet.append(cells)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it when sent
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=_filename(stem, "xlsx"),
        content_type=XLSX_TYPE,
    )


def export_response(export: str, stem: str, columns, rows):
    if export == "xlsx":
        return xlsx_response(stem, columns, rows)
    return csv_response(stem, columns, rows)
