// The public HTTP API (docs/api.md), from the browser: the session (JWT), JSON routes, uploads.

const SESSION_KEY = "trellis.console.session";
const REFRESH_MARGIN_MS = 10 * 60 * 1000; // authenticate again 10 minutes before the token expires
const MIN_REFRESH_DELAY_MS = 5 * 1000;

/** An error of the API: `{detail, code, debug_id}` (+ retry_after_seconds / Retry-After). */
export class ApiError extends Error {
  constructor({ status = 0, code = "NETWORK_ERROR", detail = "", debugId = "", retryAfter = null, retryable = null }) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.debugId = debugId;
    this.retryAfter = retryAfter; // seconds, or null
    // Retryable per docs/api.md's error table: 429, 5xx, or what an `error` event said.
    this.retryable = retryable ?? (status === 429 || status >= 500 || status === 0);
  }

  /** From a turn's `error` event (SSE or WebSocket). */
  static fromEvent(data) {
    return new ApiError({
      code: data.code || "INTERNAL",
      detail: data.error || "",
      debugId: data.debug_id || "",
      retryAfter: data.retry_after_seconds ?? null,
      retryable: Boolean(data.retryable),
    });
  }

  /** From a non-2xx HTTP answer (its JSON error body and Retry-After header). */
  static async fromResponse(resp) {
    let body = {};
    try {
      body = await resp.json();
    } catch {
      // not JSON: keep the status only
    }
    const header = Number.parseInt(resp.headers.get("Retry-After") || "", 10);
    return new ApiError({
      status: resp.status,
      code: body.code || `HTTP_${resp.status}`,
      detail: body.detail || resp.statusText,
      debugId: body.debug_id || "",
      retryAfter: Number.isFinite(header) ? header : (body.retry_after_seconds ?? null),
    });
  }
}

/**
 * The signed-in person. The JWT (and its expiry) is kept in sessionStorage, so a reload of the tab
 * keeps the session; the API key is kept in memory only and used to authenticate again before the
 * token expires (the API has no refresh route). After a reload, without the key, the session ends
 * when the token does.
 */
export class Session extends EventTarget {
  #apiKey = null;
  #timer = null;

  constructor() {
    super();
    this.token = null;
    this.email = null;
    this.memberId = null;
    this.expiresAt = 0; // ms since the epoch
    const saved = sessionStorage.getItem(SESSION_KEY);
    if (saved) {
      try {
        const s = JSON.parse(saved);
        if (s.token && s.expiresAt > Date.now() + 5000) Object.assign(this, s);
      } catch {
        sessionStorage.removeItem(SESSION_KEY);
      }
    }
    if (this.token) this.#schedule();
  }

  get signedIn() {
    return Boolean(this.token);
  }

  get canRefresh() {
    return Boolean(this.#apiKey);
  }

  async signIn(apiKey, email) {
    const resp = await fetch("/v1/authenticate", {
      method: "POST",
      headers: { "X-API-Key": apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ email }),
    });
    if (!resp.ok) throw await ApiError.fromResponse(resp);
    const body = await resp.json();
    this.#apiKey = apiKey;
    this.token = body.token;
    this.email = email;
    this.memberId = body.member_id;
    this.expiresAt = Date.parse(body.expires_at) || Date.now() + 6 * 3600 * 1000;
    sessionStorage.setItem(
      SESSION_KEY,
      JSON.stringify({ token: this.token, email, memberId: this.memberId, expiresAt: this.expiresAt }),
    );
    this.#schedule();
    this.dispatchEvent(new Event("token"));
    return body;
  }

  /** Authenticate again with the key kept in memory: a new token, with fresh per-token budgets. */
  async refresh() {
    if (!this.#apiKey) throw new ApiError({ status: 401, code: "UNAUTHENTICATED", detail: "Sign in again" });
    return this.signIn(this.#apiKey, this.email);
  }

  signOut(reason = "") {
    clearTimeout(this.#timer);
    this.#apiKey = null;
    this.token = null;
    this.expiresAt = 0;
    sessionStorage.removeItem(SESSION_KEY);
    this.dispatchEvent(new CustomEvent("signedout", { detail: reason }));
  }

  #schedule() {
    clearTimeout(this.#timer);
    const left = this.expiresAt - Date.now();
    const delay = Math.max(MIN_REFRESH_DELAY_MS, left - Math.min(REFRESH_MARGIN_MS, left / 5));
    this.#timer = setTimeout(() => this.#onTimer(), Math.min(delay, 2 ** 31 - 1));
  }

  async #onTimer() {
    if (this.#apiKey) {
      try {
        await this.refresh();
        return;
      } catch (err) {
        console.warn("token refresh failed", err);
      }
    }
    if (Date.now() >= this.expiresAt - 1000) this.signOut("Your session expired: sign in again.");
    else this.#schedule();
  }
}

/** The JSON routes; a 401 with the key still in memory authenticates again and retries once. */
export class Api {
  constructor(session) {
    this.session = session;
  }

  headers(extra = {}) {
    return { Authorization: `Bearer ${this.session.token}`, ...extra };
  }

  /** fetch() with the token; non-2xx answers become ApiErrors. Returns the Response. */
  async fetch(method, path, { body, headers = {}, signal } = {}) {
    for (let attempt = 0; ; attempt++) {
      const init = { method, headers: this.headers(headers), signal };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers["Content-Type"] = "application/json";
      }
      let resp;
      try {
        resp = await fetch(path, init);
      } catch (err) {
        if (err.name === "AbortError") throw err;
        throw new ApiError({ code: "NETWORK_ERROR", detail: `The gateway cannot be reached (${err.message})` });
      }
      if (resp.ok) return resp;
      if (resp.status === 401 && attempt === 0 && this.session.canRefresh) {
        await this.session.refresh();
        continue;
      }
      const err = await ApiError.fromResponse(resp);
      if (resp.status === 401) this.session.signOut(`${err.code}: ${err.detail}`);
      throw err;
    }
  }

  async json(method, path, body) {
    const resp = await this.fetch(method, path, { body });
    return resp.status === 204 ? null : resp.json();
  }

  listModels() {
    return this.json("GET", "/v1/models");
  }

  listIntegrations() {
    return this.json("GET", "/v1/integrations");
  }

  listChats(page = 1) {
    return this.json("GET", `/v1/chats?page=${encodeURIComponent(page)}`);
  }

  getChat(chatId) {
    return this.json("GET", `/v1/chats/${encodeURIComponent(chatId)}`);
  }

  createChat({ title, integrationId }) {
    const body = {};
    if (title) body.title = title;
    if (integrationId) body.integration_id = integrationId;
    return this.json("POST", "/v1/chats/create", body);
  }

  renameChat(chatId, title) {
    return this.json("PUT", `/v1/chats/${encodeURIComponent(chatId)}`, { title });
  }

  deleteChat(chatId) {
    return this.json("DELETE", `/v1/chats/${encodeURIComponent(chatId)}`);
  }

  deleteMessage(chatId, messageId) {
    return this.json("DELETE", `/v1/chats/${encodeURIComponent(chatId)}/messages/${encodeURIComponent(messageId)}`);
  }

  feedback(messageId, feedback) {
    return this.json("PATCH", `/v1/chats/messages/${encodeURIComponent(messageId)}/feedback`, { feedback });
  }

  deleteUpload(uploadId) {
    return this.json("DELETE", `/v1/chats/uploads/${encodeURIComponent(uploadId)}`);
  }

  /**
   * POST /v1/chats/uploads with XMLHttpRequest, for its upload progress events (fetch has none).
   * onProgress(loaded, total) follows the request body; resolves with the answer's JSON
   * (`uploads` and the per-file `errors` of a partial success), rejects with an ApiError.
   */
  upload(chatId, files, onProgress) {
    const form = new FormData();
    form.append("chat_id", chatId);
    for (const file of files) form.append("files", file, file.name);
    const send = () =>
      new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open("POST", "/v1/chats/uploads");
        xhr.setRequestHeader("Authorization", `Bearer ${this.session.token}`);
        xhr.responseType = "json";
        xhr.upload.addEventListener("progress", (e) => {
          if (e.lengthComputable) onProgress(e.loaded, e.total);
        });
        xhr.addEventListener("load", () => resolve(xhr));
        xhr.addEventListener("error", () =>
          reject(new ApiError({ code: "NETWORK_ERROR", detail: "The upload did not reach the gateway" })),
        );
        xhr.send(form);
      });
    return send().then(async (xhr) => {
      let done = xhr;
      if (done.status === 401 && this.session.canRefresh) {
        await this.session.refresh();
        done = await send();
      }
      if (done.status >= 200 && done.status < 300) return done.response;
      const body = done.response || {};
      const header = Number.parseInt(done.getResponseHeader("Retry-After") || "", 10);
      throw new ApiError({
        status: done.status,
        code: body.code || `HTTP_${done.status}`,
        detail: body.detail || done.statusText,
        debugId: body.debug_id || "",
        retryAfter: Number.isFinite(header) ? header : (body.retry_after_seconds ?? null),
      });
    });
  }
}
