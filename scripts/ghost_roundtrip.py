"""Fill a fresh Ghost through its Admin API, export it, and keep the export without its secrets (issue 15).

Run by scripts/ghost-roundtrip.sh against a Ghost it started (nothing else may be on that Ghost): makes the
owner through the setup API, a second staff user through an invitation, an Admin API key (a custom
integration) and, with its JWT, the posts, tags, pictures and members a magazine would have; then downloads
the content export (GET /ghost/api/admin/db/) and the members CSV, blanks every password hash, key and
secret, checks that none is left, and writes them with the uploaded pictures to the output folder.

    .venv/bin/python scripts/ghost_roundtrip.py --url http://127.0.0.1:2368 --content /tmp/ghost/content \
        --out tests/migration/exports/real-ghost-5.130.4

Standard library and Pillow only (the project's .venv has both). Not run by CI.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import hmac
import http.cookiejar
import io
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from PIL import Image, ImageDraw

OWNER = {"name": "Ada Okafor", "email": "ada@harbour-review.example", "password": "round-trip-owner-2026"}
WRITER = {"name": "Ben Mensah", "email": "ben@harbour-review.example", "password": "round-trip-writer-2026"}
# Settings whose values are secrets or keys; Ghost's exporter already leaves out Stripe's (SETTING_KEYS_BLOCKLIST).
SECRET_SETTING = re.compile(r"(secret|private_key|public_key|_key$|token|hash|password|session)", re.IGNORECASE)
BCRYPT = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")


class Ghost:
    """A Ghost Admin API client: a staff session first, then an Admin API key's JWT, as integrations use."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.admin_key = ""

    def token(self) -> str:
        """A five-minute JWT signed with the Admin API key (Ghost's documented staff-less authentication)."""
        key_id, secret = self.admin_key.split(":")
        now = int(time.time())

        def part(value: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()

        header, claims = {"alg": "HS256", "typ": "JWT", "kid": key_id}, {"iat": now, "exp": now + 300, "aud": "/admin/"}
        signing_input = f"{part(header)}.{part(claims)}"
        signature = hmac.new(bytes.fromhex(secret), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"

    def call(self, method: str, path: str, body=None, *, raw: bytes | None = None, content_type: str = "",
             staff: bool = False):  # fmt: skip
        """One Admin API request; `staff` uses the owner's session (Ghost refuses integrations some of users/)."""
        headers = {"Origin": self.url, "Accept-Version": "v5.0"}
        if self.admin_key and not staff:
            headers["Authorization"] = f"Ghost {self.token()}"
        data = raw
        if body is not None:
            data, content_type = json.dumps(body).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        address = f"{self.url}/ghost/api/admin/{path}"  # the operator's --url, http(s) only
        if not address.startswith(("http://", "https://")):
            sys.exit(f"{address}: not an http(s) address")
        request = urllib.request.Request(address, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:  # noqa: S310 (checked above)
                payload = response.read()
                kind = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            sys.exit(f"{method} {path}: {error.code} {error.read().decode(errors='replace')[:600]}")
        return json.loads(payload) if "json" in kind and payload else payload

    def upload_image(self, name: str, picture: bytes, ref: str) -> str:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode(),
            picture,
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="ref"\r\n\r\n{ref}\r\n'.encode(),
            f"--{boundary}--\r\n".encode(),
        ]
        form = f"multipart/form-data; boundary={boundary}"
        answer = self.call("POST", "images/upload/", raw=b"".join(parts), content_type=form)
        return answer["images"][0]["url"]


def jpeg(colour: str, words: str, size=(640, 400)) -> bytes:
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).text((20, 20), words, fill="white")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def text(words: str, fmt: int = 0) -> dict:
    return {
        "detail": 0,
        "format": fmt,
        "mode": "normal",
        "style": "",
        "text": words,
        "type": "extended-text",
        "version": 1,
    }


def paragraph(*children: dict) -> dict:
    return {
        "children": list(children),
        "direction": "ltr",
        "format": "",
        "indent": 0,
        "type": "paragraph",
        "version": 1,
    }


def lexical(*nodes: dict) -> str:
    root = {"children": list(nodes), "direction": "ltr", "format": "", "indent": 0, "type": "root", "version": 1}
    return json.dumps({"root": root})


BUDGET_HTML = """
<p>The council voted <strong>nine to four</strong> on Tuesday night, and <em>every</em> library stays open.
Read <a href="https://example.org/budget.pdf">the whole budget</a> before Friday.</p>
<h2>What changed</h2>
<p>Three lines moved more than the rest:</p>
<ul><li>Parks: up 3%</li><li>Roads: down 2%<ul><li>Resurfacing, postponed</li></ul></li>
<li>Libraries: unchanged</li></ul>
<h3>How they voted</h3>
<ol><li>Motion read</li><li>Amendment refused</li><li>Budget passed</li></ol>
<blockquote>We will not close a single branch.</blockquote>
<p>The mayor spoke last, and briefly.</p>
"""

TREASURY_HTML = """
<p>The first paragraph anyone may read about the treasury, written by two of us.</p>
<p>Behind the second door, <strong>the vault is empty</strong>, and has been since March.</p>
<p>The auditors' letter says so in <em>three</em> places.</p>
"""

LETTER_HTML = """
<p>Dear members, the autumn reading at the harbour hall is already sold out.</p>
<p>We kept twenty seats for you: reply to this letter before Sunday.</p>
"""

SUPPORTERS_HTML = "<p>For our supporters only: the winter issue's cover, a month early.</p>"

DRAFT_HTML = "<p>Next week the council meets again; this draft is not finished.</p>"

SCHEDULED_HTML = "<p>The spring issue goes out in March; Ghost will publish this post then.</p>"

ABOUT_HTML = "<p>The Harbour Review has been published since 1998.</p>"


def fill(ghost: Ghost, content: Path) -> dict:
    """Make the owner, a writer, tags, pictures, posts and members; returns what was made, for the summary."""
    ghost.call("POST", "authentication/setup/", {"setup": [{**OWNER, "blogTitle": "The Harbour Review"}]})
    ghost.call("POST", "session/", {"username": OWNER["email"], "password": OWNER["password"]})
    integration = ghost.call("POST", "integrations/?include=api_keys", {"integrations": [{"name": "Round trip"}]})
    admin_key = next(k for k in integration["integrations"][0]["api_keys"] if k["type"] == "admin")
    # Ghost 5's Admin API gives an admin key's secret as "id:secret", the form its settings page shows.
    secret = admin_key["secret"]
    ghost.admin_key = secret if ":" in secret else f"{admin_key['id']}:{secret}"

    roles = ghost.call("GET", "roles/?permissions=assign")["roles"]
    author_role = next(role["id"] for role in roles if role["name"] == "Author")
    ghost.call("POST", "invites/", {"invites": [{"email": WRITER["email"], "role_id": author_role}]})
    # The invitation's token is e-mailed; this Ghost's mail is a stub, so it is read from the database.
    raw = mysql("SELECT token FROM invites WHERE email = ?", WRITER["email"])
    token = raw.replace("+", "-").replace("/", "_").rstrip("=")
    ghost.call("POST", "authentication/invitation/", {"invitation": [{"token": token, **WRITER}]})

    users = {u["email"]: u for u in ghost.call("GET", "users/?limit=all")["users"]}
    ada, ben = users[OWNER["email"]], users[WRITER["email"]]
    portrait = ghost.upload_image("ada-okafor.jpg", jpeg("sienna", "Ada", (200, 200)), "ada-okafor.jpg")
    ada_profile = {"bio": "Ada covers the <b>council</b> and its money.", "profile_image": portrait}
    ghost.call("PUT", f"users/{ada['id']}/", {"users": [ada_profile]}, staff=True)
    ghost.call(
        "PUT", f"users/{ben['id']}/", {"users": [{"bio": "Ben writes about the harbour.", "slug": "ben"}]}, staff=True
    )

    city_hall = ghost.upload_image("city-hall.jpg", jpeg("navy", "City hall"), "city-hall.jpg")
    quay = ghost.upload_image("quay.jpg", jpeg("teal", "The quay"), "quay.jpg")
    start = ghost.upload_image("regatta-start.jpg", jpeg("maroon", "Start"), "regatta-start.jpg")
    finish = ghost.upload_image("regatta-finish.jpg", jpeg("olive", "Finish"), "regatta-finish.jpg")

    tiers = ghost.call("GET", "tiers/?filter=type:paid")["tiers"]
    paid_tier = tiers[0]["id"]

    def post(title: str, *, html: str = "", lexical_doc: str = "", **fields) -> dict:
        body = {"title": title, **fields}
        if lexical_doc:
            body["lexical"] = lexical_doc
            return ghost.call("POST", "posts/", {"posts": [body]})["posts"][0]
        body["html"] = html
        return ghost.call("POST", "posts/?source=html", {"posts": [body]})["posts"][0]

    published = "2026-11-0{}T09:30:00.000Z"
    next_year = datetime.date.today().year + 1
    made = [
        post("The City Votes on Its Budget", html=BUDGET_HTML, status="published", visibility="public",
             published_at=published.format(2), authors=[{"id": ada["id"]}],
             tags=[{"name": "Politics"}, {"name": "Council"}, {"name": "#featured"}],
             feature_image=city_hall, feature_image_alt="City hall at dawn",
             feature_image_caption='Photo by <a href="https://photos.example/jane">Jane Roe</a>',
             custom_excerpt="Nine votes to four, and the libraries stay open."),
        post("Inside the Treasury", html=TREASURY_HTML, status="published", visibility="paid",
             published_at=published.format(3), authors=[{"id": ada["id"]}, {"id": ben["id"]}],
             tags=[{"name": "Politics"}, {"name": "Investigations"}]),
        post("A Letter to Members", html=LETTER_HTML, status="published", visibility="members",
             published_at=published.format(4), authors=[{"id": ben["id"]}], tags=[{"name": "Culture"}]),
        post("Harbour Notes", lexical_doc=harbour_notes(quay), status="published", visibility="public",
             published_at=published.format(5), authors=[{"id": ben["id"]}], tags=[{"name": "Harbour"}]),
        post("The Regatta in Pictures", lexical_doc=regatta(start, finish), status="published", visibility="paid",
             published_at=published.format(7), authors=[{"id": ben["id"]}], tags=[{"name": "Harbour"}]),
        post("Sounds of the Harbour", lexical_doc=sounds(), status="published", visibility="public",
             published_at=published.format(8), authors=[{"id": ben["id"]}], tags=[{"name": "Harbour"}]),
        post("The Winter Cover, Early", html=SUPPORTERS_HTML, status="published", visibility="tiers",
             tiers=[{"id": paid_tier}], published_at=published.format(6), authors=[{"id": ada["id"]}],
             tags=[{"name": "Culture"}]),
        post("Council, Next Week", html=DRAFT_HTML, status="draft", authors=[{"id": ada["id"]}],
             tags=[{"name": "Politics"}]),
        post("The Spring Issue", html=SCHEDULED_HTML, status="scheduled", authors=[{"id": ben["id"]}],
             published_at=f"{next_year}-03-01T08:00:00.000Z", tags=[{"name": "Culture"}]),
    ]  # fmt: skip
    ghost.call("POST", "pages/?source=html", {"pages": [{"title": "About", "html": ABOUT_HTML, "status": "published"}]})

    members = [
        ghost.call(
            "POST",
            "members/",
            {"members": [{"email": "reader@example.com", "name": "Rita Reader", "labels": [{"name": "Print"}]}]},
        ),
        ghost.call("POST", "members/", {"members": [{"email": "quiet@example.com", "name": "", "newsletters": []}]}),
        ghost.call("POST", "members/", {"members": [{"email": "friend@example.com", "name": "Frank Friend"}]}),
    ]
    friend = members[2]["members"][0]
    ghost.call("PUT", f"members/{friend['id']}/", {"members": [{"tiers": [{"id": paid_tier}]}]})
    # Ghost 5 links the tier but makes the member complimentary only when Stripe is connected
    # (MemberRepository.update checks stripeAPIService.configured), and this Ghost cannot reach Stripe:
    # the status Ghost would have set is set in the database, the one change not made through the API.
    mysql("UPDATE members SET status = 'comped' WHERE id = ?", friend["id"])
    return {"posts": [(p["title"], p["status"], p["visibility"]) for p in made], "members": 3}


def harbour_notes(quay: str) -> str:
    """A post of the editor's cards: a bookmark, a callout, an image with its caption, a Markdown card, a toggle."""
    return lexical(
        paragraph(
            text("The ferries ran "), text("on time", 1), text(" all week; the "), text("weather", 2), text(" did not.")
        ),  # fmt: skip
        {
            "type": "bookmark",
            "version": 1,
            "url": "https://port.example/timetable",
            "caption": "",
            "metadata": {
                "icon": "",
                "title": "The winter timetable",
                "description": "Sailings from December",
                "author": "",
                "publisher": "Port Authority",
                "thumbnail": "",
            },
        },  # fmt: skip
        {
            "type": "callout",
            "version": 1,
            "calloutText": "<p>The quay is <b>closed</b> on Sunday mornings.</p>",
            "calloutEmoji": "⚓",
            "backgroundColor": "blue",
        },  # fmt: skip
        {
            "type": "image",
            "version": 1,
            "src": quay,
            "width": 640,
            "height": 400,
            "title": "",
            "alt": "Boats along the quay",
            "caption": "The quay at low tide",
            "cardWidth": "regular",
            "href": "",
        },  # fmt: skip
        {
            "type": "markdown",
            "version": 1,
            "markdown": "The harbour master marks the ==spring tides== in red.\n\n- Ropes\n- Buoys",
        },  # fmt: skip
        {
            "type": "toggle",
            "version": 1,
            "heading": "<span>When is high water?</span>",
            "content": "<p>At 06:12 and 18:40 today.</p>",
        },  # fmt: skip
        paragraph(
            text("Write to us at "),
            {
                "children": [text("letters@harbour-review.example")],
                "direction": "ltr",
                "format": "",
                "indent": 0,
                "type": "link",
                "version": 1,
                "rel": None,
                "target": None,
                "title": None,
                "url": "mailto:letters@harbour-review.example",
            },
            text("."),
        ),  # fmt: skip
    )


def regatta(start: str, finish: str) -> str:
    """A paid post with a free preview (the paywall card) and the rest of the editor's cards."""

    def picture(src: str, name: str, alt: str) -> dict:
        return {"row": 0, "fileName": name, "src": src, "width": 640, "height": 400, "alt": alt, "caption": ""}

    return lexical(
        paragraph(text("Forty boats started the harbour regatta; thirty-one finished.")),
        {"type": "paywall", "version": 1},
        {
            "type": "gallery",
            "version": 1,
            "caption": "The start and the finish",
            "images": [
                picture(start, "regatta-start.jpg", "Boats at the start line"),
                picture(finish, "regatta-finish.jpg", "The winner crossing the line"),
            ],
        },  # fmt: skip
        {"type": "horizontalrule", "version": 1},
        {
            "type": "embed",
            "version": 1,
            "url": "https://www.youtube.com/watch?v=regatta2026",
            "embedType": "video",
            "html": '<iframe width="200" height="113" src="https://www.youtube.com/embed/regatta2026"></iframe>',
            "metadata": {"title": "The regatta from the air"},
            "caption": "The race from the air",
        },  # fmt: skip
        {
            "type": "header",
            "version": 2,
            "size": "small",
            "style": "dark",
            "layout": "regular",
            "header": "<span>Results</span>",
            "subheader": "<span>Every boat, every time</span>",
            "buttonEnabled": False,
            "buttonText": "",
            "buttonUrl": "",
            "alignment": "center",
            "backgroundColor": "#000000",
            "textColor": "#FFFFFF",
            "backgroundImageSrc": "",
            "swapped": False,
        },  # fmt: skip
        paragraph(text("Only subscribers read this far: the winner was "), text("Marigold", 1), text(".")),
        {
            "type": "button",
            "version": 1,
            "buttonText": "Full results (PDF)",
            "alignment": "center",
            "buttonUrl": "https://regatta.example/results.pdf",
        },  # fmt: skip
        {
            "type": "product",
            "version": 1,
            "productImageSrc": "",
            "productTitle": "<span>Regatta poster</span>",
            "productDescription": "<p>Printed on heavy paper.</p>",
            "productRatingEnabled": False,
            "productStarRating": 5,
            "productButtonEnabled": True,
            "productButton": "Buy the poster",
            "productUrl": "https://shop.example/poster",
        },  # fmt: skip
        {"type": "html", "version": 1, "html": "<p>Tide: <strong>2.1 m</strong></p><script>alert(1)</script>"},
        {
            "type": "signup",
            "version": 1,
            "layout": "wide",
            "alignment": "left",
            "buttonText": "Subscribe",
            "header": "<span>Sign up for The Harbour Review</span>",
            "subheader": "<span>Stories from the quay.</span>",
            "disclaimer": "<span>No spam. Unsubscribe anytime.</span>",
            "labels": [],
            "backgroundColor": "#F0F0F0",
            "textColor": "#000000",
            "buttonColor": "accent",
            "buttonTextColor": "#FFFFFF",
            "backgroundImageSrc": "",
            "backgroundSize": "cover",
            "swapped": False,
            "successMessage": "Email sent!",
        },  # fmt: skip
    )


def sounds() -> str:
    """Audio, video and file cards; Ghost renders them from their settings, so the files need not exist here."""
    media = "__GHOST_URL__/content/media/2026/12"
    return lexical(
        paragraph(text("What the harbour sounds like at six in the morning.")),
        {
            "type": "audio",
            "version": 1,
            "src": f"{media}/foghorn.mp3",
            "title": "The foghorn at dawn",
            "duration": 42,
            "mimeType": "audio/mpeg",
            "thumbnailSrc": "",
        },  # fmt: skip
        {
            "type": "video",
            "version": 1,
            "src": f"{media}/gulls.mp4",
            "caption": "Gulls over the fish market",
            "fileName": "gulls.mp4",
            "mimeType": "video/mp4",
            "width": 640,
            "height": 360,
            "duration": 9,
            "thumbnailSrc": "",
            "customThumbnailSrc": "",
            "cardWidth": "regular",
            "loop": False,
        },  # fmt: skip
        {
            "type": "file",
            "version": 1,
            "src": "__GHOST_URL__/content/files/2026/12/tide-table.pdf",
            "fileTitle": "Tide table, December",
            "fileCaption": "High and low water, every day",
            "fileName": "tide-table.pdf",
            "fileSize": 24576,
        },  # fmt: skip
    )


def mysql(query: str, value: str) -> str:
    """One statement on Ghost's database with one value in it; the value is ours or an id Ghost made (checked)."""
    if not re.fullmatch(r"[\w.@-]+", value):
        sys.exit(f"{value!r}: not an id or an address")
    command = ["mysql", "-h127.0.0.1", "-uroot", "-N", "-B", "ghost", "-e", query.replace("?", f"'{value}'")]
    result = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603, S607 (a local tool)
    return result.stdout.strip()


def without_secrets(export: dict) -> dict:
    """The export with users' password hashes and every key, secret and hash setting blanked."""
    data = export["db"][0]["data"]
    for user in data.get("users", []):
        user["password"] = ""
    for setting in data.get("settings", []):
        if SECRET_SETTING.search(setting.get("key", "")) and setting.get("value"):
            setting["value"] = ""
    for name in ("api_keys", "sessions", "tokens", "integrations", "invites", "webhooks", "brute"):
        data.pop(name, None)
    return export


def assert_no_secrets(text: str, ghost: Ghost) -> None:
    secret = ghost.admin_key.split(":")[1]
    cookies = [cookie.value for cookie in ghost.cookies]
    found = [name for name, hit in (
        ("a password hash", BCRYPT.search(text)),
        ("the Admin API key", secret in text),
        ("a session cookie", any(value and value in text for value in cookies)),
        ("a private key", "PRIVATE KEY" in text),
    ) if hit]  # fmt: skip
    if found:
        sys.exit(f"the export still holds {', '.join(found)}; nothing written")


def export_version(export: dict) -> str:
    return str(export["db"][0]["meta"].get("version", "?"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:2368")
    parser.add_argument("--content", type=Path, required=True, help="Ghost's content folder (for its images)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    ghost = Ghost(args.url)
    made = fill(ghost, args.content)

    site = ghost.call("GET", "site/")["site"]
    export = ghost.call("GET", "db/")
    members_csv = ghost.call("GET", "members/upload/?limit=all")
    export_text = json.dumps(without_secrets(export), indent=2, ensure_ascii=False) + "\n"
    members_text = members_csv.decode() if isinstance(members_csv, bytes) else str(members_csv)
    assert_no_secrets(export_text + members_text, ghost)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ghost-export.json").write_text(export_text)
    (args.out / "members.csv").write_text(members_text)
    images = args.out / "content" / "images"
    shutil.rmtree(images, ignore_errors=True)
    shutil.copytree(args.content / "images", images, ignore=shutil.ignore_patterns("*.md"))
    today = datetime.date.today().isoformat()
    (args.out / "README.md").write_text(
        f"A real Ghost {export_version(export)} export (its site API: {site['version']}), made {today} by\n"
        "scripts/ghost-roundtrip.sh: Ghost from the npm registry on MariaDB, filled through its Admin API\n"
        "(scripts/ghost_roundtrip.py says what and how), exported by GET /ghost/api/admin/db/ (ghost-export.json)\n"
        "and /ghost/api/admin/members/upload/ (members.csv); users' password hashes and every key, secret and\n"
        "hash setting blanked. content/images is Ghost's folder of uploaded pictures.\n"
        "Read by tests/migration/test_real_ghost_export.py.\n"
    )
    print(json.dumps({"ghost": site["version"], "date": today, **made}, indent=2))


if __name__ == "__main__":
    main()
