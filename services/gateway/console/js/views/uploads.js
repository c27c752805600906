// Uploads: files dropped on the composer (or picked) go to POST /v1/chats/uploads, at most 5 per
// request, with a progress bar per file; the answer's per-file `errors` (a partial success) are
// shown on their files. Stored files wait as attachments of the next question (`upload_ids`).

import { $, formatBytes, h } from "../dom.js";
import { icon } from "../icons.js";

const MAX_FILES_PER_REQUEST = 5;

export class Uploads {
  /** ensureChat(): the chat id to upload to (a new chat is created when none is open). */
  constructor(api, { ensureChat, onError }) {
    this.api = api;
    this.ensureChat = ensureChat;
    this.onError = onError;
    this.pending = []; // stored uploads not yet attached to a question
    this.inFlight = 0;
    this.list = $("#upload-list");
    this.attachments = $("#attachments");
    this.input = $("#file-input");
    this.zone = $("#composer");
    this.input.addEventListener("change", () => {
      this.add([...this.input.files]);
      this.input.value = "";
    });
    let depth = 0; // dragenter/dragleave fire for every child element
    this.zone.addEventListener("dragenter", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth += 1;
      $("#dropzone").classList.add("dragging");
    });
    this.zone.addEventListener("dragover", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    });
    this.zone.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (!depth) $("#dropzone").classList.remove("dragging");
    });
    this.zone.addEventListener("drop", (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      $("#dropzone").classList.remove("dragging");
      this.add([...e.dataTransfer.files]);
    });
  }

  get busy() {
    return this.inFlight > 0;
  }

  /** Uploads `files`, 5 per request; resolves when every request has answered. */
  async add(files) {
    if (!files.length) return;
    let chatId;
    try {
      chatId = await this.ensureChat(files.map((f) => f.name).join(", "));
    } catch (err) {
      this.onError(err);
      return;
    }
    const batches = [];
    for (let i = 0; i < files.length; i += MAX_FILES_PER_REQUEST) batches.push(files.slice(i, i + MAX_FILES_PER_REQUEST));
    await Promise.all(batches.map((batch) => this.send(chatId, batch)));
  }

  async send(chatId, files) {
    const rows = files.map((file) => this.row(file));
    this.list.append(...rows.map((r) => r.el));
    this.inFlight += 1;
    this.zone.dispatchEvent(new Event("uploads-changed"));
    // One request carries the files one after the other: each file's bar follows its share of the body.
    const sizes = files.map((f) => f.size);
    const totalBytes = sizes.reduce((a, b) => a + b, 0) || 1;
    const onProgress = (loaded, total) => {
      const sent = (loaded / total) * totalBytes;
      let start = 0;
      rows.forEach((row, i) => {
        const done = sizes[i] ? Math.min(1, Math.max(0, (sent - start) / sizes[i])) : loaded >= total ? 1 : 0;
        row.progress.value = Math.round(done * 100);
        row.progress.setAttribute("aria-valuetext", `${row.progress.value}% sent`);
        start += sizes[i];
      });
    };
    try {
      const body = await this.api.upload(chatId, files, onProgress);
      const uploads = [...(body.uploads || [])];
      const errors = [...(body.errors || [])];
      rows.forEach((row, i) => {
        const file = files[i];
        const e = takeByName(errors, file.name);
        if (e) return row.failed(e.code, e.detail);
        const stored = takeByName(uploads, file.name);
        if (stored) {
          row.stored(stored);
          this.pending.push(stored);
        } else {
          row.failed("NOT_STORED", "The gateway did not report this file");
        }
      });
    } catch (err) {
      // Every file refused (the first refusal's error), or the whole request failed.
      rows.forEach((row, i) => {
        const named = err.detail?.startsWith(`${files[i].name}:`);
        if (rows.length === 1 || named) row.failed(err.code, err.detail, err.debugId);
        else row.failed(err.code, `Not stored: the request was refused (${err.detail})`);
      });
    } finally {
      this.inFlight -= 1;
      this.renderAttachments();
      this.zone.dispatchEvent(new Event("uploads-changed"));
    }
  }

  row(file) {
    const progress = h("progress", { max: "100", value: "0", "aria-label": `Upload of ${file.name}` });
    const state = h("span", { class: "state", role: "status" }, "Uploading…");
    const detail = h("span", { class: "detail", hidden: true });
    const el = h(
      "li",
      { class: "upload-item", dataset: { filename: file.name } },
      h("span", { class: "name", title: file.name }, `${file.name} (${formatBytes(file.size)})`),
      progress,
      state,
      detail,
    );
    return {
      el,
      progress,
      stored(upload) {
        progress.value = 100;
        el.dataset.uploadId = upload.id;
        el.classList.add("done");
        state.textContent = "✓ Stored";
        state.className = "state ok";
      },
      failed(code, message, debugId) {
        el.classList.add("failed");
        state.textContent = `✗ ${code}`;
        state.className = "state err";
        detail.textContent = message + (debugId ? ` (debug id ${debugId})` : "");
        detail.hidden = false;
        detail.setAttribute("role", "alert");
      },
    };
  }

  renderAttachments() {
    this.attachments.replaceChildren(
      ...this.pending.map((u) =>
        h(
          "li",
          { class: "attachment", dataset: { uploadId: u.id } },
          icon("clip"),
          h("span", {}, u.filename),
          h("button", { type: "button", "aria-label": `Remove ${u.filename}`, onclick: () => this.removePending(u) }, icon("close")),
        ),
      ),
    );
  }

  async removePending(upload) {
    this.pending = this.pending.filter((u) => u !== upload);
    this.renderAttachments();
    try {
      await this.api.deleteUpload(upload.id);
    } catch (err) {
      this.onError(err);
    }
  }

  /** The stored uploads for the next question; the finished progress rows are cleared. */
  take() {
    const taken = this.pending;
    this.pending = [];
    this.renderAttachments();
    for (const el of this.list.querySelectorAll(".upload-item.done")) el.remove();
    return taken;
  }

  /** Another chat was opened: uploads belong to a chat. */
  reset() {
    this.pending = [];
    this.renderAttachments();
    this.list.replaceChildren();
  }
}

function hasFiles(e) {
  return [...(e.dataTransfer?.types || [])].includes("Files");
}

function takeByName(items, name) {
  const i = items.findIndex((item) => item.filename === name);
  return i < 0 ? null : items.splice(i, 1)[0];
}
