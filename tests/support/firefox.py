"""Headless Firefox for the browser tests: Debian's ``firefox-esr`` driven over WebDriver
BiDi, the W3C protocol Firefox serves itself (``--remote-debugging-port``), so no
geckodriver is needed (Debian does not package it, and nothing may be downloaded at test
time). The client is the few commands the tests use, over ``websocket-client`` (already
installed with selenium).

`require_firefox` skips where Firefox is missing on a developer's machine and fails under
``CI=true`` (``.ci/run`` installs it) — the rule of `tests.support.browser`.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.shared import in_ci
from tfquote import redis_server

FIREFOX = Path(
    os.environ.get("TFQUOTE_FIREFOX")
    or shutil.which("firefox-esr")
    or shutil.which("firefox")
    or "/usr/bin/firefox-esr"
)

# Errors and CSP violations reach the console, where log.entryAdded sees them; a CSP
# violation is an event only, so this preload script (not subject to the page's CSP)
# writes each one to the console as an error too.
_REPORT_CSP = (
    "() => document.addEventListener('securitypolicyviolation', e => "
    "console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))"
)


def require_firefox() -> None:
    """Skip (or, under CI=true, fail) when headless Firefox cannot run here."""
    if FIREFOX.exists():
        return
    reason = f"{FIREFOX} not found: apt-get install -y firefox-esr"
    if in_ci():
        pytest.fail(f"CI=true but {reason} (.ci/run installs it)", pytrace=False)
    pytest.skip(reason)


class BiDiError(AssertionError):
    pass


class Firefox:
    """One headless Firefox with one tab, and the WebDriver BiDi commands the tests use."""

    def __init__(self, workdir: Path, *, width: int = 1440, height: int = 1000) -> None:
        import websocket

        require_firefox()
        profile = workdir / "firefox-profile"
        profile.mkdir(parents=True, exist_ok=True)
        port = redis_server.free_port()
        self.log_path = workdir / "firefox.log"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(FIREFOX), "--headless", "--no-remote", "--profile", str(profile),
                 "--remote-debugging-port", str(port), f"--width={width}",
                 f"--height={height}", "about:blank"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "MOZ_HEADLESS": "1"},
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                # Firefox refuses a handshake that carries an Origin header.
                self.ws = websocket.create_connection(
                    f"ws://127.0.0.1:{port}/session", timeout=60, suppress_origin=True
                )
                break
            except (OSError, websocket.WebSocketException):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.close()
                    raise AssertionError(
                        f"Firefox did not start: {self.log_path.read_text(errors='replace')}"
                    ) from None
                time.sleep(0.2)
        self._next_id = 0
        self.console: list[dict[str, Any]] = []
        self.command("session.new", {"capabilities": {}})
        self.context = self.command("browsingContext.getTree", {})["contexts"][0]["context"]
        self.command("session.subscribe", {"events": ["log.entryAdded"]})
        self.command("script.addPreloadScript", {"functionDeclaration": _REPORT_CSP})

    # --- the protocol ------------------------------------------------------------------

    def command(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._next_id += 1
        self.ws.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("type") == "event":
                if message.get("method") == "log.entryAdded":
                    self.console.append(message["params"])
                continue
            if message.get("id") != self._next_id:
                continue
            if message.get("type") == "error":
                raise BiDiError(f"{method}: {message.get('error')}: {message.get('message')}")
            return dict(message["result"])

    def open(self, url: str) -> None:
        self.command(
            "browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"}
        )

    def reload(self) -> None:
        self.command("browsingContext.reload", {"context": self.context, "wait": "complete"})

    def url(self) -> str:
        return str(self.js("return location.href"))

    def js(self, body: str, *args: Any) -> Any:
        """Run `body` as the body of an async function (``arguments[i]`` are `args`, sent
        as JSON) and return its JSON-serialisable result; an element found is True."""
        declaration = (
            "async function(json) { const value = await (async function() {"
            + body
            + "}).apply(null, JSON.parse(json));"
            " return JSON.stringify(value === undefined ? null"
            " : value instanceof Node ? true : value); }"
        )
        result = self.command(
            "script.callFunction",
            {
                "functionDeclaration": declaration,
                "arguments": [{"type": "string", "value": json.dumps(list(args))}],
                "target": {"context": self.context},
                "awaitPromise": True,
            },
        )
        if result.get("type") == "exception":
            details = result.get("exceptionDetails", {})
            raise BiDiError(f"script threw: {details.get('text')}")
        return json.loads(result["result"]["value"])

    def _node(self, css: str) -> dict[str, Any]:
        result = self.command(
            "script.callFunction",
            {
                "functionDeclaration": "function(css) { const el = document.querySelector(css);"
                " if (el) el.scrollIntoView({block: 'center'}); return el; }",
                "arguments": [{"type": "string", "value": css}],
                "target": {"context": self.context},
                "awaitPromise": False,
            },
        )
        node = result.get("result", {})
        if node.get("type") != "node":
            raise BiDiError(f"no element matches {css!r}")
        return {"sharedId": node["sharedId"]}

    # --- what a person does ---------------------------------------------------------------

    def click(self, css: str) -> None:
        """A real pointer click in the middle of the element (input.performActions)."""
        element = self._node(css)
        self.command(
            "input.performActions",
            {
                "context": self.context,
                "actions": [
                    {
                        "type": "pointer",
                        "id": "mouse",
                        "actions": [
                            {"type": "pointerMove", "x": 0, "y": 0,
                             "origin": {"type": "element", "element": element}},
                            {"type": "pointerDown", "button": 0},
                            {"type": "pointerUp", "button": 0},
                        ],
                    }
                ],
            },
        )  # fmt: skip
        self.command("input.releaseActions", {"context": self.context})

    def type(self, css: str, text: str) -> None:
        """Replace the field's text with key presses, so the page sees real input events."""
        self.click(css)
        self.js("document.querySelector(arguments[0]).select()", css)
        keys: list[dict[str, Any]] = [
            {"type": "keyDown", "value": "\ue017"},  # Delete: the selection goes
            {"type": "keyUp", "value": "\ue017"},
        ]
        for char in text:
            keys += [{"type": "keyDown", "value": char}, {"type": "keyUp", "value": char}]
        self.command(
            "input.performActions",
            {"context": self.context, "actions": [{"type": "key", "id": "kb", "actions": keys}]},
        )
        self.command("input.releaseActions", {"context": self.context})

    def select(self, css: str, value: str) -> None:
        """Pick an option (a <select>'s popup is not part of the page, so set and announce)."""
        found = self.js(
            "const el = document.querySelector(arguments[0]);"
            " if (![...el.options].some(o => o.value === arguments[1])) return false;"
            " el.value = arguments[1]; el.dispatchEvent(new Event('input', {bubbles: true}));"
            " el.dispatchEvent(new Event('change', {bubbles: true})); return true;",
            css,
            value,
        )
        assert found, f"{css} has no option {value!r}"

    def choose_files(self, css: str, *paths: Path) -> None:
        self.command(
            "input.setFiles",
            {"context": self.context, "element": self._node(css), "files": [str(p) for p in paths]},
        )

    def text(self, css: str) -> str:
        return str(
            self.js(
                "const el = document.querySelector(arguments[0]);"
                " return el ? el.innerText.trim() : '';",
                css,
            )
        )

    def wait(self, body: str, *args: Any, timeout: float = 60, what: str = "") -> Any:
        """Poll `body` (as for `js`) until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(body, *args)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting for {what or body}\n{self.text('main')[:3000]}"
                )
            time.sleep(0.1)

    def problems(self) -> list[str]:
        """Script errors and CSP violations logged since the last call."""
        found = [
            str(entry.get("text"))
            for entry in self.console
            if entry.get("level") == "error" or entry.get("type") == "javascript"
        ]
        self.console.clear()
        return found

    def screenshot(self, path: Path, width: int) -> int:
        """The whole page laid out `width` px wide, to `path`; returns how far the page sticks
        out sideways (0 when nothing is wider than the screen)."""
        self.command(
            "browsingContext.setViewport",
            {"context": self.context, "viewport": {"width": width, "height": 900}},
        )
        time.sleep(0.3)  # the charts redraw at the new width on the next frame
        overflow = int(
            self.js(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
        )
        shot = self.command(
            "browsingContext.captureScreenshot", {"context": self.context, "origin": "document"}
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        self.command("browsingContext.setViewport", {"context": self.context, "viewport": None})
        return overflow

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                try:
                    self.command("browser.close", {})
                except Exception:  # the browser may already be gone: stop it below
                    pass
                self.ws.close()
        finally:
            if self.process.poll() is None:
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)
