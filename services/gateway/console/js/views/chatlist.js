// The chat list: GET /v1/chats pages (20 a page), open, rename (PUT), delete (DELETE).

import { $, formatTime, h } from "../dom.js";
import { icon } from "../icons.js";

export class ChatList {
  constructor(api, { onOpen, onDeleted, onError }) {
    this.api = api;
    this.onOpen = onOpen;
    this.onDeleted = onDeleted;
    this.onError = onError;
    this.page = 1;
    this.hasMore = false;
    this.total = 0;
    this.currentId = null;
    this.list = $("#chat-list");
    this.prev = $("#page-prev");
    this.next = $("#page-next");
    this.label = $("#page-label");
    this.prev.addEventListener("click", () => this.load(this.page - 1));
    this.next.addEventListener("click", () => this.load(this.page + 1));
  }

  async load(page = this.page) {
    try {
      const body = await this.api.listChats(Math.max(1, page));
      this.page = body.page;
      this.hasMore = body.has_more;
      this.total = body.total;
      this.render(body.chats);
    } catch (err) {
      this.onError(err);
    }
  }

  render(chats) {
    const pages = Math.max(1, Math.ceil(this.total / 20));
    this.label.textContent = `Page ${this.page} of ${pages}`;
    this.prev.disabled = this.page <= 1;
    this.next.disabled = !this.hasMore;
    const items = chats.map((chat) => this.item(chat));
    if (!items.length) items.push(h("li", { class: "hint no-chats" }, "No chats yet."));
    this.list.replaceChildren(...items);
  }

  item(chat) {
    const current = chat.id === this.currentId;
    const open = h(
      "button",
      {
        type: "button",
        class: "chat-open",
        "aria-current": current ? "true" : null,
        title: chat.timestamp ? `Last activity ${formatTime(chat.timestamp)}` : null,
        onclick: () => this.onOpen(chat.id),
      },
      h("span", { class: "title" }, chat.title),
      h("span", { class: "preview" }, chat.preview || "(empty)"),
    );
    const li = h(
      "li",
      { class: `chat-item${current ? " current" : ""}`, dataset: { chatId: chat.id } },
      open,
      h(
        "span",
        { class: "chat-actions" },
        h("button", { type: "button", class: "rename", "aria-label": `Rename chat ${chat.title}`, title: "Rename", onclick: () => this.startRename(li, chat) }, icon("pencil")),
        h("button", { type: "button", class: "delete", "aria-label": `Delete chat ${chat.title}`, title: "Delete", onclick: () => this.remove(chat) }, icon("trash")),
      ),
    );
    return li;
  }

  markCurrent(chatId) {
    this.currentId = chatId;
    for (const li of this.list.querySelectorAll(".chat-item")) {
      const current = li.dataset.chatId === chatId;
      li.classList.toggle("current", current);
      const button = li.querySelector(".chat-open");
      if (current) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
  }

  startRename(li, chat) {
    const input = h("input", { type: "text", "aria-label": "New chat title", maxlength: "500", value: chat.title });
    const form = h(
      "form",
      { class: "chat-rename" },
      input,
      h("button", { type: "submit", class: "small" }, "Save"),
    );
    const cancel = () => this.load();
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const title = input.value.trim();
      if (!title) return;
      try {
        await this.api.renameChat(chat.id, title);
        if (chat.id === this.currentId) document.dispatchEvent(new CustomEvent("chat-renamed", { detail: { id: chat.id, title } }));
      } catch (err) {
        this.onError(err);
      }
      await this.load();
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") cancel();
    });
    li.replaceChildren(form);
    input.focus();
    input.select();
  }

  async remove(chat) {
    if (!window.confirm(`Delete the chat “${chat.title}” with its messages and files?`)) return;
    try {
      await this.api.deleteChat(chat.id);
      this.onDeleted(chat.id);
    } catch (err) {
      this.onError(err);
    }
    // The last chat of a page gone: show the page before.
    const page = this.list.querySelectorAll(".chat-item").length <= 1 && this.page > 1 ? this.page - 1 : this.page;
    await this.load(page);
  }
}
