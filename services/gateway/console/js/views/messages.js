// One message of a chat: the user's question (edit, delete, attached files) and the assistant's
// answer (processing statuses, visualizations as they arrive, streamed text reconciled with the
// final message, collapsible SQL, errors with a retry after Retry-After, feedback thumbs).

import { renderVisualization } from "../charts.js";
import { formatBytes, formatTime, h } from "../dom.js";
import { icon } from "../icons.js";
import { renderMarkdown, sqlBlock } from "../markdown.js";

const STATUS_TEXT = {
  starting: "Starting",
  thinking: "Thinking",
  analyzing: "Analyzing the question",
  processing: "Running the query",
};

export class UserMessageView {
  constructor({ id = null, content, timestamp = null, uploads = [] }, handlers) {
    this.id = id;
    this.content = content;
    this.uploads = uploads;
    this.handlers = handlers;
    this.text = h("p", { class: "user-text" }, content);
    this.editButton = h("button", { type: "button", class: "edit", onclick: () => this.startEditing() }, "Edit");
    this.deleteButton = h("button", { type: "button", class: "delete", onclick: () => handlers.onDelete(this) }, "Delete");
    this.time = h("time", {}, timestamp ? formatTime(timestamp) : "");
    this.el = h(
      "li",
      { class: "msg user", "aria-label": "Your message" },
      h("div", { class: "msg-head" }, h("span", { class: "role" }, "You"), this.time),
      this.text,
      this.filesList(),
      h("div", { class: "msg-actions" }, this.editButton, this.deleteButton),
    );
    this.setId(id);
  }

  filesList() {
    if (!this.uploads.length) return null;
    return h(
      "ul",
      { class: "files", "aria-label": "Attached files" },
      this.uploads.map((u) =>
        h(
          "li",
          { dataset: { uploadId: u.id } },
          icon("clip"),
          /^https?:\/\//.test(u.presigned_url || "")
            ? h("a", { href: u.presigned_url, target: "_blank", rel: "noopener noreferrer" }, u.filename)
            : u.filename,
          u.file_size ? ` (${formatBytes(u.file_size)})` : "",
        ),
      ),
    );
  }

  setId(id) {
    this.id = id;
    if (id) this.el.dataset.messageId = id;
    this.setBusy(false);
  }

  setBusy(busy) {
    this.editButton.disabled = busy || !this.id;
    this.deleteButton.disabled = busy || !this.id;
  }

  startEditing() {
    const area = h("textarea", { "aria-label": "Edit your message", rows: "3" });
    area.value = this.content;
    const cancel = () => box.replaceWith(this.text);
    const save = () => {
      const value = area.value.trim();
      if (!value) return;
      box.replaceWith(this.text);
      this.handlers.onEdit(this, value);
    };
    area.addEventListener("keydown", (e) => {
      if (e.key === "Escape") cancel();
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        save();
      }
    });
    const box = h(
      "div",
      { class: "edit-box" },
      area,
      h(
        "div",
        { class: "msg-actions" },
        h("button", { type: "button", class: "primary small save-edit", onclick: save }, "Save and ask again"),
        h("button", { type: "button", class: "small", onclick: cancel }, "Cancel"),
      ),
    );
    this.text.replaceWith(box);
    area.focus();
  }
}

export class AssistantMessageView {
  constructor({ id = null, content = "", metadata = {}, timestamp = null } = {}, handlers) {
    this.handlers = handlers;
    this.id = null;
    this.content = content;
    this.deltas = "";
    this.openSql = new Set();
    this.metadata = metadata;
    this.statuses = h("ol", { class: "statuses", "aria-label": "Progress" });
    this.vizBox = h("div", { class: "visualizations" });
    this.textBox = h("div", { class: "msg-text" });
    this.errorBox = h("div", { class: "error-box", role: "alert", hidden: true });
    this.tags = h("span", { class: "tags" });
    this.model = h("span", { class: "model" }, metadata.model || "");
    this.time = h("time", {}, timestamp ? formatTime(timestamp) : "");
    this.up = h("button", { type: "button", class: "thumb-up", "aria-label": "Helpful", "aria-pressed": "false", onclick: () => this.rate("positive") }, icon("thumbUp"));
    this.down = h("button", { type: "button", class: "thumb-down", "aria-label": "Not helpful", "aria-pressed": "false", onclick: () => this.rate("negative") }, icon("thumbDown"));
    this.deleteButton = h("button", { type: "button", class: "delete", onclick: () => handlers.onDelete(this) }, "Delete");
    this.el = h(
      "li",
      { class: "msg assistant", "aria-label": "Answer" },
      h("div", { class: "msg-head" }, h("span", { class: "role" }, "Assistant"), this.model, this.time, this.tags),
      this.statuses,
      this.vizBox,
      this.textBox,
      this.errorBox,
      h("div", { class: "msg-actions" }, this.up, this.down, this.deleteButton),
    );
    this.setFeedback(metadata.feedback);
    this.setId(id);
    if (id) this.showStored();
  }

  setId(id) {
    this.id = id;
    if (id) this.el.dataset.messageId = id;
    this.setBusy(false);
  }

  setBusy(busy) {
    for (const b of [this.up, this.down, this.deleteButton]) b.disabled = busy || !this.id;
  }

  /** An answer from the history: its visualizations, text and SQL, and how it ended. */
  showStored() {
    for (const viz of this.metadata.visualizations || []) this.vizBox.append(renderVisualization(viz));
    this.renderText(this.content);
    if (this.metadata.sql && !/```sql/i.test(this.content)) this.textBox.append(sqlBlock(this.metadata.sql));
    if (this.metadata.interrupted) this.tag("Interrupted", "warn");
    if (this.metadata.error_code) this.tag(this.metadata.error_code, "err");
  }

  // --- a streaming turn -----------------------------------------------------------------

  start() {
    this.el.classList.add("streaming");
    this.el.setAttribute("aria-busy", "true");
    this.setBusy(true);
  }

  status(status) {
    for (const li of this.statuses.children) li.classList.remove("current");
    this.statuses.append(h("li", { class: "current", dataset: { status } }, STATUS_TEXT[status] || status));
  }

  visualization(viz) {
    this.doneStatuses();
    this.vizBox.append(renderVisualization(viz));
  }

  delta(piece) {
    this.doneStatuses();
    this.deltas += piece;
    if (!this.frame) {
      // Markdown is rendered at most once a frame, however fast the pieces come.
      this.frame = requestAnimationFrame(() => {
        this.frame = null;
        this.renderText(this.deltas);
      });
    }
  }

  /** The `message` event: the stored answer. Its content is authoritative over the deltas. */
  message(data) {
    this.content = data.content;
    if (this.deltas && this.deltas !== data.content) {
      console.warn("text_delta pieces differ from the final message: showing the message");
    }
    this.end();
    this.renderText(data.content);
    this.setId(data.id);
  }

  interrupted() {
    this.end();
    this.renderText(this.deltas);
    this.tag("Interrupted", "warn");
  }

  /** An error: its code, detail and debug id; a retry button, enabled after Retry-After. */
  error(err, retry) {
    this.end();
    this.renderText(this.deltas);
    this.tag(err.code, "err");
    clearInterval(this.countdown);
    const button = retry && err.retryable ? h("button", { type: "button", class: "small retry" }, "Retry") : null;
    this.errorBox.replaceChildren(
      h("div", {}, h("code", { class: "code" }, err.code), " ", err.detail),
      err.debugId ? h("div", { class: "debug" }, `debug id ${err.debugId}`) : null,
      button,
    );
    this.errorBox.hidden = false;
    if (!button) return;
    button.addEventListener("click", () => {
      clearInterval(this.countdown);
      retry();
    });
    let left = Number(err.retryAfter) || 0;
    const tick = () => {
      if (left > 0) {
        button.disabled = true;
        button.textContent = `Retry in ${left} s`;
        left -= 1;
      } else {
        clearInterval(this.countdown);
        button.disabled = false;
        button.textContent = "Retry";
      }
    };
    tick();
    if (left >= 0 && button.disabled) this.countdown = setInterval(tick, 1000);
  }

  end() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.doneStatuses();
    this.el.classList.remove("streaming");
    this.el.removeAttribute("aria-busy");
    this.setBusy(false);
  }

  doneStatuses() {
    for (const li of this.statuses.children) li.classList.remove("current");
  }

  renderText(text) {
    // Keep the SQL blocks the reader opened while the text re-renders.
    for (const d of this.textBox.querySelectorAll("details.sql")) {
      if (d.open) this.openSql.add(Number(d.dataset.sqlIndex));
      else this.openSql.delete(Number(d.dataset.sqlIndex));
    }
    const { nodes } = renderMarkdown(text, { openSql: this.openSql });
    this.textBox.replaceChildren(...nodes);
  }

  tag(text, kind) {
    this.tags.append(h("span", { class: `tag ${kind}` }, text));
  }

  setFeedback(value) {
    this.feedback = value || null;
    this.up.setAttribute("aria-pressed", String(value === "positive"));
    this.down.setAttribute("aria-pressed", String(value === "negative"));
  }

  async rate(value) {
    const previous = this.feedback;
    this.setFeedback(value);
    try {
      await this.handlers.onFeedback(this, value);
    } catch (err) {
      this.setFeedback(previous);
      this.handlers.onError(err);
    }
  }
}
