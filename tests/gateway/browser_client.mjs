// A browser-style Trellis Chat client: fetch + ReadableStream reader + TextDecoder, exactly as
// the typical example in the Trellis Chat docs reads a turn's Server-Sent Events.
//
//   node tests/gateway/browser_client.mjs <gateway_url> <token> <chat_id> <question>
//
// Prints one JSON summary on stdout:
//   {"status", "events": [{"event", "data"}...], "comments", "deltas", "message", "error"}
// Exit codes: 0 the turn ended with `message`; 1 network or HTTP error (the error body is printed
// on stderr and in the summary); 2 the stream ended with an `error` event or without a final event.

const [baseUrl, token, chatId, question] = process.argv.slice(2);
if (!baseUrl || token === undefined || !chatId || question === undefined) {
  console.error("usage: node browser_client.mjs <gateway_url> <token> <chat_id> <question>");
  process.exit(64);
}

function summary(extra) {
  return JSON.stringify({ status: null, events: [], comments: 0, deltas: "", message: null, error: null, ...extra });
}

async function main() {
  let response;
  try {
    response = await fetch(`${baseUrl.replace(/\/$/, "")}/v1/chats`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        Accept: "text/event-stream",
      },
      body: JSON.stringify({ chat_id: chatId, message: question }),
    });
  } catch (err) {
    const detail = `network error: ${err.message}${err.cause ? ` (${err.cause.code || err.cause.message})` : ""}`;
    console.error(detail);
    console.log(summary({ error: { kind: "network", detail } }));
    return 1;
  }

  if (!response.ok) {
    const body = await response.text();
    console.error(`HTTP ${response.status}: ${body}`);
    let parsed = null;
    try {
      parsed = JSON.parse(body);
    } catch {
      // not JSON: keep the raw text
    }
    console.log(summary({ status: response.status, error: { kind: "http", status: response.status, body: parsed ?? body } }));
    return 1;
  }

  const events = [];
  let comments = 0;
  let deltas = "";
  let message = null;
  let errorEvent = null;

  const handleBlock = (block) => {
    let event = "message"; // the SSE default event name
    const data = [];
    for (const line of block.split("\n")) {
      if (line === "") continue;
      if (line.startsWith(":")) {
        comments += 1; // keepalive comment: ignore
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length === 0) return; // comment-only block (or an empty one): no event
    const payload = JSON.parse(data.join("\n"));
    events.push({ event, data: payload });
    if (event === "text_delta") deltas += payload.content;
    else if (event === "message") message = payload;
    else if (event === "error") errorEvent = payload;
  };

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let boundary;
      while ((boundary = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        handleBlock(block);
      }
    }
    buffer += decoder.decode();
    if (buffer.trim() !== "") handleBlock(buffer); // a last event without its blank line
  } catch (err) {
    const detail = `network error while streaming: ${err.message}`;
    console.error(detail);
    console.log(summary({ status: response.status, events, comments, deltas, message, error: { kind: "network", detail } }));
    return 1;
  }

  const error = errorEvent ? { kind: "event", ...errorEvent } : message ? null : { kind: "incomplete" };
  console.log(summary({ status: response.status, events, comments, deltas, message, error }));
  return error ? 2 : 0;
}

process.exitCode = await main();
