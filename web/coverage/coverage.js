// cmap's coverage map: a heatmap of sub-competencies (rows, grouped by
// competency) against courses (columns), read from the GraphQL API beside
// the page. Cells are coloured by level on a colour-blind-safe ramp and
// marked with the level's abbreviation; rows no active course covers at the
// chosen minimum level are gaps. Choosing a cell shows the rules behind it.
// The sub-competency column and the totals stay in view while the courses
// scroll, and the table's corner says how many course columns are
// off-screen. A view without a course column says why, from the API's
// answers (it assumes nothing about what retired courses cover).
// The view lives in the URL's fragment, e.g.
// /coverage#competency=4.0&minLevel=Advanced&status=all&gaps=1&cell=4.C/SCM-201
// No dependencies: it works offline.
// Requests carry the tab's API key (shared/apikey.js, shared/graphql.js);
// a refusal asks for one.
"use strict";

const query = `query CoverageMap($filter: CoverageFilter) {
  proficiencyScale { levels }
  competencies { code title }
  activeCourses: courses(first: 1, filter: { status: ACTIVE }) { totalCount }
  retiredCourses: courses(first: 1, filter: { status: RETIRED }) { totalCount }
  ruleSet { rules(kind: COURSE) { id file line description exclude excludeCodes } }
  coverageMatrix(filter: $filter) {
    minLevel
    courses { code title status hours provider }
    rows {
      subCompetency { code statement competency { code } }
      gap
      highest
      reach
      countByLevel { level courses }
      cells { courseCode level rules { id file line } }
    }
  }
}`;

// Asked only when a view has no course column: the courses of its status,
// and those of them that cover anything at all.
const whyQuery = `query WhyNoColumn($status: CourseStatusOrAny, $courseStatus: CourseStatus) {
  courses(first: 100, filter: { status: $courseStatus }) { totalCount edges { node { code } } }
  coverageMatrix(filter: { status: $status }) { courses { code } }
}`;

// Each choice of the status filter: how the coverage matrix and the course
// list spell it, and the word for its courses.
const statuses = {
  active: { matrix: "ACTIVE", courses: "ACTIVE", word: "active " },
  retired: { matrix: "RETIRED", courses: "RETIRED", word: "retired " },
  all: { matrix: "ANY", courses: null, word: "" },
};

const $ = (id) => document.getElementById(id);
const grid = $("grid");
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
// The last answer: the scale, the competencies, the catalogue's counts, the
// rules, the matrix, and why it has no column (null when it has some).
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

async function load() {
  const id = ++pending;
  document.body.dataset.state = "loading";
  const status = statuses[view.status];
  const filter = { status: status.matrix };
  if (view.competency) filter.competencies = [view.competency];
  if (view.minLevel) filter.minLevel = view.minLevel;
  try {
    const answer = await graphQL(query, { filter });
    if (id !== pending) return;
    answer.why = answer.coverageMatrix.courses.length ? null : await whyNoColumn(answer, status);
    if (id !== pending) return;
    data = answer;
    $("error").hidden = true;
    render();
    document.body.dataset.state = "ready";
  } catch (e) {
    if (id !== pending) return;
    $("error").textContent = "Could not load the coverage matrix: " + e.message +
      (apiKey.refused(e) ? " Enter an API key with the viewer role in the API key field above." : "");
    $("error").hidden = false;
    $("summary").textContent = "";
    document.body.dataset.state = "error";
  }
}

// catalogueCount returns how many courses of the status the catalogue holds.
function catalogueCount(answer, status) {
  const active = answer.activeCourses.totalCount;
  const retired = answer.retiredCourses.totalCount;
  return status.matrix === "ACTIVE" ? active : status.matrix === "RETIRED" ? retired : active + retired;
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// scopeOf spells what the competency and (unless withoutLevel) minimum
// level filters select, e.g. " of 4.0 Sales and Transfers at Expert or above".
function scopeOf(answer, withoutLevel) {
  let scope = "";
  if (view.competency) {
    const c = answer.competencies.find((c) => c.code === view.competency);
    scope += ` of ${view.competency}${c ? " " + c.title : ""}`;
  }
  if (answer.coverageMatrix.minLevel && !withoutLevel) scope += ` at ${answer.coverageMatrix.minLevel} or above`;
  return scope;
}

// whyNoColumn says why a view shows no course, from the API's answers: the
// catalogue has no course of the status; or none of them covers anything,
// with the exclusion rules that fired for them; or none covers what the
// competency and minimum level select. It returns the reason, the message
// as text and code parts, and the numbers it rests on.
async function whyNoColumn(answer, status) {
  const total = catalogueCount(answer, status);
  const courses = (n) => plural(n, `${status.word}course`, `${status.word}courses`);
  if (total === 0) {
    return { reason: "no-courses", courses: 0, parts: [`The catalogue has no ${status.word}courses, so no course column shows.`] };
  }
  const some = await graphQL(whyQuery, { status: status.matrix, courseStatus: status.courses });
  const covering = some.coverageMatrix.courses.length;
  if (covering > 0) {
    return { reason: "filtered", courses: total, covering, parts: [
      `No ${status.word}course covers a sub-competency${scopeOf(answer)}. ` +
      `${covering === total ? (total === 1 ? `The ${status.word}course covers` : `All ${courses(total)} cover`) : `${covering} of the ${courses(total)} cover`} ` +
      "sub-competencies elsewhere or at lower levels: Highest shows how far they get on these rows."] };
  }
  const codes = some.courses.edges.map((e) => e.node.code);
  const parts = [total === 1 ? `The only ${status.word}course, ${codes[0]}, covers no sub-competency.`
    : `None of the ${courses(total)} covers any sub-competency.`];
  const fired = await firedExclusions(answer.ruleSet.rules.filter((r) => r.exclude && r.excludeCodes.length === 0), codes);
  if (fired === null) {
    parts.push(" Which rules exclude them is shown to a key with the rule-author role.");
    return { reason: "covers-nothing", courses: total, parts };
  }
  const excluded = new Set();
  for (const { rule, courses: hit } of fired) {
    hit.forEach((c) => excluded.add(c));
    const whom = hit.length === codes.length ? (codes.length === 1 ? "it" : `all ${codes.length}`) : hit.join(", ");
    parts.push(" The rule ", { code: rule.id, rule: rule.id }, " (", { code: `${rule.file}:${rule.line}` }, `) excludes ${whom}: “${rule.description}”`);
  }
  const rest = codes.filter((c) => !excluded.has(c));
  if (rest.length) parts.push(` No rule gives ${excluded.size ? rest.join(", ") : codes.length === 1 ? "it" : "them"} any coverage.`);
  if (codes.length < total) parts.push(` (The first ${codes.length} were checked.)`);
  return { reason: "covers-nothing", courses: total, parts };
}

// firedExclusions asks, in one request, which of the courses each
// exclusion rule fires for, and returns the rules that fire for some; null
// when the key in use may not ask (explaining rules needs the rule-author
// role).
async function firedExclusions(rules, codes) {
  if (!rules.length || !codes.length) return [];
  const params = [...rules.map((_, i) => `$r${i}: ID!`), ...codes.map((_, j) => `$c${j}: String`)];
  const fields = rules.flatMap((_, i) => codes.map((_, j) => `e${i}_${j}: explain(rule: $r${i}, course: $c${j}) { fired }`));
  const vars = {};
  rules.forEach((r, i) => { vars[`r${i}`] = r.id; });
  codes.forEach((c, j) => { vars[`c${j}`] = c; });
  let answer;
  try {
    answer = await graphQL(`query Exclusions(${params.join(", ")}) { ${fields.join(" ")} }`, vars);
  } catch (e) {
    if (apiKey.refused(e)) return null;
    throw e;
  }
  return rules.map((rule, i) => ({ rule, courses: codes.filter((_, j) => answer[`e${i}_${j}`].fired) }))
    .filter((f) => f.courses.length);
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

// swatch returns the level's abbreviation in the level's colours.
function swatch(style, text) {
  const el = element("span", { className: "swatch", textContent: text, "aria-hidden": "true" });
  el.style.background = style.background;
  el.style.color = style.color;
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
  const status = statuses[view.status];
  fillSelect($("competency"), competencies.map((c) => [c.code, `${c.code} ${c.title}`]), view.competency);
  fillSelect($("min-level"), levels.map((l) => [l, `${l} or above`]), view.minLevel);
  $("status").value = view.status;
  $("gaps-only").checked = view.gapsOnly;

  $("legend").replaceChildren(
    ...levels.map((l) => element("li", {}, swatch(styles.get(l), styles.get(l).short), l)),
    element("li", {}, element("span", { className: "swatch gap", textContent: "gap", "aria-hidden": "true" }), gapMeaning(m.minLevel)),
  );

  const titles = new Map(competencies.map((c) => [c.code, c.title]));
  const courses = m.courses;
  const columns = courses.length + 3;
  const reachOf = `the highest level at which any ${status.word}course covers it, whatever the minimum level`;
  const head = element("tr", {},
    element("th", { scope: "col", className: "subject" },
      element("div", { id: "offscreen" },
        element("span", { className: "what" }),
        element("span", { className: "nav" },
          element("button", { type: "button", dataset: { dir: "-1" } }),
          element("button", { type: "button", dataset: { dir: "1" } }))),
      element("span", { textContent: "Sub-competency" })),
    ...courses.map((c) => element("th", {
      scope: "col", className: "course" + (c.status === "RETIRED" ? " retired" : ""),
      title: `${c.code}: ${c.title} (${c.hours} h, ${c.provider}${c.status === "RETIRED" ? ", retired" : ""})`,
    }, element("span", { textContent: c.code }))),
    element("th", { scope: "col", className: "count",
      title: `How many ${status.word}courses cover it${m.minLevel ? ` at ${m.minLevel} or above` : ""}` },
    element("span", { textContent: "Courses" })),
    element("th", { scope: "col", className: "highest", title: reachOf[0].toUpperCase() + reachOf.slice(1) },
      element("span", { textContent: "Highest" })),
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
          element("th", { scope: "rowgroup", colSpan: columns },
            element("span", { textContent: `${groupCode} ${titles.get(groupCode) || ""}` }))));
      table.append(group);
    }
    const cells = new Map(row.cells.map((c) => [c.courseCode, c]));
    const tr = element("tr", { className: row.gap ? "gap" : "", dataset: { sub: sub.code, gap: String(row.gap) } },
      element("th", { scope: "row", title: `${sub.code} ${sub.statement}` },
        element("div", { className: "sub" },
          element("span", { className: "code", textContent: sub.code }),
          element("span", { className: "statement", textContent: sub.statement }),
          element("span", { className: "badge", textContent: "gap" }))));
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
      element("td", { className: "count", dataset: { counts: counts || "no course" } },
        element("span", { className: "off left", textContent: "‹", "aria-hidden": "true" }),
        element("span", { className: "n", textContent: String(row.cells.length) }),
        element("span", { className: "off right", textContent: "›", "aria-hidden": "true" })),
      highestCell(row, styles.get(row.reach), m.minLevel, reachOf),
    );
    group.append(tr);
  });

  const total = catalogueCount(data, status);
  $("summary").textContent = `${m.rows.length} sub-competencies${view.gapsOnly ? ` (${shown} shown)` : ""} · ` +
    `${courses.length} of ${plural(total, `${status.word}course`, `${status.word}courses`)} shown, ` +
    `those covering one${m.minLevel ? ` at ${m.minLevel} or above` : ""} · ` +
    `${plural(gaps, "gap", "gaps")} (${gapMeaning(m.minLevel)})`;
  showEmpty(m, shown);
  const first = table.querySelector("td.cell button");
  if (first) first.tabIndex = 0;
  layout();
  showPanel();
}

// highestCell shows the row's reach: the highest level of the courses the
// status selects, whatever the minimum level, marked when it is below it.
function highestCell(row, style, minLevel, reachOf) {
  const td = element("td", { className: "highest" });
  if (!row.reach) {
    td.append("—");
    td.title = "No course in view covers it";
    return td;
  }
  td.dataset.level = row.reach;
  td.append(swatch(style || { background: "#ccc", color: "#000" }, style ? style.short : row.reach),
    element("span", { className: "name", textContent: row.reach }));
  td.title = `${row.reach}: ${reachOf}`;
  if (!row.highest && minLevel) {
    td.classList.add("below");
    td.title += `; below ${minLevel}`;
  }
  return td;
}

// showEmpty says why the view shows no course column, or no row.
function showEmpty(m, shown) {
  const messages = [];
  if (data.why) messages.push(data.why);
  if (view.gapsOnly && shown === 0 && m.rows.length) {
    messages.push({ reason: "no-gaps", parts: [`No gaps: every sub-competency${scopeOf(data, true)} ` +
      (m.minLevel ? `has an active course at ${m.minLevel} or above.` : "is covered by an active course.")] });
  }
  const el = $("empty");
  el.hidden = messages.length === 0;
  el.dataset.reason = messages.map((w) => w.reason).join(" ");
  for (const key of ["courses", "covering"]) {
    const n = messages.find((w) => w[key] !== undefined);
    if (n) el.dataset[key] = String(n[key]);
    else delete el.dataset[key];
  }
  el.replaceChildren(...messages.flatMap((w, i) => [i ? " " : "", ...w.parts.map((p) =>
    typeof p === "string" ? p : element("code", { textContent: p.code, dataset: p.rule ? { rule: p.rule } : {} }))]));
}

// layout places the sticky totals and says, in the table's corner and on
// each row's count, which course columns are off-screen (more than a pixel
// of them hidden): scrolled behind the sub-competency column or the
// totals, or out of the grid. It runs after each render and whenever the
// grid scrolls or changes size.
function layout() {
  const off = $("offscreen");
  const head = table.tHead.rows[0];
  if (!off || !head) return;
  const corner = head.querySelector("th.subject");
  const count = head.querySelector("th.count");
  const highest = head.querySelector("th.highest");
  const highestWidth = highest.getBoundingClientRect().width;
  table.style.setProperty("--highest-w", `${highestWidth}px`);
  const from = corner.getBoundingClientRect().right;
  const to = count.getBoundingClientRect().left;
  // Focus and scrollIntoView keep a cell clear of the sticky columns.
  grid.style.scrollPaddingLeft = `${corner.getBoundingClientRect().width}px`;
  grid.style.scrollPaddingRight = `${count.getBoundingClientRect().width + highestWidth}px`;
  const sides = [...head.querySelectorAll("th.course")].map((th) => {
    const r = th.getBoundingClientRect();
    return r.left < from - 1 ? -1 : r.right > to + 1 ? 1 : 0;
  });
  const left = sides.filter((s) => s < 0).length;
  const right = sides.filter((s) => s > 0).length;
  Object.assign(off.dataset, { left, right, total: sides.length, scrollLeft: Math.round(grid.scrollLeft) });
  off.querySelector(".what").textContent = sides.length === 0 ? "No course column"
    : left + right === 0 ? `All ${sides.length} course columns in view`
    : `${left + right} of ${sides.length} course columns off-screen`;
  off.querySelector(".nav").hidden = left + right === 0;
  const [back, forth] = off.querySelectorAll("button");
  back.textContent = `‹ ${left}`;
  back.disabled = left === 0;
  back.setAttribute("aria-label", `Scroll left: ${plural(left, "course column", "course columns")} there`);
  forth.textContent = `${right} ›`;
  forth.disabled = right === 0;
  forth.setAttribute("aria-label", `Scroll right: ${plural(right, "course column", "course columns")} there`);
  off.dataset.page = Math.max(to - from, 0);
  for (const tr of table.querySelectorAll("tr[data-sub]")) {
    let l = 0;
    let r = 0;
    for (const td of tr.querySelectorAll("td.cell")) {
      const side = sides[td.cellIndex - 1];
      if (side < 0) l++;
      else if (side > 0) r++;
    }
    for (const [key, n] of [["offLeft", l], ["offRight", r]]) {
      if (n) tr.dataset[key] = String(n);
      else delete tr.dataset[key];
    }
    const count = tr.querySelector("td.count");
    count.title = count.dataset.counts + (l ? `; ${l} scrolled out of view to the left` : "") +
      (r ? `; ${r} scrolled out of view to the right` : "");
  }
}

let frame = 0;
function scheduleLayout() {
  if (!frame) frame = requestAnimationFrame(() => { frame = 0; layout(); });
}
grid.addEventListener("scroll", scheduleLayout, { passive: true });
new ResizeObserver(scheduleLayout).observe(grid);

// The corner's buttons scroll the courses by most of what is in view.
table.addEventListener("click", (e) => {
  const button = e.target.closest("#offscreen button");
  if (!button) return;
  const page = Number($("offscreen").dataset.page) * 0.9;
  grid.scrollBy({ left: Number(button.dataset.dir) * page, behavior: "smooth" });
});

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
  const described = new Map(data.ruleSet.rules.map((r) => [r.id, r.description]));
  const rules = element("ol", { id: "rules" },
    ...cell.rules.map((r) => element("li", { dataset: { rule: r.id } },
      element("code", { className: "id", textContent: r.id }), " ",
      element("code", { className: "where", textContent: `${r.file}:${r.line}` }),
      element("p", { className: "description",
        textContent: described.has(r.id) ? described.get(r.id) : "(no longer in the serving rule set: reload the page)" }))));
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

apiKey.mount(load);
load();
