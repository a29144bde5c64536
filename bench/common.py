"""Shared helpers of the benchmarks: a real server (uvicorn, as `make demo`) on loopback, joined phones, a logged-in
facilitator. Everything goes through the public HTTP and WebSocket surface. And the floor of
the PDF benchmarks (`pdf_floor`): WeasyPrint alone on a bare document, in a fresh process."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


# Run by `pdf_floor` in a fresh Python process (argv: kind, pages, renders): Django set up as
# the worker is, then WeasyPrint imported (timed) and a bare document rendered `renders` times
# with the product's stylesheet, shipped fonts and shipped-files-only fetcher. "debrief": the
# debrief's call (`pdf_from_html`, PDF/UA-1) on `pages` pages of plain paragraphs; "sheet": the
# sheet's call (render, then write) on one page, pdf.css + sheet.css. Prints JSON.
PDF_FLOOR = r"""
import json, statistics, sys, time
import django
django.setup()
from django.conf import settings
from workshops import debrief, sheet
kind, pages, renders = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = time.perf_counter()
from weasyprint import HTML
import_seconds = time.perf_counter() - t
from pypdf import PdfReader
import io
words = ("la rencontre du territoire réunit les entreprises les collectivités et les financeurs "
         "autour des priorités de la filière industrielle locale et des actions à mener ensemble ")
paragraph = "<p>" + (words * 4).strip() + ".</p>"
if kind == "debrief":
    fonts = (settings.BASE_DIR / "static/fonts/source-sans-3").resolve().as_uri()
    css = (settings.BASE_DIR / "static/css/pdf.css").read_text().replace("FONTS", fonts)
    body = "".join(
        f'<section style="break-after: {"page" if n < pages - 1 else "auto"}">'
        f"<h2>Page {n + 1}</h2>" + paragraph * 6 + "</section>"
        for n in range(pages)
    )
    body_class = ""
    def make(html):
        return debrief.pdf_from_html(html)
else:
    css = sheet._css()
    body = '<div class="sheet__parts"><h2>Page</h2>' + paragraph * 7 + "</div>"
    body_class = ' class="sheet sheet--normal"'
    def make(html):
        return HTML(
            string=html, base_url=str(settings.BASE_DIR),
            url_fetcher=debrief._shipped_files_fetcher(),
        ).render().write_pdf()
html = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Floor</title>'
    f"<style>{css}</style></head><body{body_class}>"
    f"{body}</body></html>"
)
seconds = []
for _ in range(renders):
    t = time.perf_counter()
    pdf = make(html)
    seconds.append(time.perf_counter() - t)
rest = seconds[1:] or seconds
print(json.dumps({
    "pages": len(PdfReader(io.BytesIO(pdf)).pages),
    "import_seconds": round(import_seconds, 2),
    "first_render_seconds": round(seconds[0], 3),
    "first_seconds": round(import_seconds + seconds[0], 2),
    "renders": len(rest),
    "render_seconds_median": round(statistics.median(rest), 3),
    "render_seconds_p95": round(sorted(rest)[min(len(rest) - 1, round(0.95 * (len(rest) - 1)))], 3),
}))
"""


def pdf_floor(kind: str, pages: int, renders: int, env: dict[str, str]) -> dict:
    """The floor of a PDF benchmark, in a fresh Python process (so WeasyPrint's import and font
    loading count as in a fresh worker): WeasyPrint alone on a bare document of `pages` pages
    ("debrief") or one page ("sheet"), with the product's stylesheet, fonts and fetcher.
    Returned: WeasyPrint's import, the first render (fonts loaded), import + first render, and
    the median and p95 of the `renders` - 1 renders after the first."""
    out = subprocess.run(
        [PY, "-c", PDF_FLOOR, kind, str(pages), str(renders)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


class Server:
    """Migrates a fresh database (SQLite by default), loads the demo and serves it; with
    `worker`, the background worker (`manage.py db_worker`) runs beside it, as `make demo`
    starts it."""

    def __init__(
        self, *, before_serving: list[list[str]] | None = None, worker: bool = False
    ) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="rencontres-bench-"))
        self.env = dict(os.environ)
        # Production settings (DEBUG off), as a room is served; plain HTTP on loopback.
        self.env.update(
            {
                "DEBUG": "0",
                "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
                "SECURE_SSL_REDIRECT": "0",
                "SECURE_COOKIES": "0",
                "ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_SETTINGS_MODULE": "rencontres.settings",
                "STATIC_ROOT": str(self.work / "static"),
                "THROTTLE_JOINS_PER_IP": "100000",  # every bench phone joins from loopback
            }
        )
        self.env.setdefault("DATABASE_URL", f"sqlite:///{self.work / 'bench.sqlite3'}")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=self.env, check=True)
        subprocess.run(
            [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        out = subprocess.run(
            [PY, "manage.py", "demo", "--json", "--base-url", self.base],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        self.demo = json.loads(out.stdout)
        for command in before_serving or []:  # e.g. fill the demo rencontre first
            args = [a.replace("{code}", self.demo["code"]) for a in command]
            subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=self.env, check=True)
        self.log = (self.work / "server.log").open("wb")
        # What `make demo` serves with (uvicorn, one process); BENCH_SERVER=daphne for the tests' server.
        self.server = os.environ.get("BENCH_SERVER", "uvicorn")
        if self.server == "daphne":
            command = [str(Path(PY).parent / "daphne"), "-b", "127.0.0.1", "-p", str(self.port)]
        else:
            command = [PY, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(self.port)]
            command += ["--lifespan", "off", "--ws-max-size", "4096", "--no-access-log"]
        self.proc = subprocess.Popen(
            [*command, "rencontres.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.worker = None
        if worker:
            self.worker_log = (self.work / "worker.log").open("wb")
            # As `make demo` runs it: it looks for work every second (its default). On SQLite
            # each look takes the write lock for a moment: polled every 0.2 s, it held 300
            # taps in 2 s to a p95 of 2.8 s instead of 0.37 s (BENCHMARKS.md).
            worker_command = [PY, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
            interval = os.environ.get("BENCH_WORKER_INTERVAL", "1")
            self.worker = subprocess.Popen(
                [*worker_command, "--interval", interval],
                cwd=ROOT,
                env=self.env,
                stdout=self.worker_log,
                stderr=subprocess.STDOUT,
            )

    @property
    def layer(self) -> str:
        return "redis-pubsub" if self.env.get("REDIS_URL") else "in-memory"

    @property
    def database(self) -> str:
        return self.env["DATABASE_URL"].split(":", 1)[0]

    async def ready(self) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=5) as probe:
            for _ in range(150):
                try:
                    if (await probe.get("/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.server} did not start")

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()
            self.worker_log.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


async def join_phones(
    base: str, code: str, n: int, concurrency: int = 20
) -> list[httpx.AsyncClient]:
    """n phones that joined through the join form; each client keeps its cookies."""
    sem = asyncio.Semaphore(concurrency)
    actor_types = ["collectivite", "etat", "entreprise", "chambre", "financeur", "formation"]

    async def one(i: int) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=True)
        async with sem:
            r = await client.get(f"/j/{code}")
            token = CSRF_INPUT.search(r.text).group(1)
            r = await client.post(
                f"/j/{code}",
                data={
                    "csrfmiddlewaretoken": token,
                    "name": f"Participant {i}",
                    "organisation": "Bench",
                    "actor_type": actor_types[i % len(actor_types)],
                },
                headers={"Referer": f"{base}/j/{code}"},
            )
            r.raise_for_status()
        return client

    return list(await asyncio.gather(*(one(i) for i in range(n))))


def csrf_of(html: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


async def facilitator(base: str, demo: dict) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=True)
    r = await client.get("/comptes/connexion/")
    await client.post(
        "/comptes/connexion/",
        data={
            "csrfmiddlewaretoken": CSRF_INPUT.search(r.text).group(1),
            "username": demo["username"],
            "password": demo["password"],
        },
        headers={"Referer": base + "/comptes/connexion/"},
    )
    r = await client.get(f"/animer/{demo['code']}/")
    r.raise_for_status()
    return client, csrf_of(r.text)


EXPORT_JOB = re.compile(r"/export/(\d+)/")


async def export_download(
    fac: httpx.AsyncClient, code: str, path: str = "export.json", every: float = 0.2
) -> httpx.Response:
    """An organiser's export as the waiting page gets it: the export's address queues it for
    the background worker and answers the page that waits; its poll (every `every` s) is
    redirected to the file when ready; then the file. Raises if the job failed."""
    page = await fac.get(f"/animer/{code}/{path}", timeout=60)
    page.raise_for_status()
    if not page.headers["Content-Type"].startswith("text/html"):
        return page  # already made (a test server running tasks in the request)
    job = EXPORT_JOB.search(page.text).group(1)
    while True:
        poll = await fac.get(
            f"/animer/{code}/export/{job}/?suivre=1", headers={"HX-Request": "true"}, timeout=60
        )
        poll.raise_for_status()
        if "HX-Redirect" in poll.headers:
            break
        if "pas pu être préparé" in poll.text:
            raise RuntimeError(f"the export job {job} failed")
        await asyncio.sleep(every)
    response = await fac.get(poll.headers["HX-Redirect"], timeout=60)
    response.raise_for_status()
    return response


def cookie_header(client: httpx.AsyncClient) -> str:
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())
