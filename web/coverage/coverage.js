// cmap's coverage map: a heatmap of sub-competencies (rows, grouped by
// competency) against courses (columns), read from the GraphQL API beside
// the page. Cells are coloured by level on a colour-blind-safe ramp and
// marked with the level's abbreviation; rows no active course covers at the
// chosen minimum level are gaps. Choosing a cell shows the rules behind it.
// The view lives in the URL's fragment, e.g.
// /coverage#competency=4.0&minLevel=Advanced&status=all&gaps=1&cell=4.C/SCM-201
// No dependencies: it works offline.
"use strict";

const endpoint = "graphql";

const query = `query CoverageMap($filter: CoverageFilter) {
  proficiencyScale { levels }
  competencies { code title }
  coverageMatrix(filter: $filter) {
    minLevel
    courses { code title status hours provider }
    rows {
      subCompetency { code statement competency { code } }
      gap
      highest
      countByLevel { level courses }
      cells { courseCode level rules { id file line } }
    }
  }
}`;

// The course status each choice of the status filter asks for.
const statuses = { active: "ACTIVE", retired: "RETIRED", all: "ANY" };

const $ = (id) => document.getElementById(id);
const table = $("matrix");
const panel = $("panel");

// Every violation of the page's Content-Security-Policy is recorded on the
// body, so that tests (and people) can see one happened.
document.addEventListener("securitypolicyviolation", (e) => {
  const seen = document.body.dataset.cspViolations;
  document.body.dataset.cspViolations = (seen ? seen + " " : "") + e.violatedDirective;
});

// The view: filters and the selected cell, as kept in the URL fragment.
let view = readView();
// The last answer: the scale, the competencies and the matrix.
let data = null;
// The request in flight; a newer one supersedes it.
let pending = 0;

function readView() {
  const p = new URLSearchParams(location.hash.slice(1));
  const cell = (p.get("cell") || "").split("/");
  return {
    competency: p.get("competency") || "",
    minLevel: p.get("minLevel") || "",
    status: statuses[p.get("status")] ? p.get("status") : "active",
    gapsOnly: p.get("gaps") === "1",
    cell: cell.length === 2 && cell[0] && cell[1] ? { sub: cell[0], course: cell[1] } : null,
  };
}

function writeView() {
  const p = new URLSearchParams();
  if (view.competency) p.set("competency", view.competency);
  if (view.minLevel) p.set("minLevel", view.minLevel);
  if (view.status !== "active") p.set("status", view.status);
  if (view.gapsOnly) p.set("gaps", "1");
  if (view.cell) p.set("cell", view.cell.sub + "/" + view.cell.course);
  const hash = p.toString().replaceAll("%2F", "/");
  history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
}

async function post(vars) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/graphql-response+json, application/json" },
    body: JSON.stringify({ query, variables: vars }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`HTTP ${response.status}: the answer is not JSON`);
  }
  if (body.errors && body.errors.length) {
    throw new Error(body.errors.map((e) => e.message).join("; "));
  }
  if (!response.ok || !body.data) {
    throw new Error(`HTTP ${response.status}`);
  }
  return body.data;
}

async function load() {
  const id = ++pending;
  document.body.dataset.state = "loading";
  const filter = { status: statuses[view.status] };
  if (view.competency) filter.competencies = [view.competency];
  if (view.minLevel) filter.minLevel = view.minLevel;
  try {
    const answer = await post({ filter });
    if (id !== pending) return;
    data = answer;
    $("error").hidden = true;
    render();
    document.body.dataset.state = "ready";
  } catch (e) {
    if (id !== pending) return;
    $("error").textContent = "Could not load the coverage matrix: " + e.message;
    $("error").hidden = false;
    $("summary").textContent = "";
    document.body.dataset.state = "error";
  }
}

// Colours: viridis, a perceptually uniform ramp that people with the common
// forms of colour blindness read in the same order, from light (the lowest
// level) to dark (the highest). Each cell also carries the level's
// abbreviation, so colour is never the only cue.
const viridis = [[253, 231, 37], [94, 201, 98], [33, 145, 140], [59, 82, 139], [68, 1, 84]];

function rampColour(t) {
  const x = t * (viridis.length - 1);
  const i = Math.min(Math.floor(x), viridis.length - 2);
  const f = x - i;
  return viridis[i].map((c, k) => Math.round(c + (viridis[i + 1][k] - c) * f));
}

// levelStyles returns, for each level of the scale, its colours and the
// shortest prefix of its name that no other level shares.
function levelStyles(levels) {
  const styles = new Map();
  levels.forEach((level, rank) => {
    const t = levels.length === 1 ? 1 : 0.1 + (0.9 * rank) / (levels.length - 1);
    const [r, g, b] = rampColour(t);
    const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    let n = 1;
    while (n < level.length && levels.some((o) => o !== level && o.slice(0, n).toLowerCase() === level.slice(0, n).toLowerCase())) n++;
    styles.set(level, { rank, background: `rgb(${r}, ${g}, ${b})`, color: luminance > 0.5 ? "#1d2330" : "#fff", short: level.slice(0, n) });
  });
  return styles;
}

// gapMeaning says what makes a row a gap at the minimum level.
function gapMeaning(minLevel) {
  return minLevel ? `no active course at ${minLevel} or above` : "no active course covers it";
}

function element(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el) el[k] = v;
    else el.setAttribute(k, v);
  }
  el.append(...children);
  return el;
}

function fillSelect(select, options, value) {
  const first = select.options[0];
  select.replaceChildren(first, ...options.map(([v, label]) => element("option", { value: v, textContent: label })));
  select.value = value;
}

function render() {
  const { proficiencyScale, competencies, coverageMatrix: m } = data;
  const levels = proficiencyScale.levels;
  const styles = levelStyles(levels);
  fillSelect($("competency"), competencies.map((c) => [c.code, `${c.code} ${c.title}`]), view.competency);
  fillSelect($("min-level"), levels.map((l) => [l, `${l} or above`]), view.minLevel);
  $("status").value = view.status;
  $("gaps-only").checked = view.gapsOnly;

  $("legend").replaceChildren(
    ...levels.map((l) => {
      const s = styles.get(l);
      const swatch = element("span", { className: "swatch", textContent: s.short, "aria-hidden": "true" });
      swatch.style.background = s.background;
      swatch.style.color = s.color;
      return element("li", {}, swatch, l);
    }),
    element("li", {}, element("span", { className: "swatch gap", textContent: "gap", "aria-hidden": "true" }), gapMeaning(m.minLevel)),
  );

  const titles = new Map(competencies.map((c) => [c.code, c.title]));
  const courses = m.courses;
  const columns = courses.length + 3;
  const head = element("tr", {},
    element("th", { scope: "col", className: "subject", textContent: "Sub-competency" }),
    ...courses.map((c) => element("th", {
      scope: "col", className: "course" + (c.status === "RETIRED" ? " retired" : ""),
      title: `${c.code}: ${c.title} (${c.hours} h, ${c.provider}${c.status === "RETIRED" ? ", retired" : ""})`,
    }, element("span", { textContent: c.code }))),
    element("th", { scope: "col", textContent: "Courses" }),
    element("th", { scope: "col", textContent: "Highest" }),
  );
  table.tHead.replaceChildren(head);
  for (const body of [...table.tBodies]) body.remove();

  let group = null;
  let groupCode = null;
  let shown = 0;
  let gaps = 0;
  m.rows.forEach((row) => {
    if (row.gap) gaps++;
    if (view.gapsOnly && !row.gap) return;
    shown++;
    const sub = row.subCompetency;
    if (sub.competency.code !== groupCode) {
      groupCode = sub.competency.code;
      group = element("tbody", { dataset: { competency: groupCode } },
        element("tr", { className: "competency" },
          element("th", { scope: "rowgroup", textContent: `${groupCode} ${titles.get(groupCode) || ""}` }),
          element("td", { colSpan: columns - 1 })));
      table.append(group);
    }
    const cells = new Map(row.cells.map((c) => [c.courseCode, c]));
    const tr = element("tr", { className: row.gap ? "gap" : "", dataset: { sub: sub.code, gap: String(row.gap) } },
      element("th", { scope: "row", title: `${sub.code} ${sub.statement}` },
        element("span", { className: "code", textContent: sub.code }),
        sub.statement,
        element("span", { className: "badge", textContent: "gap" })));
    for (const course of courses) {
      const cell = cells.get(course.code);
      if (!cell) {
        tr.append(element("td", {}));
        continue;
      }
      const s = styles.get(cell.level) || { background: "#ccc", color: "#000", short: cell.level };
      const rules = cell.rules.map((r) => r.id).join(", ");
      const button = element("button", {
        type: "button", textContent: s.short, tabIndex: -1,
        title: `${sub.code} × ${course.code} ${course.title}: ${cell.level}\nrules: ${rules}`,
        "aria-label": `${sub.code}, ${course.code}: ${cell.level}`,
      });
      const td = element("td", { className: "cell", dataset: { course: course.code, level: cell.level } }, button);
      td.style.background = s.background;
      td.style.color = s.color;
      tr.append(td);
    }
    const counts = row.countByLevel.filter((c) => c.courses > 0).map((c) => `${c.courses} at ${c.level}`).join(", ");
    tr.append(
      element("td", { className: "count", textContent: String(row.cells.length), title: counts || "no course" }),
      element("td", { className: "highest", textContent: row.highest || "—", title: row.highest ? "highest level" : "no course covers it" }),
    );
    group.append(tr);
  });

  $("summary").textContent = `${m.rows.length} sub-competencies${view.gapsOnly ? ` (${shown} shown)` : ""}, ` +
    `${courses.length} courses, ${gaps} gap${gaps === 1 ? "" : "s"} (${gapMeaning(m.minLevel)})`;
  const first = table.querySelector("td.cell button");
  if (first) first.tabIndex = 0;
  showPanel();
}

// showPanel shows the selected cell and the rules behind it, or hides the
// panel when no cell is selected.
function showPanel() {
  for (const el of table.querySelectorAll("td.selected")) el.classList.remove("selected");
  if (!view.cell || !data) {
    panel.hidden = true;
    delete panel.dataset.cell;
    return;
  }
  const { sub, course } = view.cell;
  const m = data.coverageMatrix;
  const row = m.rows.find((r) => r.subCompetency.code === sub);
  const column = m.courses.find((c) => c.code === course);
  const cell = row && row.cells.find((c) => c.courseCode === course);
  panel.dataset.cell = sub + "/" + course;
  $("panel-title").textContent = `${sub} × ${course}`;
  const body = $("panel-body");
  if (!cell) {
    body.replaceChildren(element("p", { textContent: `${course} does not cover ${sub} in this view.` }));
    panel.hidden = false;
    return;
  }
  const td = table.querySelector(`tr[data-sub="${CSS.escape(sub)}"] td[data-course="${CSS.escape(course)}"]`);
  if (td) td.classList.add("selected");
  const dl = element("dl", {});
  const add = (term, value) => dl.append(element("dt", { textContent: term }), element("dd", { textContent: value }));
  add("Sub-competency", `${sub} ${row.subCompetency.statement}`);
  add("Course", `${column.code} ${column.title}`);
  add("Status", column.status.toLowerCase());
  add("Hours", String(column.hours));
  add("Provider", column.provider);
  add("Level", cell.level);
  const rules = element("ol", { id: "rules" },
    ...cell.rules.map((r) => element("li", { dataset: { rule: r.id } },
      element("code", { textContent: r.id }), " ", element("code", { className: "where", textContent: `${r.file}:${r.line}` }))));
  body.replaceChildren(dl, element("h3", { textContent: cell.rules.length === 1 ? "Rule" : "Rules" }), rules);
  panel.hidden = false;
  if (td) td.scrollIntoView({ block: "nearest", inline: "nearest" });
}

function select(sub, course) {
  view.cell = { sub, course };
  writeView();
  showPanel();
}

table.addEventListener("click", (e) => {
  const td = e.target.closest("td.cell");
  if (!td) return;
  select(td.closest("tr").dataset.sub, td.dataset.course);
});

// Arrow keys move between the covered cells: left and right within a row,
// up and down to the nearest covered cell in the same column.
table.addEventListener("keydown", (e) => {
  const td = e.target.closest("td.cell");
  if (!td) return;
  const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  const move = moves[e.key];
  if (!move) return;
  const rows = [...table.querySelectorAll("tr[data-sub]")];
  let r = rows.indexOf(td.parentElement);
  let c = td.cellIndex;
  let target = null;
  while (!target) {
    r += move[0];
    c += move[1];
    if (r < 0 || r >= rows.length || c < 1 || c >= rows[r].cells.length) break;
    const candidate = rows[r].cells[c];
    if (candidate.classList.contains("cell")) target = candidate;
  }
  if (!target) return;
  e.preventDefault();
  td.querySelector("button").tabIndex = -1;
  const button = target.querySelector("button");
  button.tabIndex = 0;
  button.focus();
});

$("panel-close").addEventListener("click", () => {
  const { sub, course } = view.cell || {};
  view.cell = null;
  writeView();
  showPanel();
  const td = sub && table.querySelector(`tr[data-sub="${CSS.escape(sub)}"] td[data-course="${CSS.escape(course)}"] button`);
  if (td) td.focus();
});

$("filters").addEventListener("change", (e) => {
  view.competency = $("competency").value;
  view.minLevel = $("min-level").value;
  view.status = $("status").value;
  view.gapsOnly = $("gaps-only").checked;
  writeView();
  if (e.target.id === "gaps-only") render();
  else load();
});
$("filters").addEventListener("submit", (e) => e.preventDefault());

window.addEventListener("hashchange", () => {
  const next = readView();
  const refetch = next.competency !== view.competency || next.minLevel !== view.minLevel || next.status !== view.status;
  view = next;
  if (refetch) load();
  else if (data) render();
});

load();
