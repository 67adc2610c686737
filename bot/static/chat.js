// Sandbox chat page: plays one Telegram user against the emulator's sandbox API.
// Words come from /sandbox/config (bot/texts.py); nothing here is fetched from outside the app.
"use strict";

const state = { api: "", texts: {}, user: null, cursor: 0, messages: new Map(), polling: false };
const $ = (id) => document.getElementById(id);

async function call(method, path, body) {
  const options = { method, headers: { "Content-Type": "application/json" } };
  if (body !== undefined) options.body = JSON.stringify(body);
  const response = await fetch(state.api + path, options);
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json();
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
    button.addEventListener("click", () => enter(role, label));
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
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
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
  await call("POST", "/send", { user_id: state.user.id, text });
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
  if (!el) {
    el = document.createElement("div");
    el.dataset.messageId = record.message_id;
    $("messages").appendChild(el);
  }
  el.className = `msg ${record.sender}${record.deleted ? " deleted" : ""}`;
  el.replaceChildren();
  const body = document.createElement("div");
  body.className = "text";
  const shown = record.text ?? record.caption ?? "";
  body.textContent = shown || ({ sticker: "[贴纸]", photo: "[图片]" }[record.kind] || `[${record.kind}]`);
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
        }).catch((e) => toast(String(e))));
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
      b.addEventListener("click", () => send(label).catch((e) => toast(String(e))));
      line.appendChild(b);
    }
    box.appendChild(line);
  }
  if (keyboard && keyboard.input_field_placeholder) $("input").placeholder = keyboard.input_field_placeholder;
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
      if (view.messages.length) $("messages").scrollTop = $("messages").scrollHeight;
    } catch (error) {
      $("status").textContent = state.texts.connection_lost;
      $("status").hidden = false;
      if (String(error).startsWith("404")) { leave(); break; }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  state.polling = false;
}

function leave() {
  state.user = null;
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
    send(text).catch((e) => toast(String(e)));
  });
  $("sticker").addEventListener("click", () => call("POST", "/send", { user_id: state.user.id, sticker: "👍" }));
  $("photo").addEventListener("click", () => call("POST", "/send", { user_id: state.user.id, photo: true }));
  $("switch").addEventListener("click", leave);
  const saved = sessionStorage.getItem("fupin-user");
  if (saved) {
    state.user = JSON.parse(saved);
    try { await call("GET", `/users/${state.user.id}`); openChat(); return; } catch { state.user = null; }
  }
  showPicker(state.roles);
}

main();
