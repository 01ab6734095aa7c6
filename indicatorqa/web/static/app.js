/* 预算绩效指标填报助手 — plain JS, no build step, no network beyond this server.
 *
 * Every piece of user or server text reaches the page through textContent, .value or
 * createElement: never innerHTML. The page's CSP (script-src 'self') forbids inline code.
 */
"use strict";

(function () {
  const SCHEMA = "indicatorqa/1";
  const DEBOUNCE_MS = 300;
  const FIELDS = ["level1", "level2", "name", "description", "value"];
  const FIELD_LABEL = { level1: "一级指标", level2: "二级指标", name: "三级指标", description: "绩效指标描述", value: "指标值" };
  const SEVERITY_ZH = { error: "错误", warning: "警告", info: "提示" };
  const PARTS = ["完整性", "相关性", "适当性", "可行性"];
  // Header words a pasted Excel block may carry, mapped to our fields.
  const HEADER_FIELDS = [
    ["一级指标", "level1"], ["二级指标", "level2"], ["三级指标", "name"], ["指标名称", "name"],
    ["绩效指标描述", "description"], ["指标描述", "description"], ["指标解释", "description"],
    ["指标值", "value"], ["目标值", "value"], ["年度指标值", "value"],
  ];
  // Analysis fields are dropped before sending: findings are always computed afresh.
  const PROJECT_ANALYSIS = ["score", "grade", "score_parts", "findings"];
  const INDICATOR_ANALYSIS = ["score", "findings", "suggestions"];

  const $ = (id) => document.getElementById(id);

  const state = {
    projects: [blankProject()],
    current: 0,
    result: null,        // the last checked project (current one)
    seq: 0,              // request sequence: only the newest answer is shown
    inflight: null,      // AbortController of the running live check
    timer: null,
    storage: false,
  };

  function blankIndicator() {
    return { level1: "", level2: "", name: "", description: "", value: "" };
  }

  function blankProject() {
    return {
      unit: "", name: "", budget: null, budget_year: null, goals: [],
      indicators: [
        { level1: "产出指标", level2: "数量指标", name: "", description: "", value: "" },
        { level1: "产出指标", level2: "质量指标", name: "", description: "", value: "" },
        { level1: "效益指标", level2: "社会效益指标", name: "", description: "", value: "" },
        { level1: "满意度指标", level2: "服务对象满意度指标", name: "", description: "", value: "" },
      ],
    };
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [key, val] of Object.entries(attrs)) {
        if (val === null || val === undefined || val === false) continue;
        if (key === "class") node.className = val;
        else if (key === "text") node.textContent = val;
        else if (key.startsWith("on")) node.addEventListener(key.slice(2), val);
        else if (key === "dataset") Object.assign(node.dataset, val);
        else node.setAttribute(key, val === true ? "" : String(val));
      }
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function setStatus(text, kind) {
    const s = $("status");
    s.textContent = text || "";
    s.className = "status" + (kind ? " " + kind : "");
    s.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  function cleanProject(p) {
    const out = {};
    for (const [k, v] of Object.entries(p)) {
      if (!PROJECT_ANALYSIS.includes(k)) out[k] = v;
    }
    out.indicators = (p.indicators || []).map((ind) => {
      const copy = {};
      for (const [k, v] of Object.entries(ind)) if (!INDICATOR_ANALYSIS.includes(k)) copy[k] = v;
      return copy;
    });
    if (Array.isArray(p.evaluation)) {
      out.evaluation = p.evaluation.map((row) => {
        const copy = Object.assign({}, row);
        delete copy.findings;
        return copy;
      });
    }
    return out;
  }

  // 一级/二级 alone (the template's prefilled rows) do not make an indicator yet.
  function isBlank(ind) {
    return ["name", "description", "value"].every((f) => !String(ind[f] || "").trim());
  }

  /* The current project as the API wants it; blank rows are left out (they are not
   * indicators yet) and `rowIndex` maps the sent indicators back to table rows. */
  function payloadFor(project) {
    const p = cleanProject(project);
    const rowIndex = [];
    const sent = [];
    p.indicators.forEach((ind, i) => {
      if (!isBlank(ind)) {
        rowIndex.push(i);
        sent.push(ind);
      }
    });
    p.indicators = sent;
    return { project: p, rowIndex };
  }

  async function apiError(resp) {
    try {
      const data = await resp.json();
      if (data && typeof data.detail === "string") return data.detail;
    } catch (e) { /* not JSON */ }
    return "请求失败（HTTP " + resp.status + "）";
  }

  // --- the project form ----------------------------------------------------------------

  function goalsToText(goals) {
    return (goals || []).map((g) => (g.number ? g.number + "." : "") + (g.text || "")).join("\n");
  }

  function textToGoals(text) {
    const goals = [];
    let n = 0;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (!line) continue;
      const m = line.match(/^(\d{1,3})\s*[.、．:：)）]\s*(.*)$/);
      n = m ? parseInt(m[1], 10) : n + 1;
      goals.push({ number: n, text: m ? m[2] : line });
    }
    return goals;
  }

  function parseNumber(text) {
    const t = String(text || "").trim().replace(/,/g, "");
    if (!t) return null;
    const x = Number(t);
    return Number.isFinite(x) ? x : undefined;
  }

  function loadForm() {
    const p = state.projects[state.current];
    $("f-unit").value = p.unit || "";
    $("f-name").value = p.name || "";
    $("f-budget").value = p.budget === null || p.budget === undefined ? "" : String(p.budget);
    $("f-year").value = p.budget_year === null || p.budget_year === undefined ? "" : String(p.budget_year);
    $("f-goals").value = goalsToText(p.goals);
  }

  function readForm() {
    const p = state.projects[state.current];
    p.unit = $("f-unit").value;
    p.name = $("f-name").value;
    const budget = parseNumber($("f-budget").value);
    $("f-budget").classList.toggle("invalid", budget === undefined);
    p.budget = budget === undefined ? null : budget;
    const year = parseNumber($("f-year").value);
    const yearOk = year === null || (year !== undefined && Number.isInteger(year) && year >= 1990 && year <= 2100);
    $("f-year").classList.toggle("invalid", !yearOk);
    if (yearOk && year !== null) {
      p.budget_year = year;
      p.budget_year_evidence = "填报页面";
    } else {
      delete p.budget_year;
      delete p.budget_year_evidence;
    }
    p.goals = textToGoals($("f-goals").value);
  }

  // --- the indicator table -------------------------------------------------------------

  function fieldInput(field, value, rowIndex) {
    const common = { class: "cell", "aria-label": FIELD_LABEL[field] + "（第 " + (rowIndex + 1) + " 行）", dataset: { field } };
    let node;
    if (field === "name" || field === "description") {
      node = el("textarea", Object.assign({ rows: 2 }, common));
    } else {
      node = el("input", Object.assign({ type: "text" }, common));
      if (field === "level1") node.setAttribute("list", "dl-level1");
      if (field === "level2") node.setAttribute("list", "dl-level2");
      if (field === "value") node.setAttribute("placeholder", "如 ≥500人次");
    }
    node.value = value || "";
    return node;
  }

  function renderTable() {
    const table = $("indicators");
    for (const body of Array.from(table.tBodies)) body.remove();
    const p = state.projects[state.current];
    $("eval-note").hidden = !(p.kind === "self_evaluation");
    p.indicators.forEach((ind, i) => table.append(rowGroup(ind, i)));
  }

  function rowGroup(ind, i) {
    const body = el("tbody", { class: "ind", dataset: { row: String(i) } });
    const tr = el("tr", { class: "ind-row" });
    tr.append(el("td", { class: "c-n", text: String(i + 1) }));
    for (const f of FIELDS) tr.append(el("td", { class: "c-" + f }, fieldInput(f, ind[f], i)));
    tr.append(el("td", { class: "c-score" }, el("span", { class: "row-score" })));
    tr.append(el("td", { class: "c-op" }, el("button", {
      type: "button", class: "icon remove-row", title: "删除此行", "aria-label": "删除第 " + (i + 1) + " 行", text: "×",
    })));
    const findings = el("tr", { class: "ind-findings" }, el("td", { colspan: "8" }, el("div", { class: "row-findings" })));
    body.append(tr, findings);
    return body;
  }

  function rowBodies() {
    return Array.from($("indicators").tBodies);
  }

  function addRows(n) {
    const p = state.projects[state.current];
    for (let k = 0; k < n; k++) {
      const prev = p.indicators[p.indicators.length - 1];
      const ind = blankIndicator();
      if (prev) { ind.level1 = prev.level1; ind.level2 = prev.level2; }
      p.indicators.push(ind);
      $("indicators").append(rowGroup(ind, p.indicators.length - 1));
    }
  }

  function onTableInput(ev) {
    const target = ev.target;
    const field = target.dataset && target.dataset.field;
    if (!field) return;
    const body = target.closest("tbody.ind");
    const i = parseInt(body.dataset.row, 10);
    state.projects[state.current].indicators[i][field] = target.value;
    scheduleCheck();
  }

  function onTableClick(ev) {
    const remove = ev.target.closest(".remove-row");
    if (remove) {
      const i = parseInt(remove.closest("tbody.ind").dataset.row, 10);
      const p = state.projects[state.current];
      p.indicators.splice(i, 1);
      if (!p.indicators.length) p.indicators.push(blankIndicator());
      renderTable();
      checkNow();
      return;
    }
    const apply = ev.target.closest(".apply-suggestion");
    if (apply) applySuggestion(apply);
  }

  // --- paste from Excel ----------------------------------------------------------------

  /* Excel puts a block on the clipboard as tab-separated rows; a cell holding a line
   * break or a quote is wrapped in quotes with "" for a quote. */
  function parseTSV(text) {
    const rows = [];
    let row = [], cell = "", i = 0, quoted = false;
    text = text.replace(/\r\n?/g, "\n");
    while (i < text.length) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
        if (ch === '"') { quoted = false; i++; continue; }
        cell += ch; i++; continue;
      }
      if (ch === '"' && cell === "") { quoted = true; i++; continue; }
      if (ch === "\t") { row.push(cell); cell = ""; i++; continue; }
      if (ch === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; i++; continue; }
      cell += ch; i++;
    }
    if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
    return rows.filter((r) => r.some((c) => c.trim() !== ""));
  }

  function headerMap(row) {
    const map = {};
    let hits = 0;
    row.forEach((cell, c) => {
      const t = cell.replace(/\s/g, "");
      for (const [word, field] of HEADER_FIELDS) {
        if (t === word || t.startsWith(word)) {
          if (!(field in map)) { map[field] = c; hits++; }
          break;
        }
      }
    });
    return hits >= 2 ? map : null;
  }

  function onPaste(ev) {
    const target = ev.target;
    const field = target.dataset && target.dataset.field;
    if (!field) return;
    const text = (ev.clipboardData || window.clipboardData).getData("text/plain");
    if (!text || (!text.includes("\t") && !text.replace(/\n+$/, "").includes("\n"))) return; // one cell: the browser pastes it
    const rows = parseTSV(text);
    if (!rows.length) return;
    ev.preventDefault();
    const p = state.projects[state.current];
    let start = parseInt(target.closest("tbody.ind").dataset.row, 10);
    let columns; // field → column in the pasted block
    const header = headerMap(rows[0]);
    if (header) {
      rows.shift();
      columns = header;
      // A block with its own header is a table: fill from the first empty row.
      if (p.indicators.every(isBlank)) start = 0;
    } else {
      columns = {};
      const from = FIELDS.indexOf(field);
      FIELDS.slice(from).forEach((f, k) => { columns[f] = k; });
    }
    const need = start + rows.length - p.indicators.length;
    if (need > 0) for (let k = 0; k < need; k++) p.indicators.push(blankIndicator());
    rows.forEach((cells, k) => {
      const ind = p.indicators[start + k];
      for (const [f, c] of Object.entries(columns)) {
        if (c < cells.length) ind[f] = cells[c].trim();
      }
      // Merged 一级/二级 cells come out of Excel as blanks below the first: fill them down.
      const prev = p.indicators[start + k - 1];
      for (const f of ["level1", "level2"]) {
        if (!ind[f] && prev && f in columns) ind[f] = prev[f];
      }
    });
    renderTable();
    setStatus("已粘贴 " + rows.length + " 行", "ok");
    checkNow();
  }

  // --- live check ----------------------------------------------------------------------

  function scheduleCheck() {
    clearTimeout(state.timer);
    state.timer = setTimeout(checkNow, DEBOUNCE_MS);
  }

  async function checkNow() {
    clearTimeout(state.timer);
    const project = state.projects[state.current];
    const { project: sent, rowIndex } = payloadFor(project);
    if (!sent.indicators.length && !(sent.evaluation || []).length) {
      state.result = null;
      renderResult(null, []);
      setStatus("填写指标后自动检查");
      return;
    }
    if (state.inflight) state.inflight.abort();
    const controller = new AbortController();
    state.inflight = controller;
    const seq = ++state.seq;
    const started = performance.now();
    setStatus("检查中…", "busy");
    try {
      const resp = await fetch("/v1/check", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ schema: SCHEMA, projects: [sent] }),
        signal: controller.signal,
      });
      if (seq !== state.seq) return;
      if (!resp.ok) {
        setStatus(await apiError(resp), "error");
        return;
      }
      const data = await resp.json();
      if (seq !== state.seq) return;
      state.result = data.projects[0];
      renderResult(state.result, rowIndex);
      const n = countFindings(state.result);
      setStatus("已检查：" + (n ? n + " 个问题" : "未发现问题") + "（" + Math.round(performance.now() - started) + " 毫秒）", "ok");
    } catch (e) {
      if (e.name === "AbortError") return;
      setStatus("无法连接检查服务：" + e.message, "error");
    } finally {
      if (state.inflight === controller) state.inflight = null;
    }
  }

  function countFindings(p) {
    let n = (p.findings || []).length;
    for (const ind of p.indicators || []) n += (ind.findings || []).length;
    for (const row of p.evaluation || []) n += (row.findings || []).length;
    return n;
  }

  function findingItem(f) {
    const li = el("li", { class: "finding sev-" + f.severity, dataset: { code: f.code } });
    li.append(
      el("span", { class: "badge sev-" + f.severity, text: SEVERITY_ZH[f.severity] || f.severity }),
      el("span", { class: "code", text: f.code }),
      el("span", { class: "message", text: f.message }),
    );
    if (f.evidence && f.evidence.length) {
      li.append(el("span", { class: "evidence", text: "依据：" + f.evidence.join("、") }));
    }
    if (typeof f.confidence === "number") {
      li.append(el("span", { class: "confidence", text: "把握度 " + Math.round(f.confidence * 100) + "%" }));
    }
    return li;
  }

  function suggestionItem(s, k) {
    const li = el("li", { class: "suggestion" });
    const btn = el("button", {
      type: "button", class: "apply-suggestion", dataset: { k: String(k) },
      title: "用这条建议替换本行的三级指标、描述和指标值",
    }, "采用");
    li.append(
      btn,
      el("span", { class: "s-name", text: s.name }),
      el("span", { class: "s-value", text: s.value }),
    );
    if (s.description) li.append(el("span", { class: "s-desc", text: s.description }));
    if (s.basis) li.append(el("span", { class: "s-basis", text: "数值依据：" + s.basis }));
    if (s.note) li.append(el("span", { class: "s-note", text: s.note }));
    return li;
  }

  function renderResult(result, rowIndex) {
    // Project part.
    $("p-score").textContent = result && typeof result.score === "number" ? result.score.toFixed(1) : "—";
    const grade = $("p-grade");
    grade.textContent = result && result.grade ? result.grade : "";
    grade.className = "grade" + (result && result.grade ? " grade-" + result.grade : "");
    const parts = $("p-parts");
    parts.replaceChildren();
    if (result && result.score_parts) {
      for (const name of PARTS) {
        const v = result.score_parts[name];
        if (typeof v !== "number") continue;
        parts.append(el("div", { class: "part" },
          el("dt", { text: name }),
          el("dd", null, el("meter", { min: "0", max: "100", low: "60", high: "85", optimum: "100", value: String(v) }),
            el("span", { class: "part-value", text: v.toFixed(1) }))));
      }
    }
    const pf = $("p-findings");
    pf.replaceChildren();
    for (const f of (result && result.findings) || []) pf.append(findingItem(f));

    // Rows.
    const bodies = rowBodies();
    const byRow = new Map();
    if (result) (result.indicators || []).forEach((ind, k) => byRow.set(rowIndex[k], ind));
    bodies.forEach((body, i) => {
      const ind = byRow.get(i);
      const box = body.querySelector(".row-findings");
      box.replaceChildren();
      body.querySelectorAll(".cell").forEach((c) => c.classList.remove("flag-error", "flag-warning", "flag-info"));
      const score = body.querySelector(".row-score");
      score.textContent = ind && typeof ind.score === "number" ? String(Math.round(ind.score)) : "";
      score.className = "row-score" + (ind && typeof ind.score === "number" ? (ind.score >= 85 ? " good" : ind.score >= 60 ? " fair" : " poor") : "");
      body.classList.toggle("has-findings", !!(ind && ind.findings && ind.findings.length));
      if (!ind) return;
      const list = el("ul", { class: "findings" });
      for (const f of ind.findings || []) {
        list.append(findingItem(f));
        const cell = body.querySelector('.cell[data-field="' + cssField(f.field) + '"]');
        if (cell) cell.classList.add("flag-" + f.severity);
      }
      if (list.childNodes.length) box.append(list);
      if (ind.suggestions && ind.suggestions.length) {
        const sl = el("ul", { class: "suggestions" });
        ind.suggestions.forEach((s, k) => sl.append(suggestionItem(s, k)));
        box.append(el("div", { class: "suggest-head", text: "改写建议（点“采用”替换本行）" }), sl);
      }
      body._suggestions = ind.suggestions || [];
    });
  }

  function cssField(field) {
    return FIELDS.includes(field) ? field : "value";
  }

  function applySuggestion(btn) {
    const body = btn.closest("tbody.ind");
    const i = parseInt(body.dataset.row, 10);
    const s = (body._suggestions || [])[parseInt(btn.dataset.k, 10)];
    if (!s) return;
    const ind = state.projects[state.current].indicators[i];
    ind.name = s.name;
    ind.description = s.description || "";
    ind.value = s.value;
    const fields = ["name", "description", "value"];
    // A suggestion with a note sits under another 二级指标: the row moves with it.
    if (s.note && s.level2) {
      ind.level1 = s.level1 || ind.level1;
      ind.level2 = s.level2;
      fields.unshift("level1", "level2");
    }
    for (const f of fields) {
      body.querySelector('.cell[data-field="' + f + '"]').value = ind[f];
    }
    // A blank 【待填】 is for the author: put the cursor on it.
    const valueInput = body.querySelector('.cell[data-field="value"]');
    const at = ind.value.indexOf("【待填】");
    if (at >= 0) {
      valueInput.focus();
      valueInput.setSelectionRange(at, at + 4);
    }
    setStatus("已采用建议：" + s.name);
    checkNow();
  }

  // --- projects: upload, switch, download ------------------------------------------------

  function renderPicker() {
    const picker = $("project-picker");
    const select = $("project-select");
    select.replaceChildren();
    state.projects.forEach((p, i) => {
      const label = (i + 1) + ". " + (p.name || p.title || "（未命名项目）") + (p.unit ? " — " + p.unit : "");
      select.append(el("option", { value: String(i), text: label }));
    });
    select.value = String(state.current);
    picker.hidden = state.projects.length < 2;
  }

  function showProject(i) {
    readForm();
    state.current = i;
    state.result = null;
    loadForm();
    renderTable();
    renderPicker();
    renderResult(null, []);
    checkNow();
  }

  async function onUpload(ev) {
    const file = ev.target.files && ev.target.files[0];
    if (!file) return;
    const fd = new FormData();
    fd.append("file", file, file.name);
    setStatus("正在读取 " + file.name + " …", "busy");
    try {
      const resp = await fetch("/v1/check", { method: "POST", body: fd });
      if (!resp.ok) {
        setStatus(await apiError(resp), "error");
        return;
      }
      const data = await resp.json();
      state.projects = data.projects.map(cleanProject);
      state.checkedAll = data.projects;
      state.current = 0;
      loadForm();
      renderTable();
      renderPicker();
      const note = $("upload-note");
      note.textContent = "已读取 " + file.name + "：" + data.projects.length + " 个项目，" +
        data.projects.reduce((n, p) => n + (p.indicators || []).length, 0) + " 条指标。";
      note.hidden = false;
      renderReview(data.projects);
      checkNow();
    } catch (e) {
      setStatus("上传失败：" + e.message, "error");
    } finally {
      ev.target.value = "";
    }
  }

  function allProjectsPayload() {
    readForm();
    return {
      schema: SCHEMA,
      projects: state.projects.map((p) => payloadFor(p).project).filter((p) => p.indicators.length || (p.evaluation || []).length),
    };
  }

  function filenameFrom(resp) {
    const cd = resp.headers.get("Content-Disposition") || "";
    const m = cd.match(/filename\*=UTF-8''([^;]+)/i);
    if (m) {
      try { return decodeURIComponent(m[1]); } catch (e) { /* fall through */ }
    }
    return "indicatorqa-review.xlsx";
  }

  async function onDownload() {
    const payload = allProjectsPayload();
    if (!payload.projects.length) {
      setStatus("还没有指标可以导出", "error");
      return;
    }
    setStatus("正在生成批注版 Excel…", "busy");
    try {
      const resp = await fetch("/v1/xlsx", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
      });
      if (!resp.ok) {
        setStatus(await apiError(resp), "error");
        return;
      }
      const blob = await resp.blob();
      const url = URL.createObjectURL(blob);
      const a = el("a", { href: url, download: filenameFrom(resp) });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      setStatus("已生成批注版 Excel", "ok");
    } catch (e) {
      setStatus("生成失败：" + e.message, "error");
    }
  }

  // --- reviewer view ---------------------------------------------------------------------

  async function refreshReview() {
    const payload = allProjectsPayload();
    if (!payload.projects.length) {
      renderReview([]);
      return;
    }
    setStatus("正在检查全部项目…", "busy");
    const resp = await fetch("/v1/check", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
    });
    if (!resp.ok) {
      setStatus(await apiError(resp), "error");
      return;
    }
    const data = await resp.json();
    renderReview(data.projects);
    setStatus("已检查 " + data.projects.length + " 个项目", "ok");
  }

  function severityCount(p, sev) {
    let n = (p.findings || []).filter((f) => f.severity === sev).length;
    for (const ind of p.indicators || []) n += (ind.findings || []).filter((f) => f.severity === sev).length;
    for (const row of p.evaluation || []) n += (row.findings || []).filter((f) => f.severity === sev).length;
    return n;
  }

  function renderReview(projects) {
    const tbody = $("review-body");
    tbody.replaceChildren();
    if (!projects.length) {
      tbody.append(el("tr", null, el("td", { colspan: "11", class: "empty", text: "还没有项目：在填报页填写或上传表格。" })));
      return;
    }
    projects.forEach((p) => {
      const index = state.projects.findIndex((q) => q.name === p.name && (q.unit || "") === (p.unit || ""));
      const nameCell = el("td", { class: "r-name" });
      if (index >= 0) {
        nameCell.append(el("button", {
          type: "button", class: "link", text: p.name || "（未命名项目）",
          onclick: () => { switchTab("author"); showProject(index); },
        }));
      } else {
        nameCell.textContent = p.name || "（未命名项目）";
      }
      const parts = p.score_parts || {};
      const tr = el("tr", null,
        nameCell,
        el("td", { text: p.unit || "" }),
        el("td", { class: "num", text: String((p.indicators || []).length + (p.evaluation || []).length) }),
        ...PARTS.map((name) => el("td", { class: "num" },
          typeof parts[name] === "number" ? el("meter", { min: "0", max: "100", low: "60", high: "85", optimum: "100", value: String(parts[name]) }) : null,
          el("span", { text: typeof parts[name] === "number" ? parts[name].toFixed(1) : "—" }))),
        el("td", { class: "num total", text: typeof p.score === "number" ? p.score.toFixed(1) : "—" }),
        el("td", null, el("span", { class: "grade grade-" + (p.grade || "none"), text: p.grade || "—" })),
        el("td", { class: "num", text: String(severityCount(p, "error")) }),
        el("td", { class: "num", text: String(severityCount(p, "warning")) }),
      );
      tbody.append(tr);
    });
  }

  async function onStoreSubmit() {
    const payload = allProjectsPayload();
    if (!payload.projects.length) return;
    setStatus("正在保存…", "busy");
    const resp = await fetch("/v1/check?store=true", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
    });
    if (!resp.ok) {
      setStatus(await apiError(resp), "error");
      return;
    }
    const id = resp.headers.get("X-Submission-Id");
    setStatus("已保存，提交编号 " + id, "ok");
    await showSubmission(id);
  }

  async function showSubmission(id) {
    const box = $("submission");
    box.replaceChildren();
    const resp = await fetch("/v1/submissions/" + encodeURIComponent(id));
    if (!resp.ok) {
      setStatus(await apiError(resp), "error");
      return;
    }
    const sub = await resp.json();
    const projects = (sub.report && sub.report.projects) || [];
    box.append(el("h3", { text: "提交 " + sub.id + "（" + sub.findings.length + " 个问题）" }));
    const list = el("ul", { class: "review-findings" });
    for (const f of sub.findings) {
      const p = projects[f.project] || {};
      const ind = f.indicator !== null && p.indicators ? p.indicators[f.indicator] : null;
      const where = (p.name || "项目") + (ind ? " · 第 " + (f.indicator + 1) + " 条 " + (ind.name || "") : " · 项目整体");
      const reason = el("input", { type: "text", class: "reason", placeholder: "理由（驳回时必填）", "aria-label": "理由" });
      const result = el("span", { class: "decision", text: f.decision ? (f.decision.decision === "accept" ? "已接受" : "已驳回") : "" });
      const decide = async (decision) => {
        const r = await fetch("/v1/findings/" + f.id + "/decision", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ decision, reason: reason.value }),
        });
        if (!r.ok) { setStatus(await apiError(r), "error"); return; }
        result.textContent = decision === "accept" ? "已接受" : "已驳回";
        setStatus("已记录审核意见", "ok");
      };
      list.append(el("li", { class: "sev-" + f.severity },
        el("span", { class: "where", text: where }),
        findingItem(f),
        el("span", { class: "actions" },
          el("button", { type: "button", class: "secondary", text: "接受", onclick: () => decide("accept") }),
          el("button", { type: "button", class: "secondary", text: "驳回", onclick: () => decide("dismiss") }),
          reason, result)));
    }
    box.append(list);
  }

  // --- tabs and start-up -------------------------------------------------------------------

  function switchTab(which) {
    const author = which === "author";
    $("view-author").hidden = !author;
    $("view-review").hidden = author;
    $("tab-author").setAttribute("aria-selected", String(author));
    $("tab-review").setAttribute("aria-selected", String(!author));
    if (!author) refreshReview().catch((e) => setStatus("检查失败：" + e.message, "error"));
  }

  async function init() {
    loadForm();
    renderTable();
    renderPicker();
    renderReview([]);
    $("project-form").addEventListener("input", () => { readForm(); scheduleCheck(); });
    $("project-form").addEventListener("submit", (e) => e.preventDefault());
    const table = $("indicators");
    table.addEventListener("input", onTableInput);
    table.addEventListener("click", onTableClick);
    table.addEventListener("paste", onPaste);
    $("add-row").addEventListener("click", () => addRows(1));
    $("upload").addEventListener("change", onUpload);
    $("download").addEventListener("click", onDownload);
    $("project-select").addEventListener("change", (e) => showProject(parseInt(e.target.value, 10)));
    $("new-project").addEventListener("click", () => {
      readForm();
      state.projects.push(blankProject());
      showProject(state.projects.length - 1);
    });
    $("tab-author").addEventListener("click", () => switchTab("author"));
    $("tab-review").addEventListener("click", () => switchTab("review"));
    $("store-submit").addEventListener("click", () => onStoreSubmit().catch((e) => setStatus(e.message, "error")));
    try {
      const health = await (await fetch("/healthz")).json();
      state.storage = !!health.storage;
      $("storage").hidden = !state.storage;
      setStatus("就绪：填写指标后自动检查");
    } catch (e) {
      setStatus("无法连接检查服务", "error");
    }
    document.body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", init);
})();
