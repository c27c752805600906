"""Image captions from an OpenAI-compatible vision model, when one is configured.

Without one (or when it fails) the caption is the factual description parsers.image.describe_image
makes from the image itself; a model caption is added in front of it, never instead of it.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import httpx

log = logging.getLogger(__name__)
PROMPT = (
    "Describe this image factually for someone searching their files: what it shows, any text, "
    "numbers, chart titles or axis labels you can read. Two to five sentences, no speculation."
)


class VisionCaptioner:
    def __init__(self, base_url: str, api_key: str, model: str, *, timeout: float, max_bytes: int) -> None:
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._model = model
        self._timeout = timeout
        self._max_bytes = max_bytes

    def caption(self, path: Path, mime: str) -> str | None:
        """The model's caption, or None (too big, unreachable, refused): the upload never fails for it."""
        if path.stat().st_size > self._max_bytes:
            return None
        image = base64.b64encode(path.read_bytes()).decode()
        body = {
            "model": self._model,
            "max_tokens": 300,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": PROMPT},
                        {"type": "image_url", "image_url": {"url": f"data:{mime};base64,{image}"}},
                    ],
                }
            ],
        }
        try:
            resp = httpx.post(self._url, json=body, headers=self._headers, timeout=self._timeout)
            resp.raise_for_status()
            text = resp.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("vision caption failed, keeping the factual description: %s", exc)
            return None
        return text.strip() if isinstance(text, str) and text.strip() else None
