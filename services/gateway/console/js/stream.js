// Turns as streams of events (docs/api.md "Turn events"), over SSE or the WebSocket.
//
// Both transports have the same shape: run(kind, params, onEvent, signal) calls onEvent(name, data)
// for every event of the turn and resolves with {outcome: "message" | "error" | "interrupted", data}
// when it ends; it rejects with an ApiError when the turn is refused before it starts.
// kind "send": params are the body of POST /v1/chats; kind "edit": {chat_id, message_id, content, …}.

import { ApiError } from "./api.js";

const FINAL = new Set(["message", "error", "interrupted"]);

/**
 * Server-sent events from a fetch() body: `event: <name>\ndata: <json>\n\n` blocks; comment lines
 * (`: keepalive`) are skipped. Yields {event, data} with data parsed as JSON.
 */
export async function* parseSse(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const parsed = parseBlock(block);
        if (parsed) yield parsed;
      }
    }
    const last = parseBlock(buffer);
    if (last) yield last;
  } finally {
    reader.releaseLock();
  }
}

function parseBlock(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  return { event, data: JSON.parse(data.join("\n")) };
}

/** POST /v1/chats (send) or PATCH /v1/chats/{chat_id}/messages/{message_id} (edit), read as SSE. */
export class SseTransport {
  constructor(api) {
    this.api = api;
    this.name = "sse";
  }

  async run(kind, params, onEvent, signal) {
    let method = "POST";
    let path = "/v1/chats";
    let body = params;
    if (kind === "edit") {
      const { chat_id: chatId, message_id: messageId, ...rest } = params;
      method = "PATCH";
      path = `/v1/chats/${encodeURIComponent(chatId)}/messages/${encodeURIComponent(messageId)}`;
      body = rest;
    }
    let resp;
    try {
      resp = await this.api.fetch(method, path, { body, headers: { Accept: "text/event-stream" }, signal });
    } catch (err) {
      if (err.name === "AbortError") return { outcome: "interrupted", data: { status: "stopped before it started" } };
      throw err;
    }
    try {
      for await (const { event, data } of parseSse(resp.body)) {
        onEvent(event, data);
        if (FINAL.has(event)) return { outcome: event, data };
      }
    } catch (err) {
      // Hanging up cancels the turn on the server; its partial answer is stored as interrupted.
      if (err.name === "AbortError") return { outcome: "interrupted", data: { status: "interrupted" } };
      throw new ApiError({ code: "NETWORK_ERROR", detail: `The stream broke off (${err.message})` });
    }
    throw new ApiError({ code: "NETWORK_ERROR", detail: "The stream ended before the answer was complete" });
  }
}

/**
 * One WebSocket (/v1/chats/ws?heartbeat=1), opened on first use and authenticated with a first
 * `authenticate` frame (browsers cannot set headers). One turn at a time; `interrupt()` stops it.
 * When the session's token changes, an idle socket is closed so that the next turn opens one
 * with the new token.
 */
export class WsTransport {
  constructor(session) {
    this.session = session;
    this.name = "ws";
    this.ws = null;
    this.ready = null; // Promise of an authenticated socket
    this.turn = null; // {onEvent, resolve, reject}
    this.tokenOfSocket = null;
    session.addEventListener("token", () => {
      if (!this.turn) this.close();
    });
  }

  close() {
    if (this.ws) this.ws.close(1000, "done");
    this.ws = null;
    this.ready = null;
  }

  connect() {
    if (this.ready && this.tokenOfSocket === this.session.token) return this.ready;
    this.close();
    const url = new URL("/v1/chats/ws?heartbeat=1", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url);
    this.ws = ws;
    this.tokenOfSocket = this.session.token;
    this.ready = new Promise((resolve, reject) => {
      let authenticated = false;
      ws.addEventListener("open", () => ws.send(JSON.stringify({ action: "authenticate", token: this.session.token })));
      ws.addEventListener("message", (e) => {
        let frame;
        try {
          frame = JSON.parse(e.data);
        } catch {
          return;
        }
        if (frame.event === "authenticated") {
          authenticated = true;
          resolve(ws);
        } else if (!authenticated && frame.event === "error") {
          reject(ApiError.fromEvent(frame.data)); // WS_CONNECTION_CAP, then close 4429
        } else {
          this.#dispatch(frame.event, frame.data);
        }
      });
      ws.addEventListener("close", (e) => {
        if (this.ws === ws) {
          this.ws = null;
          this.ready = null;
        }
        const err =
          e.code === 4001
            ? new ApiError({ status: 401, code: "UNAUTHENTICATED", detail: e.reason || "The WebSocket refused the token" })
            : e.code === 4429
              ? new ApiError({ code: "WS_CONNECTION_CAP", detail: e.reason || "Too many sockets for this token", retryable: true })
              : new ApiError({ code: "NETWORK_ERROR", detail: `The WebSocket closed (code ${e.code})` });
        if (!authenticated) reject(err);
        if (this.turn) {
          const { reject: rejectTurn } = this.turn;
          this.turn = null;
          rejectTurn(err);
        }
      });
    });
    this.ready.catch(() => {}); // handled by whoever awaits it
    return this.ready;
  }

  #dispatch(event, data) {
    if (event === "heartbeat" || event === "pong" || event === "authenticated") return;
    const turn = this.turn;
    if (!turn) return;
    turn.onEvent(event, data);
    if (FINAL.has(event)) {
      this.turn = null;
      turn.resolve({ outcome: event, data });
    }
  }

  async run(kind, params, onEvent, signal) {
    if (this.turn) throw new ApiError({ code: "TURN_IN_PROGRESS", detail: "A turn is already running on this socket" });
    let ws;
    try {
      ws = await this.connect();
    } catch (err) {
      if (err.status !== 401 || !this.session.canRefresh) throw err;
      await this.session.refresh(); // the token was refused (expired): authenticate again, once
      ws = await this.connect();
    }
    const frame =
      kind === "edit"
        ? { action: "edit_message", ...params }
        : { action: "send_message", ...params };
    const done = new Promise((resolve, reject) => {
      this.turn = { onEvent, resolve, reject };
    });
    signal?.addEventListener("abort", () => this.interrupt(), { once: true });
    ws.send(JSON.stringify(frame));
    return done;
  }

  /** Stops the running turn: the server answers `interrupted` and stores the partial answer. */
  interrupt() {
    if (this.turn && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ action: "interrupt" }));
  }
}
