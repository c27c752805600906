// The console's entry point: sign in, then the chat list, the open chat, the pickers and the
// transport switch. Every call goes to the public API of docs/api.md, from this same origin.

import { Api, Session } from "./api.js";
import { $, h } from "./dom.js";
import { hydrateIcons } from "./icons.js";
import { SseTransport, WsTransport } from "./stream.js";
import { ChatList } from "./views/chatlist.js";
import { Conversation, showBanner } from "./views/conversation.js";
import { Uploads } from "./views/uploads.js";

const MODE_KEY = "trellis.console.mode";
hydrateIcons();

const session = new Session();
const api = new Api(session);
const transports = { sse: new SseTransport(api), ws: new WsTransport(session) };
let mode = sessionStorage.getItem(MODE_KEY) === "ws" ? "ws" : "sse";

const onError = (err) => {
  console.error(err);
  showBanner(err);
};

const integrationSelect = $("#integration");
const modelSelect = $("#model");
const pickers = {
  integration: () => integrationSelect.value,
  model: () => modelSelect.value,
  setIntegration(id) {
    if ([...integrationSelect.options].some((o) => o.value === id)) integrationSelect.value = id;
  },
  reset() {
    integrationSelect.selectedIndex = 0; // the first database (the list ends with "None")
  },
};

const uploads = new Uploads(api, {
  ensureChat: (hint) => conversation.ensureChat(hint),
  onError,
});

const chatList = new ChatList(api, {
  onOpen: async (chatId) => {
    if (conversation.busy) return;
    try {
      await conversation.open(chatId);
      chatList.markCurrent(chatId);
      closeDrawer();
      $("#question").focus();
    } catch (err) {
      onError(err);
    }
  },
  onDeleted: (chatId) => {
    if (conversation.chatId === chatId) conversation.newChat();
  },
  onError,
});

const conversation = new Conversation(api, {
  transport: () => transports[mode],
  uploads,
  pickers,
  onChatCreated: (chat) => {
    chatList.currentId = chat.id;
    chatList.load(1);
  },
  onTurnEnded: () => chatList.load(),
  onError,
});

// --- sign in / out -----------------------------------------------------------------------

function show(signedIn) {
  $("#signin-view").hidden = signedIn;
  $("#app-view").hidden = !signedIn;
  $("#session-controls").hidden = !signedIn;
  $("#toggle-chats").hidden = !signedIn;
}

async function enterApp() {
  show(true);
  $("#who").textContent = session.email || "";
  conversation.newChat();
  await Promise.all([loadPickers(), chatList.load(1)]);
  $("#question").focus();
}

async function loadPickers() {
  try {
    const [{ integrations }, models] = await Promise.all([api.listIntegrations(), api.listModels()]);
    integrationSelect.replaceChildren(
      ...integrations.map((i) => h("option", { value: i.id }, `${i.display_name} (${i.dialect})`)),
      h("option", { value: "" }, "None (attached files only)"),
    );
    modelSelect.replaceChildren(
      ...models.models.map((m) => h("option", { value: m.model_id, title: m.description }, m.display_name || m.model_id)),
    );
    modelSelect.value = models.default;
  } catch (err) {
    onError(err);
  }
}

$("#signin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const box = $("#signin-error");
  const apiKey = $("#api-key").value.trim();
  const email = $("#email").value.trim();
  box.hidden = true;
  if (!apiKey || !email) {
    box.textContent = "Both the API key and the email are needed.";
    box.hidden = false;
    return;
  }
  const button = e.submitter || $("#signin-form button[type=submit]");
  button.disabled = true;
  try {
    await session.signIn(apiKey, email);
    $("#api-key").value = "";
    await enterApp();
  } catch (err) {
    box.replaceChildren(h("code", {}, err.code || "ERROR"), " ", err.detail || err.message);
    box.hidden = false;
  } finally {
    button.disabled = false;
  }
});

$("#sign-out").addEventListener("click", () => session.signOut());

session.addEventListener("signedout", (e) => {
  transports.ws.close();
  conversation.newChat();
  show(false);
  const box = $("#signin-error");
  box.textContent = e.detail || "";
  box.hidden = !e.detail;
  $("#api-key").focus();
});

// --- the composer --------------------------------------------------------------------------

const question = $("#question");
$("#composer").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = question.value.trim();
  if (!text || conversation.busy || uploads.busy) return;
  question.value = "";
  conversation.ask(text);
});
question.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    $("#composer").requestSubmit();
  }
});
const updateSend = () => {
  $("#send").disabled = conversation.busy || uploads.busy;
};
$("#composer").addEventListener("uploads-changed", updateSend);
document.body.addEventListener("turn-busy", updateSend);

$("#new-chat").addEventListener("click", () => {
  if (conversation.busy) return;
  conversation.newChat();
  chatList.markCurrent(null);
  closeDrawer();
  question.focus();
});

document.addEventListener("chat-renamed", (e) => conversation.renamed(e.detail.id, e.detail.title));

// --- transport switch ----------------------------------------------------------------------

for (const radio of document.querySelectorAll('input[name="mode"]')) {
  radio.checked = radio.value === mode;
  radio.addEventListener("change", () => {
    mode = radio.value;
    sessionStorage.setItem(MODE_KEY, mode);
    if (mode !== "ws") transports.ws.close();
  });
}
document.body.addEventListener("turn-busy", (e) => {
  for (const radio of document.querySelectorAll('input[name="mode"]')) radio.disabled = e.detail;
});

// --- narrow screens: the chat list as a drawer ---------------------------------------------

const toggle = $("#toggle-chats");
function closeDrawer() {
  $("#sidebar").classList.remove("open");
  toggle.setAttribute("aria-expanded", "false");
}
toggle.addEventListener("click", () => {
  const open = !$("#sidebar").classList.contains("open");
  $("#sidebar").classList.toggle("open", open);
  toggle.setAttribute("aria-expanded", String(open));
  if (open) $("#new-chat").focus();
});
document.addEventListener("click", (e) => {
  // A tap outside the open drawer closes it.
  // (composedPath: the ancestors at dispatch, even if a handler has since replaced the target)
  const inside = e.composedPath().some((node) => node.id === "sidebar" || node.id === "toggle-chats");
  if ($("#sidebar").classList.contains("open") && !inside) closeDrawer();
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && $("#sidebar").classList.contains("open")) {
    closeDrawer();
    toggle.focus();
  }
});

// For the curious (and the end-to-end tests): the console's objects, from the devtools console.
window.trellisConsole = { session, api, conversation, chatList, uploads, transports, get mode() { return mode; } };

if (session.signedIn) enterApp();
else show(false);
