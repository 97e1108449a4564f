"""Sending an MP3: whole, or the byte range a player asks for (so seeking works), or via the web server.

The MP3s are in STORAGES["audio"] (on disk, or private objects in the S3 bucket). With AUDIO_SENDFILE_HEADER
set, the view only decides access and names the file; nginx (X-Accel-Redirect to an `internal` location over
AUDIO_ROOT, or over the bucket through a presigned URL) or Apache/lighttpd (X-Sendfile, disk only) send the
bytes and answer range requests themselves. Without it the app streams the file, ranges included, from either.
It never redirects a reader to a presigned bucket URL: that URL would work for anyone it is passed to until it
expires, and the bucket would have to be reachable by readers.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date, quote_etag

from masthead.audio import conf
from masthead.audio.models import ArticleNarration

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


def audio_response(request: HttpRequest, narration: ArticleNarration, *, private: bool) -> HttpResponse:
    """The narration's MP3 for this request: 200, 206 for a range, 416 for a range past the end."""
    storage = conf.audio_storage()
    header = conf.sendfile_header()
    filename = f"{narration.article.slug}.mp3"
    etag = quote_etag(f"{narration.fingerprint[:16]}-{narration.tags_key[:8]}")
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=0, must-revalidate" if private else "public, max-age=3600",
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}",
        "ETag": etag,
    }
    if header == "X-Accel-Redirect" and storage.remote:
        # No HEAD of the object first: nginx asks the bucket, whose ETag and Last-Modified judge If-Range,
        # and a file replaced meanwhile is nginx's 404 as it would be ours.
        return HttpResponse(
            content_type="audio/mpeg", headers={**headers, header: storage.accel_redirect(narration.file_name)}
        )
    found = storage.stat(narration.file_name)
    if found is None:
        # Replaced by a newer narration between the query and now: the player asks again.
        raise Http404("This audio has just been replaced.")
    headers["Last-Modified"] = http_date(found.modified.timestamp())
    if header:
        sent_by = storage.accel_redirect(narration.file_name) if header == "X-Accel-Redirect" else narration.path
        return HttpResponse(content_type="audio/mpeg", headers={**headers, header: str(sent_by)})
    try:
        return streamed(request, storage, narration.file_name, found.size, etag, headers)
    except FileNotFoundError:
        raise Http404("This audio has just been replaced.") from None


def streamed(request: HttpRequest, storage, name: str, size: int, etag: str, headers: dict) -> HttpResponse:
    """The app sends the bytes itself: the one range asked for (206), or the whole file."""
    asked = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range")
    if asked and (if_range is None or if_range == etag):
        try:
            byte_range = parse_range(asked, size)
        except UnsatisfiableRange:
            return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
        if byte_range is not None:
            start, end = byte_range
            length = end - start + 1
            response = StreamingHttpResponse(storage.stream(name, start, length), status=206, content_type="audio/mpeg")
            for key, value in headers.items():
                response[key] = value
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
            response["Content-Length"] = str(length)
            return response
    response = FileResponse(storage.open_whole(name), content_type="audio/mpeg")
    for key, value in headers.items():
        response[key] = value
    response["Content-Length"] = str(size)  # a bucket's body cannot tell FileResponse its length
    return response
