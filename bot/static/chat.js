// Sandbox chat page: plays one Telegram user against the emulator's sandbox API.
// Words come from /sandbox/config (bot/texts.py); nothing here is fetched from outside the app.
"use strict";

const state = { api: "", texts: {}, user: null, cursor: 0, messages: new Map(), polling: false, commands: [] };
const $ = (id) => document.getElementById(id);
const t = (key, values = {}) =>
  (state.texts[key] || key).replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : ""));
// Telegram shows links in a message as links; a URL is drawn the same way here.
const URL_PATTERN = /https?:\/\/[^\s，。；！？、）)]+/g;

class SandboxError extends Error {
  constructor(status, detail) {
    super(`${status} ${detail}`);
    this.status = status;
  }
}

async function call(method, path, body) {
  const options = { method, headers: { "Content-Type": "application/json" } };
  if (body !== undefined) options.body = JSON.stringify(body);
  const response = await fetch(state.api + path, options);
  if (!response.ok) throw new SandboxError(response.status, await response.text());
  return response.json();
}

// What went wrong, in the page's own words: a sandbox restarted since this tab chose its person
// (404: the person is gone) asks for a new one; anything else says what to do.
function failed(error, key = "send_failed") {
  if (error instanceof SandboxError && error.status === 404) {
    leave();
    toast(t("restarted"));
    return;
  }
  toast(t(key, { status: error instanceof SandboxError ? error.status : t("connection_lost") }));
}

function fillTexts() {
  document.title = state.texts.title;
  for (const el of document.querySelectorAll("[data-text]")) el.textContent = state.texts[el.dataset.text] || "";
  $("input").placeholder = state.texts.placeholder;
  $("name").value = state.texts.default_name;
}

function showPicker(roles) {
  $("chat").hidden = true;
  $("picker").hidden = false;
  const box = $("roles");
  box.replaceChildren();
  for (const [role, label] of Object.entries(roles)) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.role = role;
    button.textContent = label;
    button.addEventListener("click", () => enter(role, label).catch((e) => failed(e)));
    box.appendChild(button);
  }
}

async function enter(role, label) {
  const name = $("name").value.trim() || state.texts.default_name;
  state.user = await call("POST", "/users", { first_name: name, role });
  state.user.label = label;
  sessionStorage.setItem("fupin-user", JSON.stringify(state.user));
  state.cursor = 0;
  state.messages.clear();
  openChat();
  if (role === "household") {
    await send("/start");
    return;
  }
  // Staff roles register as a deep link would: the bot redeems a real invite for the role.
  const response = await fetch("/sandbox/invite", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ role }),
  });
  if (!response.ok) throw new SandboxError(response.status, await response.text());
  const { code } = await response.json();
  await send(`/start ${code}`);
}

function openChat() {
  $("picker").hidden = true;
  $("chat").hidden = false;
  $("who").textContent = `${state.user.label} · ${state.user.first_name}`;
  $("messages").replaceChildren();
  $("input").focus();
  if (!state.polling) poll();
}

async function send(text) {
  if (!text.trim()) return;
  if (!state.user) return toast(t("pick_role_first"));
  await call("POST", "/send", { user_id: state.user.id, text });
}

async function sendOther(body) {
  if (!state.user) return toast(t("pick_role_first"));
  await call("POST", "/send", { user_id: state.user.id, ...body });
}

// Text with its links made clickable (nothing in it is read as HTML).
function linked(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    nodes.push(document.createTextNode(text.slice(last, match.index)));
    const a = document.createElement("a");
    a.href = match[0];
    a.target = "_blank";
    a.rel = "noopener";
    a.textContent = match[0];
    nodes.push(a);
    last = match.index + match[0].length;
  }
  nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

// The bot's command menu (setMyCommands for this chat), as Telegram's "/" button shows it.
function renderCommands() {
  const box = $("commands");
  box.replaceChildren();
  if (!state.commands.length) {
    const note = document.createElement("p");
    note.textContent = t("menu_empty");
    box.appendChild(note);
  }
  for (const command of state.commands) {
    const b = document.createElement("button");
    b.type = "button";
    b.append(`/${command.command}`);
    const small = document.createElement("small");
    small.textContent = command.description;
    b.appendChild(small);
    b.addEventListener("click", () => {
      toggleCommands(false);
      send(`/${command.command}`).catch((e) => failed(e));
    });
    box.appendChild(b);
  }
}

function toggleCommands(open = $("commands").hidden) {
  $("commands").hidden = !open;
  $("menu-button").setAttribute("aria-expanded", String(open));
  if (open) renderCommands();
}

function toast(text) {
  const el = $("toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 2500);
}

function render(record) {
  let el = document.querySelector(`[data-message-id="${record.message_id}"]`);
  if (record.deleted) {
    // Telegram removes a deleted message for everyone (the bot deletes a typed 身份证号).
    if (el) el.remove();
    return;
  }
  if (!el) {
    el = document.createElement("div");
    el.dataset.messageId = record.message_id;
    $("messages").appendChild(el);
  }
  el.className = `msg ${record.sender}`;
  el.replaceChildren();
  const body = document.createElement("div");
  body.className = "text";
  let shown = record.text ?? record.caption ?? "";
  // A deep link's start shows as "/start" in Telegram: its parameter (an invite code) is not shown.
  if (record.sender === "user" && shown.startsWith("/start ")) shown = "/start";
  if (shown) body.append(...linked(shown));
  else body.textContent = { sticker: "[贴纸]", photo: "[图片]" }[record.kind] || `[${record.kind}]`;
  el.appendChild(body);
  if (record.edited) {
    const mark = document.createElement("span");
    mark.className = "edited";
    mark.textContent = " ✎";
    el.appendChild(mark);
  }
  const rows = (record.reply_markup && record.reply_markup.inline_keyboard) || [];
  if (rows.length) {
    const box = document.createElement("div");
    box.className = "inline";
    for (const row of rows) for (const button of row) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = button.text;
      if (button.callback_data !== undefined) {
        b.addEventListener("click", () => call("POST", "/press", {
          user_id: state.user.id, chat_id: record.chat_id, message_id: record.message_id, data: button.callback_data,
        }).catch((e) => failed(e, "press_failed")));
      } else if (button.url) {
        b.addEventListener("click", () => window.open(button.url, "_blank", "noopener"));
      }
      box.appendChild(b);
    }
    el.appendChild(box);
  }
}

function renderKeyboard(keyboard) {
  const box = $("keyboard");
  box.replaceChildren();
  const rows = (keyboard && keyboard.keyboard) || [];
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      const label = typeof button === "string" ? button : button.text;
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.addEventListener("click", () => send(label).catch((e) => failed(e)));
      line.appendChild(b);
    }
    box.appendChild(line);
  }
}

// The input's hint follows what the bot asks now: the latest message's force_reply or keyboard
// placeholder, else the reply keyboard's, else the page's own (never a stale one).
function placeholderFrom(view) {
  const latest = [...view.messages].reverse().find((m) => m.sender === "bot" && !m.deleted);
  const markup = latest && latest.reply_markup;
  if (markup && markup.input_field_placeholder) return markup.input_field_placeholder;
  if (view.keyboard && view.keyboard.input_field_placeholder) return view.keyboard.input_field_placeholder;
  return latest ? t("placeholder") : null;
}

async function poll() {
  state.polling = true;
  while (state.user) {
    try {
      const view = await call("GET", `/messages?chat_id=${state.user.id}&after=${state.cursor}&wait=25`);
      $("status").hidden = true;
      state.cursor = view.cursor;
      for (const record of view.messages) render(record);
      for (const answer of view.callback_answers) if (answer.answered && answer.text) toast(answer.text);
      renderKeyboard(view.keyboard);
      state.commands = view.commands || [];
      if (!$("commands").hidden) renderCommands();
      const hint = placeholderFrom(view);
      if (hint !== null) $("input").placeholder = hint;
      if (view.messages.length) $("messages").scrollTop = $("messages").scrollHeight;
    } catch (error) {
      if (error instanceof SandboxError && error.status === 404) { failed(error); break; }
      $("status").textContent = t("connection_lost");
      $("status").hidden = false;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  state.polling = false;
}

function leave() {
  state.user = null;
  state.commands = [];
  toggleCommands(false);
  sessionStorage.removeItem("fupin-user");
  showPicker(state.roles);
}

async function main() {
  const config = await (await fetch("/sandbox/config")).json();
  state.api = config.sandbox_api;
  state.texts = config.texts;
  state.roles = config.roles;
  fillTexts();
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("input").value;
    $("input").value = "";
    send(text).catch((e) => failed(e));
  });
  $("sticker").addEventListener("click", () => sendOther({ sticker: "👍" }).catch((e) => failed(e)));
  $("photo").addEventListener("click", () => sendOther({ photo: true }).catch((e) => failed(e)));
  $("menu-button").addEventListener("click", () => toggleCommands());
  $("menu-button").setAttribute("aria-label", t("menu"));
  $("switch").addEventListener("click", leave);
  const saved = sessionStorage.getItem("fupin-user");
  if (saved) {
    state.user = JSON.parse(saved);
    try { await call("GET", `/users/${state.user.id}`); openChat(); return; } catch { state.user = null; }
  }
  showPicker(state.roles);
}

main();
