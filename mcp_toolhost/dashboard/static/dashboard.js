// The dashboard's live parts: filtering, enable/disable toggles, the call form, live calls (SSE).
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const schemas = JSON.parse(document.getElementById("tool-data").textContent);
const $ = (id) => document.getElementById(id);
const ms = (value) => (value == null ? "–" : value.toFixed(2));

async function api(method, path, body) {
  const response = await fetch(path, {
    method, headers: { "content-type": "application/json", "x-csrf-token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

function filterTools() {
  const words = $("search").value.toLowerCase().split(/\s+/).filter(Boolean);
  const state = $("state").value;
  for (const row of $("tools").tBodies[0].rows) {
    const enabled = row.querySelector(".toggle").checked;
    row.hidden = !words.every((word) => row.dataset.search.includes(word)) ||
      (state === "on" && !enabled) || (state === "off" && enabled);
  }
}
$("search").addEventListener("input", filterTools);
$("state").addEventListener("change", filterTools);

$("tools").addEventListener("change", async (event) => {
  if (!event.target.classList.contains("toggle")) return;
  const name = event.target.closest("tr").dataset.name;
  const action = event.target.checked ? "enable" : "disable";
  const answer = await api("POST", `/api/tools/${encodeURIComponent(name)}/${action}`);
  if (answer.status !== 200) event.target.checked = !event.target.checked;
});

$("tools").addEventListener("click", (event) => {
  if (!event.target.classList.contains("tool-link")) return;
  event.preventDefault();
  showForm(event.target.closest("tr").dataset.name);
});

async function showForm(name) {
  const properties = ((schemas[name] || {}).inputSchema || {}).properties || {};
  $("try").hidden = false;
  $("try-name").textContent = name;
  $("try-schemas").textContent = JSON.stringify(schemas[name], null, 2);
  const status = (await api("GET", `/api/tools/${encodeURIComponent(name)}/status`)).body;
  const latency = status.latency || {};
  $("try-figures").textContent = `${status.enabled ? "enabled" : "disabled"} · ${status.source} · ` +
    `${status.calls} calls, ${status.errors} errors, ${status.timeouts} timeouts · ` +
    `p50 ${ms(latency.p50_ms)} ms, p95 ${ms(latency.p95_ms)} ms, p99 ${ms(latency.p99_ms)} ms`;
  $("try-form").dataset.name = name;
  $("try-result").textContent = "";
  $("try-fields").replaceChildren(...Object.entries(properties).map(([key, schema]) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.name = key;
    input.dataset.type = schema.type || "string";
    input.placeholder = schema.type === "string" || !schema.type ? "" : `${schema.type} (JSON)`;
    label.append(`${key} `, input, document.createElement("br"));
    return label;
  }));
}

$("try-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const args = {};
  for (const input of $("try-fields").querySelectorAll("input")) {
    if (input.value === "") continue;
    args[input.name] = input.dataset.type === "string" ? input.value : JSON.parse(input.value);
  }
  const answer = await api("POST", `/api/tools/${encodeURIComponent(event.target.dataset.name)}/call`, args);
  $("try-result").textContent = JSON.stringify(answer.body, null, 2);
});

const rows = new Map();
function showCall(call) {
  let row = rows.get(call.id);
  if (!row) {
    row = $("calls").tBodies[0].insertRow(0);
    row.addEventListener("click", () => {
      $("call-detail").hidden = false;
      $("call-detail").textContent = JSON.stringify(row.call, null, 2);
    });
    rows.set(call.id, row);
  }
  row.call = call;
  const cells = [new Date(call.time * 1000).toLocaleTimeString(), call.client || "", call.tool,
    JSON.stringify(call.arguments), call.outcome, call.duration_ms ?? ""];
  row.replaceChildren(...cells.map((text) => { const td = document.createElement("td"); td.textContent = text; return td; }));
  row.cells[4].className = call.outcome;
  $("calls-empty").hidden = true;
}

const events = new EventSource("/api/events");
for (const kind of ["call_started", "call_finished"]) {
  events.addEventListener(kind, (event) => showCall(JSON.parse(event.data)));
}
events.addEventListener("open", async () => {
  // On each (re)connection: the calls that ended meanwhile, which no event will bring.
  const calls = (await api("GET", "/api/calls?limit=50")).body;
  calls.reverse().forEach(showCall);
  $("health").textContent = "live";
  $("health").className = "ok";
});
events.addEventListener("error", () => { $("health").textContent = "reconnecting…"; $("health").className = "error"; });

// Tools added, removed, enabled or disabled elsewhere (another tab, a plugin reload).
events.addEventListener("tools_changed", async () => {
  const tools = (await api("GET", "/api/tools")).body;
  const rows = $("tools").tBodies[0].rows;
  if (tools.length !== rows.length || tools.some((tool, i) => rows[i].dataset.name !== tool.name)) {
    location.reload();  // the list itself changed: the server renders it again
    return;
  }
  tools.forEach((tool, i) => { rows[i].querySelector(".toggle").checked = tool.enabled; });
});

// System: figures from the metrics snapshot, once a second; calls per second over the last minute.
const rate = [];
let lastCalls = null;
function drawRate() {
  const canvas = $("rate"), context = canvas.getContext("2d");
  const top = Math.max(1, ...rate);
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.strokeStyle = context.fillStyle = getComputedStyle(document.body).color;
  context.beginPath();
  rate.forEach((value, i) => {
    const x = canvas.width - ((rate.length - 1 - i) / 59) * canvas.width, y = canvas.height - (value / top) * (canvas.height - 4) - 2;
    i ? context.lineTo(x, y) : context.moveTo(x, y);
  });
  context.stroke();
  context.fillText(`${rate.at(-1) ?? 0}/s (max ${top})`, 4, 12);
}
function showLatency(tools) {
  const entries = Object.entries(tools);
  const slowest = Math.max(1, ...entries.map(([, t]) => t.latency.p99_ms || 0));
  $("latency").tBodies[0].replaceChildren(...entries.map(([name, t]) => {
    const row = document.createElement("tr");
    for (const text of [name, t.calls, ms(t.latency.p50_ms), ms(t.latency.p95_ms), ms(t.latency.p99_ms)]) {
      row.insertCell().textContent = text;
    }
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.style.width = `${((t.latency.p99_ms || 0) / slowest) * 100}%`;
    row.insertCell().append(bar);
    return row;
  }));
  $("latency-empty").hidden = entries.length > 0;
}
async function poll() {
  const answer = await api("GET", "/api/system/metrics").catch(() => null);
  if (answer && answer.status === 200) {
    const metrics = answer.body;
    const calls = Object.values(metrics.tools).reduce((sum, t) => sum + t.calls, 0);
    if (lastCalls !== null) rate.push(calls - lastCalls);
    if (rate.length > 60) rate.shift();
    lastCalls = calls;
    $("uptime").textContent = `up ${Math.round(metrics.uptime_seconds)} s`;
    $("rss").textContent = metrics.rss_bytes ? `${(metrics.rss_bytes / 2 ** 20).toFixed(1)} MiB` : "memory unknown";
    $("open-calls").textContent = `${metrics.open_calls} open calls`;
    drawRate();
    showLatency(metrics.tools);
  }
  setTimeout(poll, 1000);
}
poll();

async function showPlugins(answer) {
  const report = answer || (await api("GET", "/api/plugins")).body;
  const items = report.plugins.map((plugin) => {
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
$("reload").addEventListener("click", async () => showPlugins((await api("POST", "/api/plugins/reload")).body));
showPlugins();
