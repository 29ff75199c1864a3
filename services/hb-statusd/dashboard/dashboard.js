// hb's dashboard: shows /api/v1/cluster and fetches it again whenever /api/v1/events says
// something changed (and every 10 s, for what has no event, such as a daemon leaving); lists the
// events as they come. Plain DOM, no framework.
"use strict";

const maxLogLines = 200;
let refreshing = null;
let again = false;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function stateCell(state) {
  const s = state === null || state === undefined ? "unknown" : String(state);
  return el("td", s, "state-" + s.replace(/[^a-z-]/g, ""));
}

// "2 (last 0.084 s)": how often this node took the group over and how long the last one took;
// empty before its first.
function takeoverText(g) {
  if (!g.takeovers) return "";
  const last = g.last_takeover_seconds;
  return g.takeovers + (last === null || last === undefined ? "" : " (last " + last.toFixed(3) + " s)");
}

function fill(tableId, rows) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.replaceChildren(...rows);
}

function render(c) {
  document.getElementById("local-node").textContent = "on " + c.local_node;
  fill("groups", c.groups.map((g) => {
    const tr = el("tr");
    tr.dataset.group = g.key;
    tr.append(el("td", g.key), el("td", g.owner === null ? "(none)" : g.owner, "owner"),
              stateCell(g.state), el("td", g.preferred_node), el("td", g.since || ""),
              el("td", takeoverText(g), "takeovers"),
              el("td", g.resources.map((r) => r.token + " " + (r.unit || "") + " " + r.state)
                .join(", ")));
    return tr;
  }));
  fill("nodes", c.nodes.map((n) => {
    const tr = el("tr");
    tr.dataset.node = n.name;
    const links = el("td");
    for (const l of n.links) {
      links.append(el("span", l.medium + ": " + l.state, "state-" + l.state), " ");
    }
    tr.append(el("td", n.name), el("td", n.type), el("td", n.protocol || "", "protocol"),
              stateCell(n.state), links,
              el("td", n.last_heard || "never"));
    return tr;
  }));
  fill("pings", c.ping_nodes.map((p) => {
    const tr = el("tr");
    tr.append(el("td", p.address), stateCell(p.state));
    return tr;
  }));
  fill("daemons", c.daemons.filter((d) => d.expected || d.up).map((d) => {
    const tr = el("tr");
    const ws = el("td");
    for (const w of d.warnings) ws.append(el("div", w.code + ": " + w.text, "warning"));
    if (d.error) ws.append(el("div", "cannot read: " + d.error, "warning"));
    tr.append(el("td", d.name), stateCell(d.up ? "up" : "dead"), ws);
    return tr;
  }));
  document.getElementById("footer").textContent =
    "hb " + c.hb_version + " · generated " + c.generated_at;
}

// One fetch at a time; a change during one asks for one more.
async function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      try {
        const r = await fetch("/api/v1/cluster", { cache: "no-store" });
        if (r.ok) render(await r.json());
      } catch (e) {
        setConnection("cannot reach hb-statusd", "dead");
      }
    } while (again);
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
  }
}

function setConnection(text, state) {
  const p = document.getElementById("connection");
  p.textContent = text;
  p.className = "state-" + state;
}

function describe(type, d) {
  switch (type) {
    case "node":
      return "node " + d.node + ": " + d.old_state + " → " + d.new_state;
    case "link":
      return "link " + d.node + "/" + d.medium + ": " + d.old_state + " → " + d.new_state;
    case "group":
      return "group " + d.group + ": " + (d.old_owner || "(none)") + " " + d.old_state +
        " → " + (d.new_owner || "(none)") + " " + d.new_state;
    case "pingnode":
      return "ping node " + d.address + ": " + d.old_state + " → " + d.new_state;
    case "warnings":
      return d.daemon + " warnings: " +
        (d.warnings.length ? d.warnings.map((w) => w.code).join(", ") : "none");
    default:
      return type;
  }
}

function log(type, data, id) {
  const list = document.getElementById("events");
  let text;
  try {
    const d = JSON.parse(data);
    text = (d.time || "") + "  " + describe(type, d);
  } catch (e) {
    text = type;
  }
  const li = el("li", text);
  li.dataset.type = type;
  li.title = id || "";
  list.prepend(li);
  while (list.children.length > maxLogLines) list.lastChild.remove();
}

function follow() {
  const source = new EventSource("/api/v1/events");
  source.onopen = () => setConnection("live", "up");
  source.onerror = () => setConnection("reconnecting…", "late");
  for (const type of ["node", "link", "group", "pingnode", "warnings"]) {
    source.addEventListener(type, (e) => {
      log(type, e.data, e.lastEventId);
      refresh();
    });
  }
  // Events were missed (hb-statusd restarted, or the history moved on): the data is the cluster.
  source.addEventListener("reset", (e) => {
    log("reset", "{}", e.lastEventId);
    try {
      render(JSON.parse(e.data));
    } catch (err) {
      refresh();
    }
  });
}

refresh();
follow();
setInterval(refresh, 10000);
