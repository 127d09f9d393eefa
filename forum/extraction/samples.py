"""Small, valid documents written in code, for the tests and bench/guard.py: no fixture files
to check in, and no document library needed to make a PDF with real text in it."""

import io
import zlib


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(pages: list[str | list[str]], *, compress: bool = False) -> bytes:
    """A PDF with one page per item: a string (one line) or a list of lines, set in
    Helvetica. An empty string or list gives a page with no text at all, like a scan."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]  # the page tree is filled in below
    font_number = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    page_numbers = []
    for page in pages:
        lines = [page] if isinstance(page, str) else list(page)
        lines = [line for line in lines if line]
        if lines:
            commands = ["BT", "/F1 10 Tf", "12 TL", "50 750 Td"]
            for line in lines:
                commands.append(f"({_pdf_string(line)}) Tj T*")
            commands.append("ET")
            stream = "\n".join(commands).encode("cp1252", errors="replace")
        else:
            stream = b"0.9 g 50 50 500 700 re f"  # a grey box: marks on the page, no text
        if compress:
            stream = zlib.compress(stream)
            header = b"<< /Length %d /Filter /FlateDecode >>" % len(stream)
        else:
            header = b"<< /Length %d >>" % len(stream)
        objects.append(header + b"\nstream\n" + stream + b"\nendstream")
        content_number = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_number, font_number)
        )
        page_numbers.append(len(objects))
    kids = b" ".join(b"%d 0 R" % number for number in page_numbers)
    objects[1] = b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_numbers)
    return pdf_from_objects(objects)


def pdf_from_objects(objects: list[bytes]) -> bytes:
    """A PDF file of these numbered objects (1 is the catalog), with a correct cross-reference
    table."""
    output = io.BytesIO()
    output.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(output.tell())
        output.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = output.tell()
    output.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        output.write(b"%010d 00000 n \n" % offset)
    output.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return output.getvalue()


def wrap(words: list[str], width: int = 95) -> list[str]:
    """Words into lines of at most `width` characters (a page of a PDF)."""
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines
