// The open chat: its history (GET /v1/chats/{id}), asking (send), editing (re-stream), deleting,
// feedback, stopping a turn, and retrying one that failed.

import { ApiError } from "../api.js";
import { disposeDetachedCharts } from "../charts.js";
import { $, h } from "../dom.js";
import { AssistantMessageView, UserMessageView } from "./messages.js";

export class Conversation {
  constructor(api, { transport, uploads, pickers, onChatCreated, onTurnEnded, onError }) {
    this.api = api;
    this.transport = transport; // () => the transport of the selected mode
    this.uploads = uploads;
    this.pickers = pickers; // {integration(): id|"", model(): id|"", setIntegration(id), reset()}
    this.onChatCreated = onChatCreated;
    this.onTurnEnded = onTurnEnded;
    this.onError = onError;
    this.chat = null; // {id, title, integration_id}
    this.views = [];
    this.busy = false;
    this.abort = null;
    this.list = $("#messages");
    this.title = $("#chat-title");
    this.hint = $("#empty-hint");
    this.status = $("#turn-status");
    this.sendButton = $("#send");
    this.stopButton = $("#stop");
    this.question = $("#question");
    this.stopButton.addEventListener("click", () => this.stop());
    // Follow a streaming answer while the reader is at the bottom; stop following when they scroll up.
    this.stick = true;
    this.list.addEventListener("scroll", () => {
      this.stick = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 60;
    });
    this.handlers = {
      onEdit: (view, content) => this.edit(view, content),
      onDelete: (view) => this.deleteFrom(view),
      onFeedback: (view, value) => this.api.feedback(view.id, value),
      onError: (err) => this.onError(err),
    };
  }

  get chatId() {
    return this.chat?.id ?? null;
  }

  /** An empty conversation; the first question (or upload) creates the chat. */
  newChat() {
    this.chat = null;
    this.title.textContent = "New chat";
    this.pickers.reset();
    this.setViews([]);
    this.uploads.reset();
  }

  async open(chatId) {
    const chat = await this.api.getChat(chatId);
    this.chat = { id: chat.id, title: chat.title, integration_id: chat.integration_id || "" };
    this.title.textContent = chat.title;
    this.pickers.setIntegration(chat.integration_id || "");
    this.uploads.reset();
    const views = chat.messages.map((m) =>
      m.role === "user"
        ? new UserMessageView({ id: m.id, content: m.content, timestamp: m.timestamp, uploads: m.metadata?.uploads || [] }, this.handlers)
        : new AssistantMessageView({ id: m.id, content: m.content, metadata: m.metadata || {}, timestamp: m.timestamp }, this.handlers),
    );
    this.setViews(views);
    this.list.scrollTop = this.list.scrollHeight;
  }

  renamed(id, title) {
    if (this.chat?.id === id) {
      this.chat.title = title;
      this.title.textContent = title;
    }
  }

  setViews(views) {
    this.views = views;
    this.list.replaceChildren(...views.map((v) => v.el));
    this.hint.hidden = views.length > 0;
    disposeDetachedCharts();
  }

  /** Removes `view` and every message after it (what the API does on delete and edit). */
  truncateFrom(view) {
    const i = this.views.indexOf(view);
    if (i < 0) return;
    for (const v of this.views.splice(i)) v.el.remove();
    this.hint.hidden = this.views.length > 0;
    disposeDetachedCharts();
  }

  async ensureChat(titleHint) {
    if (this.chat) return this.chat.id;
    const integrationId = this.pickers.integration();
    const title = titleHint.length > 60 ? `${titleHint.slice(0, 59)}…` : titleHint;
    const chat = await this.api.createChat({ title, integrationId });
    this.chat = { id: chat.id, title: chat.title, integration_id: chat.integration_id || "" };
    this.title.textContent = chat.title;
    this.onChatCreated(chat);
    return chat.id;
  }

  setBusy(busy) {
    this.busy = busy;
    this.sendButton.disabled = busy;
    this.stopButton.hidden = !busy;
    for (const v of this.views) v.setBusy(busy);
    document.body.dispatchEvent(new CustomEvent("turn-busy", { detail: busy }));
  }

  turnParams() {
    const params = {};
    const integration = this.pickers.integration();
    const model = this.pickers.model();
    if (integration) params.integration_id = integration;
    if (model) params.model = model;
    return params;
  }

  async ask(text) {
    if (this.busy || !text.trim()) return;
    let chatId;
    try {
      chatId = await this.ensureChat(text);
    } catch (err) {
      this.onError(err);
      return;
    }
    const uploads = this.uploads.take();
    const user = new UserMessageView({ content: text, uploads }, this.handlers);
    const body = { chat_id: chatId, message: text, ...this.turnParams() };
    if (uploads.length) body.upload_ids = uploads.map((u) => u.id);
    await this.runTurn("send", body, user);
  }

  async edit(userView, content) {
    if (this.busy || !userView.id) return;
    this.truncateFrom(userView);
    const user = new UserMessageView({ content, uploads: userView.uploads }, this.handlers);
    const params = { chat_id: this.chatId, message_id: userView.id, content, ...this.turnParams() };
    await this.runTurn("edit", params, user);
  }

  /** One turn: the user message and an answer that fills in as the events arrive. */
  async runTurn(kind, params, user) {
    const answer = new AssistantMessageView({}, this.handlers);
    this.views.push(user, answer);
    this.list.append(user.el, answer.el);
    this.hint.hidden = true;
    answer.start();
    this.stick = true;
    this.follow();
    this.setBusy(true);
    this.announce("Sending the question");
    this.abort = new AbortController();
    const onEvent = (event, data) => {
      switch (event) {
        case "chat_metadata":
          user.setId(data.user_message_id);
          user.setBusy(true);
          break;
        case "processing":
          answer.status(data.status);
          this.announce(`${data.status}…`);
          break;
        case "visualization":
          answer.visualization(data);
          break;
        case "text_delta":
          answer.delta(data.content);
          break;
        default:
          break; // message, error, interrupted: handled when the turn resolves
      }
      this.follow();
    };
    const retry = () => this.retry(user, answer, kind, params);
    let outcome = null;
    try {
      outcome = await this.transport().run(kind, params, onEvent, this.abort.signal);
    } catch (thrown) {
      // Refused before the stream (e.g. 429 with Retry-After), or cut off; a bug shows up here too.
      const err = thrown instanceof ApiError ? thrown : new ApiError({ code: "CONSOLE_ERROR", detail: String(thrown) });
      answer.error(err, retry);
      this.announce(`Error ${err.code}`);
    }
    this.abort = null;
    if (outcome?.outcome === "message") {
      answer.message(outcome.data);
      this.announce("Answer ready");
    } else if (outcome?.outcome === "error") {
      answer.error(ApiError.fromEvent(outcome.data), retry);
      this.announce(`Error ${outcome.data.code}`);
    } else if (outcome?.outcome === "interrupted") {
      answer.interrupted();
      this.announce("Stopped");
    }
    this.setBusy(false);
    this.follow();
    if (outcome?.outcome !== "message") await this.syncIds(user, answer);
    this.onTurnEnded();
  }

  /** A turn that ended without `message` has stored messages whose ids we were not told. */
  async syncIds(user, answer) {
    if (!this.chatId || !user.id) return;
    // A hung-up SSE turn is stored by the server as it notices: look a few times.
    for (let attempt = 0; attempt < 10 && !answer.id; attempt++) {
      if (attempt) await new Promise((resolve) => setTimeout(resolve, 300));
      try {
        const chat = await this.api.getChat(this.chatId);
        const i = chat.messages.findIndex((m) => m.id === user.id);
        const stored = i >= 0 ? chat.messages[i + 1] : null;
        if (stored?.role === "assistant") answer.setId(stored.id);
      } catch {
        return; // the ids stay unknown: reopening the chat shows them
      }
    }
  }

  /** Retry: a stored question is edited with the same text (re-streaming it); else sent again. */
  async retry(user, answer, kind, params) {
    if (this.busy) return;
    if (user.id) {
      await this.edit(user, user.content);
      return;
    }
    this.truncateFrom(user);
    const again = new UserMessageView({ content: user.content, uploads: user.uploads }, this.handlers);
    await this.runTurn(kind, params, again);
  }

  stop() {
    if (!this.busy) return;
    this.announce("Stopping");
    if (this.transport().name === "ws") this.transport().interrupt();
    else this.abort?.abort();
  }

  async deleteFrom(view) {
    if (this.busy || !view.id) return;
    const later = this.views.length - this.views.indexOf(view) - 1;
    const what = later > 0 ? `this message and the ${later} after it` : "this message";
    if (!window.confirm(`Delete ${what}?`)) return;
    try {
      await this.api.deleteMessage(this.chatId, view.id);
      this.truncateFrom(view);
      this.onTurnEnded();
    } catch (err) {
      this.onError(err);
    }
  }

  follow() {
    if (this.stick) requestAnimationFrame(() => (this.list.scrollTop = this.list.scrollHeight));
  }

  announce(text) {
    this.status.textContent = text;
  }
}

export function showBanner(err) {
  const box = h(
    "div",
    { class: "error-box banner", role: "alert" },
    h("code", {}, err.code || "ERROR"),
    " ",
    err.detail || err.message || String(err),
    err.debugId ? h("span", { class: "debug" }, ` (debug id ${err.debugId})`) : null,
    " ",
    h("button", { type: "button", class: "small", onclick: () => box.remove() }, "Dismiss"),
  );
  $("#conversation").prepend(box);
  setTimeout(() => box.remove(), 15000);
}
