// The dashboard's live parts: filtering, enable/disable toggles, a tool's view and form, live calls (SSE),
// system figures. Built for a server with hundreds of tools and hundreds of calls a second: the server
// renders the tools table once and this script patches it; live calls are drawn in batches, a few
// times a second, at most CALLS_SHOWN of them; the latency chart shows the slowest tools, patched in place
// (benchmarks/dashboard_load.py measures it).
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const schemas = JSON.parse(document.getElementById("tool-data").textContent);
const $ = (id) => document.getElementById(id);
const ms = (value) => (value == null ? "–" : value.toFixed(2));
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });
const CALLS_SHOWN = 50;
/* Rows in the live calls table: the newest, so that a page left open for hours stays small
   (the server keeps more: GET /api/calls). */

async function api(method, path, body) {
  const response = await fetch(path, {
    method, headers: { "content-type": "application/json", "x-csrf-token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Writes a cell's text only when it changed: an unchanged write still costs style and layout. */
function setText(cell, text) {
  const value = String(text);
  if (cell.textContent !== value) cell.textContent = value;
}

/** A message above the page, for what failed and what to do, until clicked; empty hides it. */
function notify(text) {
  $("notice").textContent = text;
  $("notice").hidden = !text;
}
$("notice").addEventListener("click", () => notify(""));

// --- tools: the server-rendered table, filtered in place ------------------------------------------
const tools = [...$("tools").tBodies[0].rows].map((row) => ({
  row, name: row.dataset.name, search: row.dataset.search, toggle: row.querySelector(".toggle"),
}));

function filterTools() {
  const words = $("search").value.toLowerCase().split(/\s+/).filter(Boolean);
  const state = $("state").value;
  let shown = 0;
  for (const { row, search, toggle } of tools) {
    const hidden = !words.every((word) => search.includes(word)) ||
      (state === "on" && !toggle.checked) || (state === "off" && toggle.checked);
    if (row.hidden !== hidden) row.hidden = hidden;
    if (!hidden) shown += 1;
  }
  setText($("tool-count"), shown === tools.length ? tools.length : `${shown} of ${tools.length}`);
  $("no-match").hidden = shown > 0 || tools.length === 0;
}
$("search").addEventListener("input", filterTools);
$("state").addEventListener("change", filterTools);
$("show-all").addEventListener("click", () => {
  $("search").value = "";
  $("state").value = "";
  filterTools();
});

$("tools").addEventListener("change", async (event) => {
  if (!event.target.classList.contains("toggle")) return;
  const toggle = event.target, name = toggle.closest("tr").dataset.name;
  const action = toggle.checked ? "enable" : "disable";
  const answer = await api("POST", `/api/tools/${encodeURIComponent(name)}/${action}`).catch((error) => (
    { status: 0, body: { error: `the server did not answer (${error.message})` } }));
  if (answer.status === 200) {
    notify("");
  } else {
    toggle.checked = !toggle.checked;
    notify(`Could not ${action} ${name}: ${answer.body.error}. Reload the page to see the server's state.`);
  }
  filterTools();
});

// --- a tool's view: #tool/NAME, its schemas, figures and a form from its input schema ---------------
function route() {
  const found = location.hash.match(/^#tool\/(.+)$/);
  if (found) showTool(decodeURIComponent(found[1]));
  else $("try").hidden = true;
}
window.addEventListener("hashchange", route);

async function showTool(name) {
  if (!(name in schemas)) {
    notify(`No tool named ${name}: pick one in the tools table.`);
    return;
  }
  const input = schemas[name].inputSchema || {};
  const required = new Set(input.required || []);
  $("try").hidden = false;
  $("try-name").textContent = name;
  $("try-schemas").textContent = JSON.stringify(schemas[name], null, 2);
  $("try-form").dataset.name = name;
  $("try-result").textContent = "";
  $("try-result").className = "";
  const fields = Object.entries(input.properties || {}).map(([key, schema]) => field(key, schema, required.has(key)));
  if (!fields.length) {
    fields.push(Object.assign(document.createElement("p"), { className: "muted", textContent: "No arguments: just call it." }));
  }
  $("try-fields").replaceChildren(...fields);
  $("try").scrollIntoView({ block: "nearest" });
  await showFigures(name);
}

async function showFigures(name) {
  const { status, body } = await api("GET", `/api/tools/${encodeURIComponent(name)}/status`)
    .catch((error) => ({ status: 0, body: { error: `the server did not answer (${error.message})` } }));
  if (status !== 200) {
    $("try-figures").textContent = `Figures unavailable: ${body.error}`;
    return;
  }
  const latency = body.latency;
  $("try-figures").textContent = `${body.enabled ? "enabled" : "disabled"} · ${body.source} · ` +
    `${body.calls} calls, ${body.errors} errors, ${body.timeouts} timeouts · ` +
    `p50 ${ms(latency.p50_ms)} ms, p95 ${ms(latency.p95_ms)} ms, p99 ${ms(latency.p99_ms)} ms`;
}

/** One labelled input for a property: its kind from the schema (optionals are type arrays with null). */
function field(key, schema, required) {
  const types = [].concat(schema.type || []).filter((type) => type !== "null");
  const kind = schema.enum ? "enum" : types.length === 1 && ["string", "integer", "number", "boolean"].includes(types[0])
    ? types[0] : "json";
  let input;
  if (kind === "enum" || kind === "boolean") {
    input = document.createElement("select");
    input.values = kind === "enum" ? schema.enum : [true, false];  // an option's value is its index here
    input.append(new Option(required ? "choose…" : "(default)", ""),
      ...input.values.map((value, i) => new Option(typeof value === "string" ? value : JSON.stringify(value), i)));
  } else if (kind === "json") {
    input = document.createElement("textarea");
    input.rows = 2;
    input.placeholder = "JSON";
  } else {
    input = document.createElement("input");
    input.type = kind === "string" ? "text" : "number";
    if (kind === "integer") input.step = "1";
    if (kind === "number") input.step = "any";
  }
  input.name = key;
  input.required = required;
  input.dataset.kind = kind;
  if (schema.default !== undefined && kind !== "enum" && kind !== "boolean") {
    input.placeholder = `default: ${JSON.stringify(schema.default)}`;
  }
  const label = document.createElement("label");
  const name = document.createElement("span");
  name.textContent = required ? `${key} *` : key;
  label.append(name, input);
  if (schema.description) {
    const hint = document.createElement("small");
    hint.className = "muted";
    hint.textContent = schema.description;
    label.append(hint);
  }
  return label;
}

/** The arguments the form holds; throws an Error saying which field is wrong. */
function formArguments() {
  const args = {};
  for (const input of $("try-fields").querySelectorAll("[name]")) {
    if (input.value === "") continue;
    const kind = input.dataset.kind;
    if (kind === "enum" || kind === "boolean") args[input.name] = input.values[Number(input.value)];
    else if (kind === "integer" || kind === "number") args[input.name] = Number(input.value);
    else if (kind === "string") args[input.name] = input.value;
    else {
      try {
        args[input.name] = JSON.parse(input.value);
      } catch (error) {
        throw new Error(`${input.name} is not valid JSON (${error.message}): write it as JSON, e.g. {"key": 1} or [1, 2]`);
      }
    }
  }
  return args;
}

$("try-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = $("try-result");
  let args;
  try {
    args = formArguments();
  } catch (error) {
    result.className = "error";
    result.textContent = error.message;
    return;
  }
  const name = event.target.dataset.name;
  const answer = await api("POST", `/api/tools/${encodeURIComponent(name)}/call`, args);
  result.className = answer.status === 200 && answer.body.success ? "ok" : "error";
  result.textContent = JSON.stringify(answer.body, null, 2);
  await showFigures(name);  // this call counted
});
$("try-close").addEventListener("click", () => { history.pushState(null, "", location.pathname); route(); });

// --- live calls: newest first, at most CALLS_SHOWN rows, drawn at most every DRAW_EVERY_MS ----------
const DRAW_EVERY_MS = 250;
/* Each draw repaints the page (measured: at 200 calls/s, one draw a frame kept the main thread
   busy painting); four a second are as many as anyone reads. */
const callRows = new Map();  // call id → its row, for the rows shown
const pending = new Map();   // call id → its newest record not drawn yet (at most CALLS_SHOWN)
let drawn = 0, scheduled = false;

function queueCall(call) {
  pending.set(call.id, call);
  // The oldest call goes (not the first queued: that may end a call shown): with CALLS_SHOWN newer
  // ones waiting, its row would not be kept anyway.
  if (pending.size > CALLS_SHOWN) pending.delete(Math.min(...pending.keys()));
  if (scheduled) return;
  // A hidden tab gets no frames: nothing is drawn, and `pending` stays bounded.
  scheduled = true;
  setTimeout(() => requestAnimationFrame(drawCalls), Math.max(0, drawn + DRAW_EVERY_MS - performance.now()));
}

function drawCalls() {
  scheduled = false;
  drawn = performance.now();
  const body = $("calls").tBodies[0];
  const added = [];
  for (const call of pending.values()) {
    const row = callRows.get(call.id);
    if (row) fillCall(row, call);
    else added.push(call);
  }
  pending.clear();
  added.sort((a, b) => b.id - a.id);
  const rows = added.slice(0, CALLS_SHOWN).map((call) => {
    const row = document.createElement("tr");
    for (let i = 0; i < 6; i += 1) row.insertCell();
    fillCall(row, call);
    callRows.set(call.id, row);
    return row;
  });
  const newest = body.rows.length ? body.rows[0].call.id : 0;
  body.prepend(...rows);
  if (rows.length && rows.at(-1).call.id < newest) {
    // A call whose start was dropped from a full queue, ending now: sorted into its place.
    body.append(...[...body.rows].sort((a, b) => b.call.id - a.call.id));
  }
  while (body.rows.length > CALLS_SHOWN) {
    callRows.delete(body.lastElementChild.call.id);
    body.lastElementChild.remove();
  }
  $("calls-empty").hidden = body.rows.length > 0;
  $("calls-scroll").hidden = body.rows.length === 0;
}

function fillCall(row, call) {
  row.call = call;
  const texts = [clock.format(call.time * 1000), call.client || "", call.tool,
    JSON.stringify(call.arguments), call.outcome, call.duration_ms ?? ""];
  texts.forEach((text, i) => setText(row.cells[i], text));
  row.cells[4].className = call.outcome;
  if (row.classList.contains("chosen")) showDetail(row);  // a running call chosen: its result when it ends
}

function showDetail(row) {
  $("call-detail").hidden = false;
  $("call-detail").textContent = JSON.stringify(row.call, null, 2);
}

$("calls").tBodies[0].addEventListener("click", (event) => {
  const row = event.target.closest("tr");
  if (!row) return;
  for (const chosen of row.parentElement.querySelectorAll("tr.chosen")) chosen.classList.remove("chosen");
  row.classList.add("chosen");
  showDetail(row);
});

const events = new EventSource("/api/events");
for (const kind of ["call_started", "call_finished"]) {
  events.addEventListener(kind, (event) => queueCall(JSON.parse(event.data)));
}
events.addEventListener("open", async () => {
  // On each (re)connection: the calls that ended meanwhile, which no event will bring.
  const calls = (await api("GET", `/api/calls?limit=${CALLS_SHOWN}`)).body;
  calls.reverse().forEach(queueCall);
  $("health").textContent = "live";
  $("health").className = "ok";
});
events.addEventListener("error", () => { $("health").textContent = "reconnecting…"; $("health").className = "error"; });

// Tools added, removed, enabled or disabled elsewhere (another tab, a plugin reload).
events.addEventListener("tools_changed", async () => {
  const served = (await api("GET", "/api/tools")).body;
  if (served.length !== tools.length || served.some((tool, i) => tools[i].name !== tool.name)) {
    location.reload();  // the list itself changed: the server renders it again
    return;
  }
  served.forEach((tool, i) => { tools[i].toggle.checked = tool.enabled; });
  filterTools();
});

// --- system: figures from the metrics snapshot, once a second; calls per second over the last minute --
const rate = [];
let lastCalls = null;
function drawRate() {
  const canvas = $("rate"), context = canvas.getContext("2d");
  // At the screen's resolution, so that a high-density screen shows it sharp; drawn in CSS pixels.
  const ratio = window.devicePixelRatio || 1, width = canvas.clientWidth, height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  const top = Math.max(1, ...rate);
  context.clearRect(0, 0, width, height);
  context.strokeStyle = context.fillStyle = getComputedStyle(document.body).color;
  context.lineWidth = 1.5;
  context.beginPath();
  rate.forEach((value, i) => {
    const x = width - ((rate.length - 1 - i) / 59) * width, y = height - (value / top) * (height - 20) - 2;
    i ? context.lineTo(x, y) : context.moveTo(x, y);
  });
  context.stroke();
  context.font = "12px system-ui, sans-serif";
  context.fillText(`${rate.at(-1) ?? 0}/s now, ${top}/s at most in the last minute`, 4, 13);
}

const LATENCY_SHOWN = 20;
/* Tools in the latency chart: the slowest by p99. A bar for each of 500 tools is read by no one and
   laid out every second; each tool's own figures are in its view. */
function showLatency(figures) {
  const entries = Object.entries(figures)
    .sort(([, a], [, b]) => (b.latency.p99_ms || 0) - (a.latency.p99_ms || 0)).slice(0, LATENCY_SHOWN);
  const slowest = Math.max(1, ...entries.map(([, t]) => t.latency.p99_ms || 0));
  const body = $("latency").tBodies[0];
  // Row i shows the i-th slowest: rows are added or removed only when the count changes.
  while (body.rows.length < entries.length) {
    const row = body.insertRow();
    for (let i = 0; i < 5; i += 1) row.insertCell();
    row.insertCell().append(Object.assign(document.createElement("div"), { className: "bar" }));
  }
  while (body.rows.length > entries.length) body.lastElementChild.remove();
  entries.forEach(([name, t], i) => {
    const row = body.rows[i];
    [name, t.calls, ms(t.latency.p50_ms), ms(t.latency.p95_ms), ms(t.latency.p99_ms)]
      .forEach((text, j) => setText(row.cells[j], text));
    const width = `${(((t.latency.p99_ms || 0) / slowest) * 100).toFixed(1)}%`;
    if (row.cells[5].firstChild.style.width !== width) row.cells[5].firstChild.style.width = width;
  });
  const count = Object.keys(figures).length;
  setText($("latency-count"), count > LATENCY_SHOWN ? `the ${LATENCY_SHOWN} slowest of ${count}` : "");
  $("latency-empty").hidden = count > 0;
}

async function poll() {
  const answer = await api("GET", "/api/system/metrics").catch(() => null);
  if (answer && answer.status === 200) {
    const metrics = answer.body;
    const calls = Object.values(metrics.tools).reduce((sum, t) => sum + t.calls, 0);
    if (lastCalls !== null) rate.push(calls - lastCalls);
    if (rate.length > 60) rate.shift();
    lastCalls = calls;
    setText($("uptime"), `up ${Math.round(metrics.uptime_seconds)} s`);
    setText($("rss"), metrics.rss_bytes ? `${(metrics.rss_bytes / 2 ** 20).toFixed(1)} MiB` : "memory unknown");
    setText($("open-calls"), `${metrics.open_calls} open calls`);
    drawRate();
    showLatency(metrics.tools);
  }
  setTimeout(poll, 1000);
}

// --- plugins: state and reload -----------------------------------------------------------------------
async function showPlugins(answer) {
  const { status, body } = answer || (await api("GET", "/api/plugins"));
  if (status !== 200) {
    notify(`Could not read the plugins: ${body.error}`);
    return;
  }
  const items = body.plugins.map((plugin) => {
    const item = document.createElement("li");
    item.className = plugin.state === "loaded" ? "ok" : plugin.state === "skipped" ? "error" : "muted";
    item.textContent = `${plugin.name} (${plugin.source}): ${plugin.state}` +
      (plugin.reason ? ` – ${plugin.reason}` : `, ${plugin.tools.length} tools`);
    return item;
  });
  if (!items.length) {
    const empty = document.createElement("li");
    empty.className = "muted";
    empty.textContent = "No plugins: add a folder with --plugins DIR or a manifest with --manifest FILE.";
    items.push(empty);
  }
  $("plugins").replaceChildren(...items);
}
$("reload").addEventListener("click", async () => {
  $("reload").disabled = true;
  try {
    await showPlugins(await api("POST", "/api/plugins/reload"));
  } finally {
    $("reload").disabled = false;
  }
});

filterTools();
route();
poll();
showPlugins();
