"""Phone page weight: what a phone downloads on its first visit, in production mode.

Starts the production recipe (deploy/serve.py, one worker, DEBUG off, a fresh SQLite file,
static files collected with hashed names and gzip/brotli copies) on loopback and drives
Debian's Chromium in iPhone 13 emulation with an empty cache:
- the join page (`/j/<code>`), as opened from the QR code;
- the phone page, opened in a new context (empty cache) that carries only the participant
  cookie of a phone that joined through the form;
- the phone page as it arrives after the form is sent (the join page's files are cached).
For each, every HTTP request the page makes until the network is idle: count, bytes received
on the wire (headers and compressed bodies, Chromium's `encodedDataLength`) and the largest
files. The WebSocket is reported apart (its handshake is not a download).

    .venv/bin/python bench/phone_weight.py
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from common import PY, ROOT, free_port, machine
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def start_recipe(work: Path) -> tuple[subprocess.Popen, str, dict[str, str]]:
    port = free_port()
    base = f"http://localhost:{port}"  # localhost: Chromium keeps Secure cookies over HTTP
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-phone-weight-0123456789abcdef",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": f"sqlite:///{work / 'weight.sqlite3'}",
            "STATIC_ROOT": str(work / "static"),
            "DJANGO_SETTINGS_MODULE": "rencontres.settings",
        }
    )
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen(
        [PY, "deploy/serve.py", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=(work / "serve.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(600):
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base, env
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the recipe did not start")


class Recorder:
    """Every HTTP request of one page, from Chromium's network events."""

    def __init__(self, context, page) -> None:
        self.requests: dict[str, dict] = {}
        self.sockets: list[str] = []
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.requestServedFromCache", self._cached)
        cdp.on("Network.webSocketCreated", lambda e: self.sockets.append(e["url"]))

    def _sent(self, e: dict) -> None:
        # A redirect reuses the request id: count each hop.
        redirect = e.get("redirectResponse")
        previous = self._latest(e["requestId"])
        if redirect and previous is not None:
            previous.update(status=redirect["status"], bytes=redirect["encodedDataLength"])
        key = e["requestId"]
        while key in self.requests:
            key += "+"
        self.requests[key] = {"url": e["request"]["url"], "method": e["request"]["method"]}
        self.requests[key]["bytes"] = 0

    def _latest(self, request_id: str) -> dict | None:
        keys = [k for k in self.requests if k.rstrip("+") == request_id]
        return self.requests[max(keys, key=len)] if keys else None

    def _cached(self, e: dict) -> None:
        entry = self._latest(e["requestId"])
        if entry is not None:
            entry["cached"] = True

    def _finished(self, e: dict) -> None:
        entry = self._latest(e["requestId"])
        if entry is not None:
            entry["bytes"] = e["encodedDataLength"]

    def _response(self, e: dict) -> None:
        entry = self._latest(e["requestId"])
        if entry is not None:
            headers = {k.lower(): v for k, v in e["response"]["headers"].items()}
            entry["status"] = e["response"]["status"]
            entry["encoding"] = headers.get("content-encoding", "")
            entry["cache"] = headers.get("cache-control", "")
            if e["response"].get("fromDiskCache"):
                entry["cached"] = True

    def report(self) -> dict:
        files = sorted(
            (r for r in self.requests.values() if not r.get("cached")), key=lambda r: -r["bytes"]
        )
        return {
            "requests": len(files),
            "from_cache": sorted(
                r["url"].split("/", 3)[-1] for r in self.requests.values() if r.get("cached")
            ),
            "kb_transferred": round(sum(r["bytes"] for r in files) / 1024, 1),
            "files": [
                {
                    "request": f"{r['method']} /{r['url'].split('/', 3)[-1]}",
                    "status": r.get("status"),
                    "bytes": r["bytes"],
                    "encoding": r.get("encoding", ""),
                    "cache": r.get("cache", ""),
                }
                for r in files
            ],
            "websockets": len(self.sockets),
        }


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)  # anything the page fetches after load (htmx triggers)


def run() -> dict:
    work = Path(tempfile.mkdtemp(prefix="rencontres-weight-"))
    proc, base, env = start_recipe(work)
    try:
        out = subprocess.run(
            [PY, "manage.py", "demo", "--json", "--base-url", base],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        code = json.loads(out.stdout)["code"]
        join_url = f"{base}/j/{code}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            iphone = pw.devices["iPhone 13"]
            # 1. The join page, empty cache (a phone that scanned the QR code).
            first = browser.new_context(**iphone, locale="fr-FR")
            page = first.new_page()
            recorder = Recorder(first, page)
            page.goto(join_url)
            settle(page)
            join_page = recorder.report()
            # 2. The same phone sends the form: the phone page arrives, the CSS is cached.
            recorder = Recorder(first, page)
            page.get_by_label("Prénom et nom").fill("Léa Martin")
            page.get_by_label("Organisation").fill("Région")
            page.get_by_label("Vous représentez").select_option(index=1)
            page.get_by_role("button", name="Rejoindre").click()
            page.wait_for_selector("#stage")
            settle(page)
            after_join = recorder.report()
            cookies = first.cookies()
            first.close()
            # 3. The phone page with an empty cache (a phone that joined, then lost its cache).
            second = browser.new_context(**iphone, locale="fr-FR")
            second.add_cookies(cookies)
            page = second.new_page()
            recorder = Recorder(second, page)
            page.goto(join_url)
            page.wait_for_selector("#stage")
            settle(page)
            phone_page = recorder.report()
            second.close()
            browser.close()
        return {
            "join_page": join_page,
            "phone_page_after_joining": after_join,
            "phone_page_empty_cache": phone_page,
            "server": "deploy/serve.py, 1 uvicorn worker, DEBUG off, SQLite",
            "browser": "Debian chromium, iPhone 13 emulation, empty cache",
            "machine": machine(),
            "date": datetime.now(UTC).date().isoformat(),
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(run(), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
