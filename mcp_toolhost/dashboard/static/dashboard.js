// The dashboard's live parts: filtering, enable/disable toggles, the call form, live calls (SSE).
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const schemas = JSON.parse(document.getElementById("tool-data").textContent);
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const response = await fetch(path, {
    method, headers: { "content-type": "application/json", "x-csrf-token": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

$("search").addEventListener("input", (event) => {
  const words = event.target.value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const row of $("tools").tBodies[0].rows) {
    row.hidden = !words.every((word) => row.dataset.search.includes(word));
  }
});

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

function showForm(name) {
  const properties = (schemas[name] || {}).properties || {};
  $("try").hidden = false;
  $("try-name").textContent = name;
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

fetch("/api/calls?limit=50").then((r) => r.json()).then((calls) => calls.reverse().forEach(showCall));
const events = new EventSource("/api/events");
for (const kind of ["call_started", "call_finished"]) {
  events.addEventListener(kind, (event) => showCall(JSON.parse(event.data)));
}
events.addEventListener("open", () => { $("health").textContent = "live"; $("health").className = "ok"; });
events.addEventListener("error", () => { $("health").textContent = "reconnecting…"; $("health").className = "error"; });
