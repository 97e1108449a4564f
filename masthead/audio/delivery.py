"""Sending an MP3: whole, or the byte range a player asks for (so seeking works), or via the web server.

With AUDIO_SENDFILE_HEADER set, the view only decides access and names the file; nginx
(X-Accel-Redirect to an `internal` location over AUDIO_ROOT) or Apache/lighttpd (X-Sendfile)
send the bytes and answer range requests themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date, quote_etag

from masthead.audio import conf
from masthead.audio.models import ArticleNarration

BLOCK_SIZE = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class UnsatisfiableRange(Exception):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The one byte range (first, last) asked for; None to send the whole file.

    A malformed header or several ranges are answered with the whole file, as RFC 9110 allows;
    a range that starts past the end is unsatisfiable.
    """
    match = RANGE.match(header.strip().replace(" ", ""))
    if not match or (not match[1] and not match[2]):
        return None
    first, last = match[1], match[2]
    if not first:  # "bytes=-500": the last 500 bytes
        length = int(last)
        if length == 0:
            raise UnsatisfiableRange()
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size:
        raise UnsatisfiableRange()
    if end < start:
        return None
    return start, end


def read_range(path: Path, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as audio:
        audio.seek(start)
        while length > 0:
            block = audio.read(min(BLOCK_SIZE, length))
            if not block:
                return
            length -= len(block)
            yield block


def audio_response(request: HttpRequest, narration: ArticleNarration, *, private: bool) -> HttpResponse:
    """The narration's MP3 for this request: 200, 206 for a range, 416 for a range past the end."""
    path = narration.path
    if not path.exists():
        # Replaced by a newer narration between the query and now: the player asks again.
        raise Http404("This audio has just been replaced.")
    filename = f"{narration.article.slug}.mp3"
    etag = quote_etag(f"{narration.fingerprint[:16]}-{narration.tags_key[:8]}")
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=0, must-revalidate" if private else "public, max-age=3600",
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}",
        "ETag": etag,
        "Last-Modified": http_date(path.stat().st_mtime),
    }
    header = conf.sendfile_header()
    if header:
        response = HttpResponse(content_type="audio/mpeg", headers=headers)
        if header == "X-Accel-Redirect":
            response[header] = conf.sendfile_prefix().rstrip("/") + "/" + quote(narration.file_name)
        else:
            response[header] = str(path)
        return response

    size = path.stat().st_size
    asked = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range")
    if asked and (if_range is None or if_range == etag):
        try:
            byte_range = parse_range(asked, size)
        except UnsatisfiableRange:
            response = HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
            return response
        if byte_range is not None:
            start, end = byte_range
            length = end - start + 1
            response = StreamingHttpResponse(read_range(path, start, length), status=206, content_type="audio/mpeg")
            for name, value in headers.items():
                response[name] = value
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
            response["Content-Length"] = str(length)
            return response
    response = FileResponse(open(path, "rb"), content_type="audio/mpeg")  # noqa: SIM115 (closed by the response)
    for name, value in headers.items():
        response[name] = value
    return response
