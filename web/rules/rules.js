// cmap's rules page: the serving rule set (files, rules, revision, load
// time, the entries naming codes the model no longer has), the last rejected set with its errors, and the plan of a change
// of one file (edited, pasted, uploaded or deleted), read from the GraphQL
// API beside the page (ruleSet, ruleSetPlan). Nothing is written: a plan
// is computed over the served records and thrown away.
// No dependencies: it works offline.
"use strict";

const statusQuery = `{
  ruleSet {
    revision loadedAt directory
    files { path rules content }
    rules { id kind file line description }
    rejected { revision rejectedAt errors { file line column message snippet } }
    runtimeErrors { kind subject message }
    warnings { file line column message snippet }
  }
}`;

// How many items of each long list a plan shows; counts say the rest.
const shown = 200;

const planQuery = `query Plan($files: [RuleFileInput!]!) {
  ruleSetPlan(files: $files) {
    base { revision rules } head { revision rules }
    errors { file line column message snippet }
    changed summary scaleChanged runErrors factCount positionCount
    rules { id kind change file line description factCount
      facts(first: ${shown}) { kind subject subCompetency { code } change before after } }
    unattributed(first: ${shown}) { kind subject subCompetency { code } before after }
    gaps { level opened { code } closed { code } }
    demand { subCompetency { code } level change positionsBefore positionsAfter }
    positions(first: ${shown}) { positionId title holders changes { subCompetency { code } before after } }
    people { becomeReady becomeUnready otherGaps total
      changes(first: ${shown}) { personId name positionId readyBefore readyAfter
        gaps { subCompetency { code } requiredBefore attainedBefore requiredAfter attainedAfter } } }
    organizations { organization people readyBefore readyAfter shareBefore shareAfter }
    markdown
  }
}`;

const $ = (id) => document.getElementById(id);

// Every violation of the page's Content-Security-Policy is recorded on the
// body, so that tests (and people) can see one happened.
document.addEventListener("securitypolicyviolation", (e) => {
  const seen = document.body.dataset.cspViolations;
  document.body.dataset.cspViolations = (seen ? seen + " " : "") + e.violatedDirective;
});

// The serving set, as last loaded.
let serving = null;

// el makes an element with a class (or none) and children: strings become
// text, never markup.
function el(tag, cls, ...children) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const c of children) e.append(c === null || c === undefined ? "" : c);
  return e;
}

// table makes a table with a header row and rows of cells (strings or
// elements); cls names it for tests and styles.
function table(cls, header, rows) {
  const t = el("table", cls);
  const head = el("tr", null, ...header.map((h) => {
    const th = el("th", null, h);
    th.scope = "col";
    return th;
  }));
  t.append(el("thead", null, head));
  const body = el("tbody");
  for (const r of rows) body.append(el("tr", null, ...r.map((c) => el("td", null, c))));
  t.append(body);
  return t;
}

function fillBody(id, rows) {
  const body = $(id).tBodies[0];
  body.replaceChildren(...rows.map((r) => el("tr", null, ...r.map((c) => el("td", null, c)))));
}

const where = (file, line, column) => `${file}:${line}${column ? ":" + column : ""}`;
const level = (l) => l || "none";
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const share = (f) => `${(f * 100).toFixed(1)}%`;

function code(text) {
  return el("code", null, text);
}

async function load() {
  document.body.dataset.state = "loading";
  try {
    const data = await graphQL(statusQuery, {});
    serving = data.ruleSet;
    renderServing();
    $("error").hidden = true;
    document.body.dataset.state = "ready";
  } catch (e) {
    $("error").textContent = "Could not load the rule set: " + e.message +
      (apiKey.refused(e) ? " Enter an API key with the viewer role in the API key field above." : "");
    $("error").hidden = false;
    document.body.dataset.state = "error";
  }
}

function renderServing() {
  const s = serving;
  $("serving-facts").replaceChildren(
    el("dt", null, "Revision"), el("dd", null, code(s.revision)),
    el("dt", null, "Directory"), el("dd", null, code(s.directory)),
    el("dt", null, "Loaded"), el("dd", null, new Date(s.loadedAt).toLocaleString()),
    el("dt", null, "Rules"), el("dd", null, `${s.rules.length} in ${plural(s.files.length, "file", "files")}`),
  );
  fillBody("files", s.files.map((f) => {
    const edit = el("button", "edit", "Edit");
    edit.type = "button";
    edit.addEventListener("click", () => chooseFile(f.path));
    return [code(f.path), String(f.rules), edit];
  }));
  fillBody("rules", s.rules.map((r) => [code(r.id), r.kind.toLowerCase(), code(where(r.file, r.line)), r.description]));
  $("warnings").hidden = s.warnings.length === 0;
  fillBody("warning-list", s.warnings.map(problem));
  $("runtime").hidden = s.runtimeErrors.length === 0;
  fillBody("runtime-errors", s.runtimeErrors.map((e) => [e.kind.toLowerCase(), e.subject, e.message]));

  const rej = s.rejected;
  $("rejected-none").hidden = !!rej;
  $("rejected-set").hidden = !rej;
  if (rej) {
    $("rejected-summary").textContent = `Revision ${rej.revision || "(unreadable)"}, rejected ${new Date(rej.rejectedAt).toLocaleString()}: ` +
      `${plural(rej.errors.length, "error", "errors")}. The serving set above keeps serving.`;
    fillBody("rejected-errors", rej.errors.map(problem));
  }

  const select = $("plan-file");
  const chosen = select.value;
  select.replaceChildren(el("option", null, "A new file…"), ...s.files.map((f) => el("option", null, f.path)));
  select.options[0].value = "";
  for (const o of select.options) if (o.value === chosen) o.selected = true;
}

// problem renders a diagnostic as a row: where, and the message with its
// snippet.
function problem(d) {
  const msg = el("div", null, d.message);
  if (d.snippet) msg.append(el("pre", "snippet", d.snippet));
  return [code(where(d.file, d.line, d.column)), msg];
}

function chooseFile(path) {
  const select = $("plan-file");
  select.value = path;
  onFileChosen();
  $("plan-content").focus();
}

function onFileChosen() {
  const path = $("plan-file").value;
  const f = serving && serving.files.find((x) => x.path === path);
  $("path-label").hidden = !!f;
  $("plan-content").value = f ? f.content : "";
  $("plan-delete").checked = false;
  if (!f) $("plan-path").value = "";
}

// The file of the form: its path and content, or its removal. A new
// file's path is below the rule directory, which it may leave out.
function formFile() {
  let path = $("plan-file").value;
  const typed = $("plan-path").value.trim();
  if (!path && typed) {
    path = typed.startsWith(serving.directory + "/") ? typed : `${serving.directory}/${typed}`;
  }
  if ($("plan-delete").checked) return { path, delete: true };
  return { path, content: $("plan-content").value };
}

async function runPlan(event) {
  event.preventDefault();
  const file = formFile();
  if (!file.path) {
    showPlanError("Name the file: choose a serving file or give the path of a new one.");
    return;
  }
  document.body.dataset.plan = "loading";
  $("plan-run").disabled = true;
  try {
    const data = await graphQL(planQuery, { files: [file] });
    renderPlan(data.ruleSetPlan);
    document.body.dataset.plan = data.ruleSetPlan.errors.length ? "errors" : "ready";
  } catch (e) {
    showPlanError("Could not plan the change: " + e.message +
      (apiKey.refused(e) ? " A plan lists the people whose readiness changes: it needs an API key with the rule-author and personnel roles." : ""));
  } finally {
    $("plan-run").disabled = false;
  }
}

function showPlanError(message) {
  $("plan").hidden = false;
  $("plan-summary").textContent = message;
  $("plan-summary").className = "bad";
  $("plan-body").replaceChildren();
  $("plan-markdown-box").hidden = true;
  document.body.dataset.plan = "failed";
}

// section makes a titled part of the plan.
function section(title, ...children) {
  return el("section", "plan-part", el("h3", null, title), ...children);
}

// more says how many items a list left out.
function more(total, listed, noun) {
  return total > listed ? el("p", "more", `and ${total - listed} more ${noun} (the Markdown lists them all)`) : "";
}

function factRow(f) {
  return [`${f.kind.toLowerCase()} ${f.subject}`, f.subCompetency.code, level(f.before), level(f.after)];
}

function personGap(g) {
  const side = (req, att) => (req ? `${req} (attained ${level(att)})` : "none");
  return `${g.subCompetency.code}: ${side(g.requiredBefore, g.attainedBefore)} → ${side(g.requiredAfter, g.attainedAfter)}`;
}

function renderPlan(p) {
  $("plan").hidden = false;
  $("plan-markdown-box").hidden = p.errors.length > 0;
  const summary = $("plan-summary");
  const parts = [];
  if (p.errors.length) {
    summary.textContent = `The changed files do not load (revision ${p.head.revision}): ${plural(p.errors.length, "error", "errors")}. Nothing to plan.`;
    summary.className = "bad";
    parts.push(table("plan-errors", ["where", "problem"], p.errors.map(problem)));
    $("plan-body").replaceChildren(...parts);
    return;
  }
  summary.textContent = `Revision ${p.base.revision} (${plural(p.base.rules, "rule", "rules")}) → ${p.head.revision} (${plural(p.head.rules, "rule", "rules")}): ${p.summary}.`;
  summary.className = p.changed ? "changed" : "same";
  if (p.scaleChanged) parts.push(el("p", "note", "The proficiency scale changes."));
  if (p.rules.length) {
    const rows = [];
    for (const r of p.rules) {
      const head = [code(r.id), `${r.change.toLowerCase()} ${r.kind.toLowerCase()} rule`, code(where(r.file, r.line))];
      if (!r.facts.length) rows.push([...head, "no fact changes", "", "", ""]);
      for (const f of r.facts) rows.push([...head, ...factRow(f)]);
    }
    const listed = p.rules.reduce((n, r) => n + r.facts.length, 0);
    const total = p.rules.reduce((n, r) => n + r.factCount, 0);
    parts.push(section("Rules", table("plan-rules", ["rule", "change", "where", "fact", "sub-competency", "before", "after"], rows),
      more(total, listed, "fact changes")));
  }
  if (p.unattributed.length) {
    parts.push(section("Fact changes no changed rule explains", table("plan-unattributed", ["fact", "sub-competency", "before", "after"], p.unattributed.map(factRow))));
  }
  if (p.gaps.length) {
    parts.push(section("Gaps: no active course at the level or above",
      table("plan-gaps", ["level", "opened", "closed"], p.gaps.map((g) => [g.level, g.opened.map((s) => s.code).join(", "), g.closed.map((s) => s.code).join(", ")]))));
  }
  if (p.demand.length) {
    parts.push(section("Blocking demand: positions require a level no active course reaches",
      table("plan-demand", ["sub-competency", "level", "blocking", "positions before", "positions after"],
        p.demand.map((d) => [d.subCompetency.code, d.level, d.change === "ADDED" ? "gained" : "lost", String(d.positionsBefore), String(d.positionsAfter)]))));
  }
  if (p.positions.length) {
    parts.push(section(`Positions whose requirements change: ${p.positionCount}`,
      table("plan-positions", ["position", "title", "holders", "changes"], p.positions.map((c) => [c.positionId, c.title, String(c.holders),
        c.changes.map((x) => `${x.subCompetency.code} ${level(x.before)} → ${level(x.after)}`).join(", ")])),
      more(p.positionCount, p.positions.length, "positions")));
  }
  const people = p.people;
  if (people.total) {
    parts.push(section(`People whose readiness changes: ${people.total}`,
      table("plan-people-counts", ["become ready", "become not ready", "other gaps", "total"],
        [[String(people.becomeReady), String(people.becomeUnready), String(people.otherGaps), String(people.total)]]),
      table("plan-people", ["person", "name", "position", "before", "after", "gaps (required, attained)"],
        people.changes.map((c) => [c.personId, c.name, c.positionId, c.readyBefore ? "ready" : "not ready", c.readyAfter ? "ready" : "not ready", c.gaps.map(personGap).join("; ")])),
      more(people.total, people.changes.length, "people")));
  }
  if (p.organizations.length) {
    parts.push(section("Organizations whose ready share moves",
      table("plan-organizations", ["organization", "people", "ready before", "ready after", "share before", "share after"],
        p.organizations.map((o) => [o.organization, String(o.people), String(o.readyBefore), String(o.readyAfter), share(o.shareBefore), share(o.shareAfter)]))));
  }
  if (p.runErrors) parts.push(section("Rules that failed at run time", el("pre", "snippet", p.runErrors)));
  $("plan-body").replaceChildren(...parts);
  $("plan-markdown").textContent = p.markdown;
}

$("plan-file").addEventListener("change", onFileChosen);
$("plan-form").addEventListener("submit", runPlan);
$("plan-upload").addEventListener("change", async (e) => {
  const f = e.target.files[0];
  if (!f) return;
  $("plan-content").value = await f.text();
  if (!$("plan-file").value && !$("plan-path").value && serving) {
    $("plan-path").value = f.name;
  }
});

apiKey.mount(load);
load();
