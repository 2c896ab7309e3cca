// The policy panel: the matrix and targets of the policy in force as
// tables, and an editor whose text is checked as it is typed. A valid text
// becomes the policy in force at once; problems are listed with their
// field path and the line they point at is marked in the gutter.
import { Rules, defaultPolicy, onPolicyChange, policy, setPolicy, validatePolicy } from './engine.js';
import { el, clear } from './dom.js';

const text = document.getElementById('policy-text');
const gutter = document.getElementById('policy-gutter');
const format = document.getElementById('policy-format');
const status = document.getElementById('policy-status');
const problemList = document.getElementById('policy-problems');
let pending = null;

export function startPolicyEditor() {
  text.value = policy().text;
  format.value = policy().format;
  drawGutter([]);
  renderTables(policy().spec);
  onPolicyChange((current) => renderTables(current.spec));

  // Checking is quick, but a short pause keeps half-typed words from
  // flashing errors on every key.
  text.addEventListener('input', () => {
    clearTimeout(pending);
    drawGutter(currentMarks);
    pending = setTimeout(check, 150);
  });
  text.addEventListener('scroll', () => { gutter.scrollTop = text.scrollTop; });
  format.addEventListener('change', check);
  document.getElementById('policy-reset').addEventListener('click', () => {
    text.value = defaultPolicy();
    format.value = 'toml';
    check();
  });
  document.getElementById('policy-to-json').addEventListener('click', () => {
    // The spec of the policy in force is the policy as written, so its
    // JSON reads back as the same policy.
    text.value = JSON.stringify(policy().spec, null, 2);
    format.value = 'json';
    check();
  });
}

let currentMarks = [];

function check() {
  const source = text.value;
  const problems = validatePolicy(source, format.value);
  clear(problemList);
  if (problems.length === 0) {
    try {
      setPolicy(Rules.load(source, format.value), source, format.value);
    } catch (error) {
      problems.push({ path: '', message: String(error.message ?? error) });
    }
  }
  if (problems.length === 0) {
    currentMarks = [];
    drawGutter([]);
    text.removeAttribute('aria-invalid');
    status.className = 'ok';
    status.textContent = `Policy "${policy().spec.name}" is valid and in force; the form follows it.`;
    return;
  }
  text.setAttribute('aria-invalid', 'true');
  status.className = 'error';
  status.textContent = `${problems.length === 1 ? 'One problem' : `${problems.length} problems`}: ` +
    'the form keeps the last valid policy until this is fixed.';
  currentMarks = [];
  for (const problem of problems) {
    const line = lineOf(source, problem.path);
    if (line !== null) currentMarks.push(line);
    const item = el('li', { 'data-path': problem.path },
      problem.path ? el('code', { class: 'path' }, problem.path) : '',
      problem.path ? ': ' : '', problem.message,
      line !== null ? el('button', { type: 'button', class: 'link' }, ` line ${line + 1}`) : '');
    if (line !== null) item.querySelector('button').addEventListener('click', () => goToLine(line));
    problemList.append(item);
  }
  drawGutter(currentMarks);
}

// The line a dotted path such as `sla[0].targets.P2.respond.calendar`
// points at, found by walking its parts forward through the text. It is a
// guide for the eye, not a parser: when a part is not found the walk keeps
// the line it had, and an empty path marks nothing.
function lineOf(source, path) {
  if (!path) return null;
  const lines = source.split('\n');
  let at = 0;
  let found = false;
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    const index = /^\[(\d+)\]$/.exec(part);
    if (index) {
      // The n-th entry of the array named by the previous part: the n-th
      // `[[name]]` header in TOML, or the n-th object opening in JSON.
      const key = lines[at] ?? '';
      let seen = -1;
      for (let i = at; i < lines.length; i += 1) {
        const isEntry = /^\s*\[\[/.test(lines[i]) || (i > at && /^\s*\{/.test(lines[i]));
        if (isEntry && (i > at || /^\s*\[\[/.test(key))) seen += 1;
        if (seen === Number(index[1])) { at = i; found = true; break; }
      }
      continue;
    }
    const word = new RegExp(`(^|[\\s.{,"\\[])"?${part.replace(/[^\w-]/g, '\\$&')}"?\\s*[=:\\].]`);
    for (let i = at; i < lines.length; i += 1) {
      if (word.test(lines[i])) { at = i; found = true; break; }
    }
  }
  return found ? at : null;
}

function goToLine(line) {
  const lines = text.value.split('\n');
  const start = lines.slice(0, line).reduce((sum, l) => sum + l.length + 1, 0);
  text.focus();
  text.setSelectionRange(start, start + (lines[line]?.length ?? 0));
  const lineHeight = parseFloat(getComputedStyle(text).lineHeight) || 18;
  text.scrollTop = Math.max(0, line * lineHeight - text.clientHeight / 3);
}

function drawGutter(marks) {
  const count = text.value.split('\n').length;
  const marked = new Set(marks);
  const rows = [];
  for (let i = 0; i < count; i += 1) {
    rows.push(marked.has(i) ? `<b class="mark">▶${i + 1}</b>` : String(i + 1));
  }
  gutter.innerHTML = rows.join('\n');
  gutter.scrollTop = text.scrollTop;
}

function renderTables(spec) {
  document.getElementById('policy-name').textContent =
    `${spec.name}${spec.description ? ` – ${spec.description}` : ''}`;
  const matrix = clear(document.getElementById('policy-matrix'));
  matrix.append(el('table', { class: 'matrix' },
    el('caption', { class: 'sr-only' }, 'Priority by impact (rows) and urgency (columns)'),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Impact \\ urgency'),
      ...spec.matrix.urgency.map((u) => el('th', { scope: 'col' }, u.name)))),
    el('tbody', {}, ...spec.matrix.impact.map((impact) => el('tr', {},
      el('th', { scope: 'row' }, impact.name),
      ...spec.matrix.urgency.map((u) => el('td', {}, spec.matrix.cells[impact.id]?.[u.id] ?? '–')))))));

  const targets = clear(document.getElementById('policy-targets'));
  for (const sla of spec.sla) {
    const when = Object.entries(sla.when ?? {}).map(([k, v]) => `${k} = ${[].concat(v).join(' or ')}`);
    const cell = (target) => target ? `${target.within} (${target.calendar})` : '–';
    targets.append(el('table', { class: 'targets' },
      el('caption', {}, `SLA "${sla.name}"${when.length ? ` when ${when.join(', ')}` : ''}`),
      el('thead', {}, el('tr', {}, ...['Priority', 'Acknowledge', 'First response', 'Resolve', 'Status update']
        .map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...Object.entries(sla.targets).map(([priority, set]) => el('tr', {},
        el('th', { scope: 'row' }, priority),
        el('td', {}, cell(set.acknowledge)), el('td', {}, cell(set.respond)),
        el('td', {}, cell(set.resolve)), el('td', {}, cell(set.update_every)))))));
  }
}
