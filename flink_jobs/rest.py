"""The one client for Flink's REST API (the monitor, the cluster commands, submission): urllib
only, timeouts, retries, one-line errors; and the job states in which a job is done.

Flink answers HTTP 500 with `java.util.NoSuchElementException: No value present` for a vertex's
backpressure while the vertex is INITIALIZING and after it FINISHED: that is "not yet sampled", not
an error, so it is retried a few times and then raised as `NotSampled` for the caller to mark.
Everything else that goes wrong (refused, timeout, not JSON, 404) is a `RestError` whose str() is
one line for the user.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Optional

TRANSIENT_MARKERS = ("NoSuchElementException", "No value present")
# A job in one of these states will not change state again (globally terminal, or suspended).
TERMINAL_STATES = frozenset({"FINISHED", "FAILED", "CANCELED", "SUSPENDED"})
# A JSON object as Flink's REST API answers it (and as a recorded sample keeps it).
Json = dict[str, Any]


class RestError(Exception):
    """The cluster could not be read; str() is one line. `status` is the HTTP status, if any."""

    def __init__(self, message: str, status: Optional[int] = None):
        super().__init__(message)
        self.status = status


class NotSampled(RestError):
    """Flink has no value for this yet (a vertex initializing or finished)."""


def normalize_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "http://" + url
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise RestError(f"--rest must be a URL like http://127.0.0.1:8081, not `{url}`")
    return url


def _flink_error(body: str) -> str:
    """The first line of Flink's {"errors": [...]} body, without the Java stack."""
    try:
        errors = json.loads(body).get("errors") or []
    except (ValueError, AttributeError):
        errors = []
    text = str(errors[0]) if errors else body
    line = text.strip().splitlines()[0] if text.strip() else ""
    # "org.apache.flink...NotFoundException: Job x not found" -> "Job x not found"
    return line.split("Exception: ", 1)[-1][:300]


class FlinkRest:
    """GET JSON from a Flink REST endpoint, e.g. `FlinkRest("http://127.0.0.1:8081").get("/jobs")`."""

    def __init__(
        self,
        url: str,
        timeout: float = 5.0,
        retries: int = 2,
        retry_delay: float = 0.5,
        opener: Callable[..., Any] = urllib.request.urlopen,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.url = normalize_url(url)
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self._open = opener
        self._sleep = sleep

    def get(self, path: str, method: str = "GET", payload: Optional[dict[str, Any]] = None) -> Any:
        attempt = 0
        while True:
            try:
                return self._request(path, method, payload)
            except NotSampled:
                if attempt >= self.retries:
                    raise
            except RestError as error:
                # a dropped connection or a 502/503 from a proxy is worth one more try; a refused
                # connection, a 404 or garbage is not
                if error.status not in (502, 503, 504) or attempt >= self.retries:
                    raise
            attempt += 1
            self._sleep(self.retry_delay)

    def post(self, path: str, payload: Json):
        """POST `payload` as JSON; returns the JSON answer."""
        return self.get(path, method="POST", payload=payload)

    def _request(self, path: str, method: str, payload: Optional[dict[str, Any]] = None) -> Any:
        url = self.url + path
        headers = {"Accept": "application/json"}
        data = None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(url, method=method, headers=headers, data=data)
        where = f"{method} {path}" if method != "GET" else path
        try:
            with self._open(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            body = _read_body(error)
            if error.code == 500 and any(marker in body for marker in TRANSIENT_MARKERS):
                raise NotSampled(f"{where}: no value yet (vertex initializing or finished)", 500) from None
            raise RestError(
                f"{self.url} answered HTTP {error.code} for {where}: {_flink_error(body)}", error.code
            ) from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise RestError(f"no answer from {self.url} within {self.timeout:g} s ({where})") from None
            if isinstance(reason, ConnectionRefusedError):
                raise RestError(f"cannot reach the Flink REST API at {self.url}: connection refused") from None
            raise RestError(f"cannot reach the Flink REST API at {self.url}: {reason}") from None
        except (socket.timeout, TimeoutError):
            raise RestError(f"no answer from {self.url} within {self.timeout:g} s ({where})") from None
        except (ConnectionError, OSError) as error:  # reset or closed mid-answer
            raise RestError(f"connection to {self.url} failed during {where}: {error}", 503) from None
        if method != "GET" and not raw.strip():
            return {}
        try:
            return json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            preview = raw[:60].decode("utf-8", "replace").replace("\n", " ")
            raise RestError(f"{self.url} answered {where} with something that is not JSON: `{preview}`") from None

    def cancel(self, job_id: str) -> None:
        self.get(f"/jobs/{job_id}?mode=cancel", method="PATCH")


def _read_body(error: urllib.error.HTTPError) -> str:
    try:
        return error.read().decode("utf-8", "replace")
    except Exception:  # the body of an error is a courtesy: never fail on it
        return ""
