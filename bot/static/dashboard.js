// The office's dashboard: signs in with a bearer token kept in sessionStorage, then draws the
// figures of /api/dashboard as plain HTML/CSS bars. Words and settings are written into the page
// (#config, from bot/http/texts.py); nothing is fetched from outside this server.
"use strict";

const TOKEN_KEY = "fupin.dashboard.token";
const state = { texts: {}, config: null, directory: {} };
const $ = (id) => document.getElementById(id);
const t = (key, values = {}) =>
  (state.texts[key] || key).replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : ""));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function number(value) {
  return Number.isInteger(value) ? String(value) : value.toLocaleString("zh-CN", { maximumFractionDigits: 2 });
}

function bar(percent, label, small = false) {
  const shown = Math.max(0, Math.min(100, percent));
  const span = el("span");
  span.style.width = `${shown}%`;
  return el(
    "div",
    {
      class: small ? "bar small" : "bar",
      role: "progressbar",
      "aria-label": label,
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      "aria-valuenow": String(Math.round(percent * 10) / 10),
    },
    span,
    small ? null : el("em", { text: `${number(Math.round(percent * 10) / 10)}%` }),
  );
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

async function api(path, pending = null) {
  const response = await (pending || fetch(path, { headers: { Authorization: `Bearer ${token()}` } }));
  if (response.status === 401 || response.status === 403) {
    signOut(t(response.status === 401 ? "bad_token" : "forbidden"));
    throw new Error(String(response.status));
  }
  if (!response.ok) throw new Error(t("load_failed", { status: response.status }));
  return response;
}

function empty(key) {
  return el("p", { class: "empty", text: t(key) });
}

// Reports on targets the plan in force no longer sets: what was reported, with no target to measure it by.
function drawSuperseded(rows) {
  $("superseded-section").hidden = !rows.length;
  $("superseded").replaceChildren(
    ...rows.map((row) =>
      el(
        "div",
        { class: "indicator", "data-indicator": row.indicator },
        el("div", { class: "name" }, row.indicator, el("small", { text: row.measure_title })),
        el("div", { class: "figures", text: t("superseded_done", { done: number(row.done), unit: row.unit }) }),
      ),
    ),
  );
}

// A target set village by village counts the villages that meet it, not a county total.
function figures(row) {
  const values = { done: number(row.done), target: number(row.target), unit: row.unit };
  if (row.each === null || row.each === undefined) return t("done_of_target", values);
  const more = row.at_least ? t("at_least") : "";
  return t("villages_of_target", { ...values, each: number(row.each), unit: row.each_unit, more });
}

function drawProgress(rows) {
  const box = $("progress");
  box.replaceChildren();
  if (!rows.length) return box.append(empty("no_targets"));
  for (const row of rows) {
    const line = el(
      "div",
      { class: "indicator", "data-indicator": row.indicator },
      el("div", { class: "name" }, row.indicator, el("small", { text: row.measure_title })),
      bar(row.percent, row.indicator),
      el("div", { class: "figures", text: figures(row) }),
    );
    const details = el("details", { class: "townships" }, el("summary", { text: t("by_township") }));
    if (!row.by_township.length) details.append(empty("no_reports"));
    for (const town of row.by_township) {
      details.append(
        el(
          "div",
          { class: "township" },
          el("span", { text: town.township }),
          bar(town.percent, `${row.indicator} ${town.township}`, true),
          el("span", { class: "num", text: `${number(town.done)} ${row.unit}` }),
        ),
      );
    }
    line.append(details);
    box.append(line);
  }
}

function table(headers, rows) {
  const head = el("tr", {}, ...headers.map(([key, cls]) => el("th", { class: cls || "", text: t(key) })));
  return el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows));
}

// Overdue items with the unit they lie with, the most overdue first.
function drawOverdue(items, today) {
  const box = $("overdue");
  box.replaceChildren();
  if (!items.length) return box.append(empty("no_overdue"));
  const day = 24 * 3600 * 1000;
  const rows = items.map((item) =>
    el(
      "tr",
      { "data-item": String(item.id) },
      el("td", { class: "text", text: `#${item.id} ${item.title}` }),
      el("td", { text: item.village }),
      el("td", { text: item.owner_unit }),
      el("td", { text: item.due_date }),
      el("td", { class: "num late", text: Math.round((Date.parse(today) - Date.parse(item.due_date)) / day) }),
    ),
  );
  const cols = [["item_title"], ["item_village"], ["item_unit"], ["item_due"], ["item_late_days", "num"]];
  box.append(table(cols, rows));
}

// Villages with a cadre that reported nothing for a month.
function drawQuiet(villages) {
  const box = $("quiet");
  box.replaceChildren();
  if (!villages.length) return box.append(empty("no_quiet"));
  const rows = villages.map((v) =>
    el(
      "tr",
      { "data-village": `${v.township}/${v.village}` },
      el("td", { text: v.township }),
      el("td", { text: v.village }),
      el("td", {
        text: v.last_report ? new Date(v.last_report).toLocaleDateString("zh-CN") : t("quiet_never"),
      }),
    ),
  );
  box.append(table([["quiet_township"], ["quiet_village"], ["quiet_last"]], rows));
}

function drawUnits(units) {
  const box = $("units");
  box.replaceChildren();
  if (!units.length) return box.append(empty("no_items"));
  const cols = [["unit"], ["new", "num"], ["accepted", "num"], ["overdue", "num"], ["done", "num"], ["returned", "num"]];
  const rows = units.map((u) =>
    el(
      "tr",
      { "data-unit": u.unit },
      el("td", { text: u.unit }),
      el("td", { class: "num", text: u.new }),
      el("td", { class: "num", text: u.accepted }),
      el("td", { class: u.overdue ? "num late" : "num", text: u.overdue }),
      el("td", { class: "num", text: u.done }),
      el("td", { class: "num", text: u.returned }),
    ),
  );
  box.append(table(cols, rows));
}

function drawChanges(stages) {
  const box = $("changes");
  box.replaceChildren();
  if (!stages.some((s) => s.count)) return box.append(empty("no_changes"));
  const rows = stages.map((s) =>
    el("tr", { "data-stage": s.stage }, el("td", { text: s.label }), el("td", { class: "num", text: s.count })),
  );
  box.append(table([["stage"], ["count", "num"]], rows));
}

function drawBroadcasts(broadcasts) {
  const box = $("broadcasts");
  box.replaceChildren();
  if (!broadcasts.length) return box.append(empty("no_broadcasts"));
  const cols = [["sent_at"], ["audience"], ["broadcast_text"], ["delivered", "num"], ["failed", "num"], ["pending", "num"]];
  const rows = broadcasts.map((b) =>
    el(
      "tr",
      { "data-broadcast": b.id },
      el("td", { text: new Date(b.scheduled_at).toLocaleString("zh-CN", { hour12: false }) }),
      el("td", { text: b.audience_label }),
      el("td", { class: "text", title: b.text, text: b.text }),
      el("td", { class: "num", text: b.sent }),
      el("td", { class: b.failed ? "num late" : "num", text: b.failed }),
      el("td", { class: "num", text: b.pending }),
    ),
  );
  box.append(table(cols, rows));
}

function drawQuestions(groups, entries) {
  const box = $("questions");
  box.replaceChildren();
  if (!groups.length) return box.append(empty("no_questions"));
  const rows = groups.map((g, number) => {
    const answered = g.matched
      ? t("answered_measure", { measure: g.measure_title || g.measure, confidence: g.confidence })
      : t("not_covered");
    return el(
      "tr",
      { "data-group": String(number) },
      el("td", {}, g.wording, ...g.texts.slice(1).map((text) => el("small", { text }))),
      el("td", { class: "num", text: g.count }),
      el("td", { text: answered }),
      el("td", {}, attachForm(g, entries)),
    );
  });
  box.append(table([["wording"], ["times", "num"], ["answered"], ["phrase"]], rows));
}

function attachForm(group, entries) {
  // The office shortens the wording to the words that say the topic (马架子要塌), then picks the entry.
  const phrase = el("input", { class: "phrase", value: group.wording, "aria-label": t("phrase") });
  const entry = el("select", { class: "entry", "aria-label": t("entry") });
  for (const e of entries) entry.append(el("option", { value: e.key, text: `${e.key}：${e.statement}` }));
  const result = el("p", { class: "result", role: "status" });
  const form = el("form", {}, phrase, entry, el("button", { type: "submit", text: t("attach") }), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.className = "result";
    const response = await fetch(state.config.phrases_api, {
      method: "POST",
      headers: { Authorization: `Bearer ${token()}`, "Content-Type": "application/json" },
      body: JSON.stringify({ phrase: phrase.value, entry: entry.value }),
    });
    const body = await response.json();
    if (!response.ok) {
      result.className = "result error";
      result.textContent = typeof body.detail === "string" ? body.detail : body.detail.map((d) => d.msg).join("；");
      return;
    }
    const reloaded = await (await api(state.config.reload_api, fetchPost(state.config.reload_api))).json();
    result.textContent = t("attached", { phrase: body.phrase, phrases: reloaded.phrases });
  });
  return form;
}

// The plans: the one in force, next year's uploaded for a preview, then put in force (or rolled back).
function drawPlans(plans) {
  const box = $("plans");
  box.replaceChildren();
  if (!plans.length) return box.append(empty("no_plans"));
  const rows = plans.map((p) => {
    const action = p.in_force ? el("strong", { text: t("plan_in_force") }) : activateButton(p);
    return el(
      "tr",
      { "data-plan": String(p.id) },
      el("td", { class: "num", text: p.id }),
      el("td", { class: "num", text: p.year }),
      el("td", { text: p.doc_number }),
      el("td", { text: p.title }),
      el("td", { class: "num", text: p.warnings }),
      el("td", {}, action),
    );
  });
  const cols = [["plan_id", "num"], ["plan_year", "num"], ["plan_doc"], ["plan_title"], ["plan_warnings", "num"], ["plan_state"]];
  box.append(table(cols, rows));
}

function activateButton(plan) {
  const button = el("button", { type: "button", text: t("plan_activate") });
  button.addEventListener("click", async () => {
    button.disabled = true;
    const done = await planPost(`${state.config.plans_api}/${plan.id}/activate`);
    if (done) planMessage(t("plan_activated", { id: done.id, year: done.year }));
    await loadPlans();
  });
  return button;
}

async function planPost(path, body = null) {
  // A refusal (a text that is no plan, the same plan twice) is shown in the server's own words.
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== null) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method: "POST", headers, body: body === null ? null : JSON.stringify(body) });
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = answer && answer.detail;
    planMessage(typeof detail === "string" ? detail : t("load_failed", { status: response.status }), true);
    return null;
  }
  return answer || {};
}

function planMessage(text, error = false, ...details) {
  const box = $("plan-preview");
  box.className = error ? "error" : "";
  box.replaceChildren(el("p", { text }), ...details);
}

async function uploadPlan(event) {
  event.preventDefault();
  const file = $("plan-file").files[0];
  if (!file) return planMessage(t("plan_no_file"), true);
  const preview = await planPost(state.config.plans_api, { text: await file.text(), filename: file.name });
  if (!preview) return;
  const kinds = state.texts.plan_warning_kinds;
  const changes = state.texts.plan_changes;
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name] || "");
  planMessage(
    t("plan_added", {
      id: preview.plan.id,
      year: preview.plan.year,
      measures: preview.measures,
      targets: preview.targets,
      benefits: preview.benefits,
      warnings: preview.warnings.length,
      changes: preview.changes.length,
    }),
    false,
    el("ul", { class: "plan-warnings" }, ...preview.warnings.map((w) =>
      el("li", { text: t("plan_warning", { line: w.line, kind: kinds[w.kind] || w.kind, text: w.text }) }))),
    el("ul", { class: "plan-changes" }, ...preview.changes.map((c) => el("li", { text: fill(changes[c.kind], c) }))),
  );
  await loadPlans();
}

async function loadPlans() {
  drawPlans(await (await api(state.config.plans_api)).json());
}

// The directory of units: how households reach each unit the plan names; every answer gives it.
async function loadDirectory() {
  const units = await (await api(state.config.units_api)).json();
  const missing = t("directory_missing");
  const rows = units.map((u) =>
    el(
      "tr",
      { "data-unit": u.unit },
      el("td", { text: u.unit }),
      el("td", { text: u.phone || missing }),
      el("td", { text: u.address || missing }),
      el("td", { text: u.hours || missing }),
    ),
  );
  const cols = [["directory_unit"], ["directory_phone"], ["directory_address"], ["directory_hours"]];
  $("directory").replaceChildren(table(cols, rows));
  const chosen = $("directory-unit").value;
  $("directory-unit").replaceChildren(...units.map((u) => el("option", { value: u.unit, text: u.unit })));
  if (chosen) $("directory-unit").value = chosen;
  state.directory = Object.fromEntries(units.map((u) => [u.unit, u]));
  fillDirectoryForm();
}

function fillDirectoryForm() {
  const entry = (state.directory || {})[$("directory-unit").value] || {};
  for (const field of ["phone", "address", "hours"]) $(`directory-${field}`).value = entry[field] || "";
}

async function sendDirectory(method, body = null) {
  // A refusal (a unit the plan does not name, a malformed phone) is shown in the server's own words.
  const unit = $("directory-unit").value;
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== null) headers["Content-Type"] = "application/json";
  const path = `${state.config.units_api}/${encodeURIComponent(unit)}`;
  const response = await fetch(path, { method, headers, body: body === null ? null : JSON.stringify(body) });
  const result = $("directory-result");
  if (!response.ok) {
    const detail = (await response.json().catch(() => ({}))).detail;
    result.className = "result error";
    if (typeof detail === "string") result.textContent = detail;
    else if (Array.isArray(detail)) result.textContent = detail.map((d) => d.msg).join("；");
    else result.textContent = t("load_failed", { status: response.status });
    return;
  }
  result.className = "result";
  result.textContent = t(method === "DELETE" ? "directory_cleared" : "directory_saved", { unit });
  await loadDirectory();
}

function fetchPost(path) {
  return fetch(path, { method: "POST", headers: { Authorization: `Bearer ${token()}` } });
}

async function loadQuestions() {
  const entries = state.entries || (await (await api(state.config.entries_api)).json());
  state.entries = entries;
  drawQuestions(await (await api(state.config.questions_api)).json(), entries);
}

function drawExports() {
  const box = $("exports");
  box.replaceChildren();
  for (const kind of state.config.exports) {
    const group = el("div", { class: "group" }, el("span", { text: t(`export_${kind}`) }));
    for (const format of state.config.formats) {
      const button = el("button", { type: "button", "data-export": `${kind}.${format}`, text: t(`export_${format}`) });
      button.addEventListener("click", () => download(kind, format, button));
      group.append(button);
    }
    box.append(group);
  }
}

async function download(kind, format, button) {
  // A link cannot carry the bearer token, so the file is fetched and handed to the browser as a blob.
  button.disabled = true;
  try {
    const response = await api(`${state.config.exports_api}/${kind}?format=${format}`);
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename\*=UTF-8''([^;]+)/.exec(disposition);
    const name = match ? decodeURIComponent(match[1]) : `${kind}.${format}`;
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } finally {
    button.disabled = false;
  }
}

function status(text) {
  $("status").textContent = text || "";
  $("status").hidden = !text;
}

async function load() {
  status(t("loading"));
  try {
    // The page's head started the first request already (see dashboard.html).
    const early = window.fupinEarlyData;
    window.fupinEarlyData = null;
    const data = await (await api(state.config.data_api, early)).json();
    drawProgress(data.progress);
    drawSuperseded(data.superseded);
    drawUnits(data.units);
    drawOverdue(data.overdue, data.today);
    drawQuiet(data.quiet_villages);
    drawChanges(data.changes);
    drawBroadcasts(data.broadcasts);
    $("generated").textContent = t("generated_at", {
      at: new Date(data.generated_at).toLocaleString("zh-CN", { hour12: false }),
    });
    $("board").hidden = false;
    $("signed-in").hidden = false;
    $("sign-in").hidden = true;
    status("");
    // The questions come after the figures, so that a slow or failing list never hides the board.
    loadQuestions().catch((error) => status(error.message));
    loadPlans().catch((error) => status(error.message));
    loadDirectory().catch((error) => status(error.message));
    // Time from navigation to a drawn board, read by bench/dashboard.py.
    performance.mark("dashboard-drawn");
  } catch (error) {
    if (token()) status(error.message);
  }
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $("board").hidden = true;
  $("signed-in").hidden = true;
  $("sign-in").hidden = false;
  status("");
  $("sign-in-error").textContent = message || "";
  $("sign-in-error").hidden = !message;
}

function main() {
  state.config = JSON.parse($("config").textContent);
  state.texts = state.config.texts;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
  $("token").placeholder = t("token_placeholder");
  drawExports();
  $("sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $("token").value = "";
    $("sign-in-error").hidden = true;
    load();
  });
  // The bot's link carries the token in the fragment (never sent to a server); keep it, then drop it from the address bar.
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromLink) {
    sessionStorage.setItem(TOKEN_KEY, fromLink);
    history.replaceState(null, "", location.pathname);
  }
  $("sign-out").addEventListener("click", () => signOut(""));
  $("refresh").addEventListener("click", load);
  $("plan-upload").addEventListener("submit", uploadPlan);
  $("plan-rollback").addEventListener("click", async () => {
    if ((await planPost(`${state.config.plans_api}/rollback`)) !== null) planMessage(t("plan_rolled_back"));
    await loadPlans();
  });
  $("directory-unit").addEventListener("change", fillDirectoryForm);
  $("directory-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = (field) => $(`directory-${field}`).value;
    sendDirectory("PUT", { phone: value("phone"), address: value("address"), hours: value("hours") });
  });
  $("directory-clear").addEventListener("click", () => sendDirectory("DELETE"));
  if (token()) load();
  else signOut("");
}

main();
