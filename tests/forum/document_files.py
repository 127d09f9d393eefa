"""Documents for the extraction and quarantine tests, generated here (no fixture files): PDFs
(forum.extraction.samples writes them by hand), DOCX with python-docx, XLSX with openpyxl,
ODT as a ZIP, text in several encodings, and the hostile ones."""

import io
import zipfile

import docx
import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter

from forum.extraction.samples import pdf_bytes, pdf_from_objects

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
TXT = "text/plain; charset=utf-8"

# Synthetic, never real: a valid-looking SSN (area 805) and a case number in context.
CASE_DATA = "The obligor's SSN is 805-92-0373 and the case number is 2024-DR-004417."


def pdf(*pages: str | list[str]) -> bytes:
    return pdf_bytes(list(pages))


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages with marks but no text, as a scanner makes them."""
    return pdf_bytes([""] * pages)


def encrypted_pdf(text: str = "Secret procedure", *, user_password: str = "letmein", owner_password: str = "owner") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(text))))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-128")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def slow_pdf(operators: int = 100_000) -> bytes:
    """A small file whose one page holds hundreds of thousands of text operators: seconds of
    work for any text extractor (compressed, a few kilobytes)."""
    import zlib

    body = b"BT /F1 10 Tf 50 750 Td " + b"(ab) Tj 0.01 0 Td " * operators + b"ET"
    stream = zlib.compress(body, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_from_objects(objects)


def docx_file(*paragraphs: str, table: list[list[str]] | None = None, header: str = "") -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    if header:
        document.sections[0].header.paragraphs[0].text = header
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def xlsx_file(rows_by_sheet: dict[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in rows_by_sheet.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def odt_file(body_xml: str, *, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    content = (
        f'{prolog}<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
        f"<office:body><office:text>{body_xml}</office:text></office:body></office:document-content>"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            'manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="'
            f'{ODT}"/></manifest:manifest>',
        )
        archive.writestr("content.xml", content)
    return output.getvalue()


def zip_bomb_docx(unpacked_mb: int = 60) -> bytes:
    """A real DOCX with one extra member of `unpacked_mb` MB of zeros (a few dozen kB packed)."""
    source = zipfile.ZipFile(io.BytesIO(docx_file("Looks harmless.")))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            archive.writestr(member, source.read(member))
        with archive.open("word/media/filler.bin", "w", force_zip64=True) as bomb:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked_mb):
                bomb.write(chunk)
    return output.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
