"""The README's quick start works as written: its curl and grpcurl blocks, run by bash on a real stack."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from devstack.demo import setup_demo
from devstack.stack import Stack
from tests.turn_clients import parse_sse

ROOT = Path(__file__).resolve().parents[2]


def _block(name: str) -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split(f"<!-- {name}:begin")[1].split(f"<!-- {name}:end -->")[0]
    return section.split("```bash\n")[1].split("```")[0]


def _grpc_events(text: str) -> list[dict]:
    decoder, out, pos = json.JSONDecoder(), [], 0
    while pos < len(text.rstrip()):
        obj, pos = decoder.raw_decode(text, pos)
        out.append(obj["event"])
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def test_the_quick_start_asks_a_question_and_streams_the_answer(stack: Stack) -> None:
    env = {k: v for k, v in stack.service_env().items() if not k.startswith("DEMO_")}
    setup_demo(env)  # what scripts/run does before it prints the commands
    script = _block("quickstart") + "\necho '=== grpc'\n" + _block("grpcurl")
    script = script.replace("http://127.0.0.1:8000", stack.gateway_url)
    script = script.replace("data/secrets/", f"{stack.data_dir}/secrets/")
    script = script.replace("127.0.0.1:50051", stack.chat_target).replace(".venv/bin/", f"{ROOT}/.venv/bin/")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sse, grpc = done.stdout.split("=== grpc\n")

    events = parse_sse(sse)
    names = [name for name, _ in events]
    assert names[0] == "chat_metadata" and names[-1] == "message", names
    assert "visualization" in names
    text = "".join(data["content"] for name, data in events if name == "text_delta")
    answer = events[-1][1]["content"]
    assert text == answer
    assert re.search(r"North America [\d,]+\.\d\d", answer) and "```sql" in answer

    turn = _grpc_events(grpc)
    assert "chat_metadata" in turn[0] and "message" in turn[-1], turn
    assert re.search(r"\d", turn[-1]["message"]["content"])
