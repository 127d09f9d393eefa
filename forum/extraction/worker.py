"""The child process that reads one untrusted file: `python -I worker.py`, a JSON request on
stdin ({"path", "kind", "limits"}), one JSON result on stdout ({"status", "text", "message",
"pages", "truncated"}).

It runs with no Django, no database, no secrets in its environment and no project code on its
path (-I), and it caps its own memory and CPU before it opens anything. The parent
(forum/extraction/__init__.py) adds the wall-clock timeout, so however a file misbehaves
(a loop, a bomb, a parser bug) the cost is bounded and only this process dies.

Self-contained on purpose: the standard library plus the parsing libraries, nothing else.
"""

import json
import resource
import sys
import zipfile

DONE, NO_TEXT, FAILED = "done", "no_text", "failed"

DAMAGED = "The file looks damaged, so its text could not be read. Open it, save it again and attach the new copy."
NO_TEXT_MESSAGE = "No text found — is this a scanned image? Search cannot read it."
PASSWORD = (
    "The PDF is password-protected, so its text cannot be read and search cannot find it. "
    "Remove the password and attach it again."
)
ZIP_PASSWORD = "The document is password-protected, so its text cannot be read. Remove the password and attach it again."
ZIP_BOMB = (
    "The document would unpack to far more than its size (a “zip bomb”), so it was not opened. "
    "Save it again from your word processor or spreadsheet and attach the new copy."
)
TOO_MUCH_MEMORY = "Reading the file needed too much memory, so it was stopped. Search cannot read this file."


class Refused(Exception):
    """The file cannot be read; the message says why, in plain words."""


class Output:
    """Collects text up to a limit; `full` says the limit was reached."""

    def __init__(self, max_chars: int):
        self.parts: list[str] = []
        self.length = 0
        self.max_chars = max_chars
        self.full = False

    def add(self, text: str) -> None:
        if self.full or not text:
            return
        room = self.max_chars - self.length
        if len(text) >= room:
            text, self.full = text[:room], True
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)


def set_limits(limits: dict) -> None:
    memory = int(limits["MEMORY_MB"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = max(1, int(float(limits["TIMEOUT_SECONDS"]) + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # The child never writes files (stdout is a pipe, which this does not limit).
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


# --- ZIP containers (DOCX, XLSX, ODT), checked before any library opens them ----------------


def check_zip(path: str, limits: dict) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise Refused(DAMAGED) from None
    if len(members) > limits["ZIP_MAX_MEMBERS"]:
        raise Refused(ZIP_BOMB)
    if any(member.flag_bits & 0x1 for member in members):
        raise Refused(ZIP_PASSWORD)
    ratio = limits["ZIP_MAX_RATIO"]
    total = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members)
    if total > limits["ZIP_MAX_BYTES"] or total > ratio * max(compressed, 1):
        raise Refused(ZIP_BOMB)
    # One huge member hidden among ordinary ones. (zipfile never unpacks more than a member
    # declares, so the declared sizes bound what the libraries can be made to read.)
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > ratio * max(member.compress_size, 1):
            raise Refused(ZIP_BOMB)


# --- One reader per kind -----------------------------------------------------------------------------


def read_pdf(path: str, limits: dict) -> dict:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    output = Output(limits["MAX_TEXT_CHARS"])
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            # A PDF with only an owner password (printing or copying restricted) opens with
            # an empty user password; one that needs a password to open cannot be read.
            try:
                opened = reader.decrypt("")
            except Exception:  # unsupported or broken encryption: unreadable either way
                opened = 0
            if not opened:
                raise Refused(PASSWORD)
        page_count = len(reader.pages)
        wanted = min(page_count, limits["MAX_PAGES"])
        read = 0
        for number in range(wanted):
            page_text = reader.pages[number].extract_text() or ""
            read += 1
            if page_text.strip():
                output.add(page_text.strip() + "\n\n")
            if output.full:
                break
    except FileNotDecryptedError:
        raise Refused(PASSWORD) from None
    except (Refused, MemoryError):
        raise
    except Exception:  # a parser error of any kind on untrusted bytes means "damaged"
        raise Refused(DAMAGED) from None
    text = output.text().strip()
    message = ""
    if output.full:
        message = f"The document is long: only its first {len(text):,} characters can be searched."
    elif page_count > wanted:
        message = f"The document has {page_count:,} pages: only the first {wanted:,} can be searched."
    if not text:
        return {"status": NO_TEXT, "text": "", "message": NO_TEXT_MESSAGE, "pages": read}
    return {"status": DONE, "text": text, "message": message, "pages": read,
            "truncated": bool(message)}


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _word_paragraphs(element):
    for paragraph in element.iter(W + "p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == W + "t" and node.text:
                parts.append(node.text)
            elif node.tag == W + "tab":
                parts.append("\t")
            elif node.tag in (W + "br", W + "cr"):
                parts.append("\n")
        yield "".join(parts)


def read_docx(path: str, limits: dict) -> dict:
    check_zip(path, limits)
    import docx

    output = Output(limits["MAX_TEXT_CHARS"])
    try:
        document = docx.Document(path)
        # The body in reading order (paragraphs, and tables' paragraphs where they stand),
        # then headers and footers once each.
        for paragraph in _word_paragraphs(document.element.body):
            output.add(paragraph + "\n")
            if output.full:
                break
        seen = set()
        for section in document.sections:
            for part in (section.header, section.footer):
                if output.full or part.is_linked_to_previous:
                    continue
                for paragraph in _word_paragraphs(part._element):
                    if paragraph.strip() and paragraph not in seen:
                        seen.add(paragraph)
                        output.add(paragraph + "\n")
    except (Refused, MemoryError):
        raise
    except Exception:
        raise Refused(DAMAGED) from None
    return _result(output, "document")


TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
ODT_BLOCKS = {TEXT_NS + "p", TEXT_NS + "h"}


def _odt_text(element, output: Output) -> None:
    """Depth-first, without recursion (a deeply nested file must not blow the stack)."""
    stack = [(element, False)]
    while stack and not output.full:
        node, closing = stack.pop()
        if closing:
            if node.tag in ODT_BLOCKS:
                output.add("\n")
            if node.tail:
                output.add(node.tail)
            continue
        tag = node.tag
        if tag == TEXT_NS + "s":
            try:
                spaces = min(int(node.get(TEXT_NS + "c", "1")), 100)
            except ValueError:
                spaces = 1
            output.add(" " * max(spaces, 1))
        elif tag == TEXT_NS + "tab":
            output.add("\t")
        elif tag == TEXT_NS + "line-break":
            output.add("\n")
        elif node.text:
            output.add(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node)))


def read_odt(path: str, limits: dict) -> dict:
    check_zip(path, limits)
    from defusedxml import ElementTree

    output = Output(limits["MAX_TEXT_CHARS"])
    try:
        with zipfile.ZipFile(path) as archive:
            content = archive.read("content.xml")
        root = ElementTree.fromstring(content)
        body = root.find("{urn:oasis:names:tc:opendocument:xmlns:office:1.0}body")
        _odt_text(body if body is not None else root, output)
    except (Refused, MemoryError):
        raise
    except Exception:  # includes defusedxml's refusals of entities and external references
        raise Refused(DAMAGED) from None
    return _result(output, "document")


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(path: str, limits: dict) -> dict:
    check_zip(path, limits)
    import openpyxl

    output = Output(limits["MAX_TEXT_CHARS"])
    cells_left = limits["MAX_CELLS"]
    sheets_read = 0
    cut = False
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        try:
            sheets = workbook.worksheets
            for sheet in sheets[: limits["MAX_SHEETS"]]:
                sheets_read += 1
                output.add(f"{sheet.title}\n")
                for row in sheet.iter_rows(values_only=True):
                    cells_left -= len(row)  # empty cells count too: they cost time to walk
                    values = [_cell_text(value) for value in row if value is not None and value != ""]
                    if values:
                        output.add("\t".join(values) + "\n")
                    if cells_left <= 0 or output.full:
                        cut = True
                        break
                if cut:
                    break
                output.add("\n")
            cut = cut or len(sheets) > limits["MAX_SHEETS"]
        finally:
            workbook.close()
    except (Refused, MemoryError):
        raise
    except Exception:
        raise Refused(DAMAGED) from None
    result = _result(output, "workbook")
    result["pages"] = sheets_read
    if cut and result["status"] == DONE and not result["message"]:
        result["message"] = "The workbook is large: only its first part can be searched."
        result["truncated"] = True
    return result


def read_txt(path: str, limits: dict) -> dict:
    with open(path, "rb") as handle:
        raw = handle.read(limits["MAX_INPUT_BYTES"] + 1)
    text = decode_text(raw[: limits["MAX_INPUT_BYTES"]])
    if text is None:
        raise Refused("The file is not readable text in any encoding Comity knows.")
    output = Output(limits["MAX_TEXT_CHARS"])
    output.add(text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""))
    return _result(output, "file")


BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode_text(raw: bytes) -> str | None:
    """UTF-8 or a BOM's encoding when they fit; otherwise charset-normalizer's best guess
    (Windows-1252, Latin-1 and the like)."""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                break
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Windows-1252 first: what older Windows software in U.S. agencies writes. Short texts
    # fit several single-byte encodings about as well, and a guess of Baltic or Central
    # European would garble every accented letter; a file that reads badly as Windows-1252
    # (chaos above charset-normalizer's threshold) goes to full detection.
    best = from_bytes(raw, cp_isolation=["cp1252"]).best() or from_bytes(raw).best()
    return str(best) if best is not None else None


def _result(output: Output, noun: str) -> dict:
    text = output.text().strip()
    if not text:
        return {"status": NO_TEXT, "text": "", "message": f"No text found in the {noun}. Search cannot read it.",
                "pages": None}
    message = f"The {noun} is long: only its first {len(text):,} characters can be searched." if output.full else ""
    return {"status": DONE, "text": text, "message": message, "pages": None, "truncated": output.full}


READERS = {"pdf": read_pdf, "docx": read_docx, "odt": read_odt, "xlsx": read_xlsx, "txt": read_txt}


def run(request: dict) -> dict:
    limits = request["limits"]
    try:
        return READERS[request["kind"]](request["path"], limits)
    except Refused as refused:
        return {"status": FAILED, "text": "", "message": str(refused), "pages": None}
    except MemoryError:
        return {"status": FAILED, "text": "", "message": TOO_MUCH_MEMORY, "pages": None}
    except RecursionError:
        return {"status": FAILED, "text": "", "message": DAMAGED, "pages": None}
    except OSError:
        return {"status": FAILED, "text": "", "message": "The stored file could not be opened.", "pages": None}


def main() -> None:
    request = json.loads(sys.stdin.buffer.read(1024 * 1024))
    set_limits(request["limits"])
    result = run(request)
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=True).encode("ascii"))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
