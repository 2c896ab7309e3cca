// The intake form: reads what the agent types, asks the engine at once (no
// submit button) and shows the priority, the deadlines with live
// countdowns, the update cadence and the major-incident procedure.
import { policy, onPolicyChange } from './engine.js';
import { countdown, duration, nowMs, readable, rfc3339, viewerZone } from './clock.js';
import { el, clear, plainError } from './dom.js';

const TARGET_WORDS = {
  acknowledge: 'Acknowledge',
  respond: 'First response',
  resolve: 'Resolve',
};

const form = document.getElementById('intake-form');
const errorBox = document.getElementById('intake-error');
let lastAnswer = null;
let lastEvaluateMs = null;

export function startIntake() {
  const created = document.getElementById('f-created');
  created.value = rfc3339(nowMs());
  document.getElementById('f-created-now').addEventListener('click', () => {
    created.value = rfc3339(nowMs());
    refresh();
  });
  form.addEventListener('input', refresh);
  form.addEventListener('change', refresh);
  onPolicyChange(() => { fillChoices(); refresh(); });
  fillChoices();
  refresh();

  // Countdowns move every second; the whole answer is asked again every
  // 30 seconds so that a target turning overdue changes its state too.
  let ticks = 0;
  setInterval(() => {
    ticks += 1;
    if (ticks % 30 === 0) refresh();
    else tickCountdowns();
  }, 1000);
}

// How long the last form change took to evaluate and show, in ms.
export function lastEvaluationMs() {
  return lastEvaluateMs;
}

function fillChoices() {
  const { spec } = policy();
  const levels = (list) => list.map((level) => [level.id, `${level.name} (${level.id})`]);
  setOptions('f-impact', [['', 'Not known yet'], ...levels(spec.matrix.impact)]);
  const defaultUrgency = spec.matrix.default_urgency;
  setOptions('f-urgency', [
    ['', defaultUrgency ? `Policy default (${defaultUrgency})` : 'Not known yet'],
    ...levels(spec.matrix.urgency),
  ]);
  setOptions('f-priority', [
    ['', 'None recorded'],
    ...spec.priorities.map((p) => [p.id, `${p.id} – ${p.name}`]),
  ]);
  const scopes = [...new Set((spec.impact_from_facts?.rules ?? [])
    .map((rule) => rule.scope).filter(Boolean))];
  setOptions('f-scope', [['', 'Not known yet'], ...scopes.map((s) => [s, s])]);
  document.getElementById('f-currency').textContent =
    spec.major.currency ? `(${spec.major.currency})` : '';
}

function setOptions(id, options) {
  const select = document.getElementById(id);
  const keep = select.value;
  clear(select);
  for (const [value, text] of options) select.append(el('option', { value }, text));
  if (options.some(([value]) => value === keep)) select.value = keep;
}

// The incident as the engine reads it: only what the agent filled in.
function readForm() {
  const data = new FormData(form);
  const incident = { id: 'NEW', created_at: String(data.get('created_at')).trim() };
  for (const key of ['impact', 'urgency', 'priority', 'scope', 'category']) {
    const value = String(data.get(key) ?? '').trim();
    if (value) incident[key] = value;
  }
  const users = String(data.get('affected_users') ?? '').trim();
  if (users !== '') incident.affected_users = Number(users);
  const revenue = String(data.get('revenue_loss_per_hour') ?? '').trim();
  if (revenue !== '') incident.revenue_loss_per_hour = Number(revenue);
  for (const key of ['core_process_down', 'security_incident', 'data_breach']) {
    if (data.get(key)) incident[key] = true;
  }
  return incident;
}

function refresh() {
  const started = performance.now();
  const incident = readForm();
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  const problem = checkNumbers(incident);
  if (problem) return showError([problem]);

  // A created time after the page's clock is a planned incident; ask as of
  // its creation so that the deadlines are whole, not negative.
  const created = Date.parse(incident.created_at);
  const asOf = Number.isNaN(created) ? nowMs() : Math.max(nowMs(), created);
  let answer;
  try {
    answer = policy().rules.evaluate(incident, rfc3339(asOf));
  } catch (error) {
    return showError(String(error.message ?? error).split('\n'));
  }
  errorBox.hidden = true;
  lastAnswer = answer;
  render(answer);
  lastEvaluateMs = performance.now() - started;
  document.body.dataset.answered = 'yes';
}

// Numbers the browser could not read never reach the engine as NaN.
function checkNumbers(incident) {
  for (const key of ['affected_users', 'revenue_loss_per_hour']) {
    if (key in incident && !Number.isFinite(incident[key])) {
      return `${key}: \`${form.elements[key].value}\` is not a number`;
    }
  }
  if ('affected_users' in incident && !Number.isInteger(incident.affected_users)) {
    return `affected_users: \`${incident.affected_users}\` is not a whole number`;
  }
  return null;
}

function showError(lines) {
  clear(errorBox);
  errorBox.append('This incident cannot be placed yet: ');
  const list = el('ul');
  for (const line of lines) {
    const { field, text } = plainError(line);
    list.append(el('li', {}, text));
    const input = field && form.elements[field.split(/[.[]/)[0]];
    if (input && input.setAttribute) input.setAttribute('aria-invalid', 'true');
  }
  errorBox.append(list);
  errorBox.hidden = false;
  document.body.dataset.answered = 'error';
}

function render(answer) {
  const { spec } = policy();
  const priority = spec.priorities.find((p) => p.id === answer.priority);
  const rank = spec.priorities.indexOf(priority);
  const badge = document.getElementById('priority-badge');
  badge.textContent = priority ? `${answer.priority} ${priority.name}` : answer.priority;
  badge.dataset.priority = answer.priority;
  badge.className = `badge rank-${Math.min(rank, 3)}`;
  document.getElementById('priority-why').textContent = answer.explain[0] ?? '';

  renderMatrix(spec, answer.matrix_cell);
  renderMismatch(answer.priority_mismatch);
  renderDeadlines(spec, answer.targets);
  renderUpdates(spec, answer.updates);
  renderMajor(spec, answer);
  const explain = clear(document.getElementById('explain-list'));
  for (const line of answer.explain) explain.append(el('li', {}, line));
}

function renderMatrix(spec, cell) {
  const box = clear(document.getElementById('matrix-mini'));
  const head = el('tr', {}, el('th', { scope: 'col' }, 'Impact \\ urgency'),
    ...spec.matrix.urgency.map((u) => el('th', { scope: 'col' }, u.name)));
  const rows = spec.matrix.impact.map((impact) => el('tr', {},
    el('th', { scope: 'row' }, impact.name),
    ...spec.matrix.urgency.map((urgency) => {
      const used = cell && cell.impact === impact.id && cell.urgency === urgency.id;
      const value = spec.matrix.cells[impact.id]?.[urgency.id] ?? '–';
      return el('td', used ? { class: 'used', 'aria-current': 'true' } : {},
        value, used ? el('span', { class: 'sr-only' }, ' (this incident)') : '');
    })));
  box.append(el('table', { class: 'matrix', 'aria-label': 'Priority matrix, the cell used marked' },
    el('thead', {}, head), el('tbody', {}, ...rows)));
}

function renderMismatch(mismatch) {
  const box = document.getElementById('mismatch');
  box.hidden = !mismatch;
  if (!mismatch) return;
  box.textContent = `The recorded priority ${mismatch.stated} is higher than the facts ` +
    `support: they point to ${mismatch.supported} (impact "${mismatch.supported_impact}"). ` +
    `The policy uses ${mismatch.used}; check the impact, scope and affected users.`;
}

function zoneOf(spec, calendar) {
  return spec.calendars[calendar]?.time_zone ?? 'UTC';
}

function renderDeadlines(spec, targets) {
  const box = clear(document.getElementById('deadlines'));
  const list = el('div', { class: 'deadline-list' });
  for (const name of ['acknowledge', 'respond', 'resolve']) {
    const target = targets[name];
    if (!target) continue;
    const zone = zoneOf(spec, target.calendar);
    const dueMs = Date.parse(target.due);
    const left = target.target_seconds - target.elapsed_seconds;
    const escalations = el('ul', { class: 'escalations' }, ...target.escalations.map((step) =>
      el('li', { class: step.reached ? 'reached' : '' },
        `${step.percent}% ${step.level}: `,
        el('time', { datetime: step.at }, readable(Date.parse(step.at), zone)),
        step.reached ? ' (reached)' : '')));
    list.append(el('article', { class: `deadline state-${target.state}`, 'data-target': name },
      el('h3', {}, TARGET_WORDS[name],
        el('span', { class: 'state' }, stateWords(target.state))),
      el('p', { class: 'due' }, 'Due ',
        el('time', { class: 'due-calendar', datetime: target.due }, readable(dueMs, zone)),
        el('span', { class: 'zone' }, ` ${zone}`)),
      zone === viewerZone ? '' : el('p', { class: 'due-local' },
        el('time', { datetime: rfc3339(dueMs) }, readable(dueMs, viewerZone)),
        el('span', { class: 'zone' }, ` your time (${viewerZone})`)),
      el('p', { class: 'countdown', 'data-due-ms': String(dueMs) }, countdown(dueMs)),
      el('p', { class: 'business-left' },
        target.state === 'met' ? `Met at ${target.completed_at}` :
          `${duration(Math.max(0, left))} left of ${duration(target.target_seconds)} on the ${target.calendar} calendar`),
      escalations));
  }
  box.append(list);
}

function stateWords(state) {
  return { met: 'met', breached: 'overdue', running: 'running', paused: 'paused' }[state] ?? state;
}

function renderUpdates(spec, updates) {
  const box = clear(document.getElementById('next-update'));
  if (!updates || !updates.next_due) {
    box.textContent = updates ? '' : 'This priority has no status-update cadence.';
    return;
  }
  const dueMs = Date.parse(updates.next_due);
  const zone = zoneOf(spec, updates.calendar);
  box.append(`Next status update due `,
    el('time', { datetime: updates.next_due }, readable(dueMs, zone)),
    ` ${zone} (every ${duration(updates.every_seconds)}), `,
    el('span', { class: 'countdown', 'data-due-ms': String(dueMs) }, countdown(dueMs)));
}

const REASON_WORDS = {
  affected_users: (r) => `Affected users ${r.value} ≥ ${r.threshold}`,
  revenue_loss_per_hour: (r, currency) =>
    `Revenue loss ${r.value} ${currency}/hour ≥ ${r.threshold}`,
  core_process_down: () => 'A core business process is down',
  security_incident: () => 'It is a security incident',
  data_breach: () => 'Data was breached',
};

function renderMajor(spec, answer) {
  const banner = clear(document.getElementById('major-banner'));
  const major = answer.major;
  banner.hidden = !major.is_major;
  if (!major.is_major) return;
  const zone = zoneOf(spec, answer.targets.resolve?.calendar ?? Object.keys(spec.calendars)[0]);
  const every = major.briefing_every_seconds ?? 900;
  const next = major.next_briefing ? Date.parse(major.next_briefing) : null;
  const upcoming = next === null ? [] : [0, 1, 2, 3].map((i) => next + i * every * 1000);
  const cadence = answer.updates ? duration(answer.updates.every_seconds) : 'each briefing';
  banner.append(
    el('h3', {}, 'Major incident'),
    el('ul', { class: 'reasons' }, ...major.reasons.map((reason) => el('li',
      { 'data-criterion': reason.criterion },
      (REASON_WORDS[reason.criterion] ?? ((r) => `${r.criterion}: ${r.value}`))(reason, spec.major.currency ?? '')))),
    el('ol', { class: 'procedure' },
      el('li', {}, el('strong', {}, 'Executive report now: '),
        'tell the executive on duty what is down, who is affected and the resolve deadline.'),
      el('li', {}, el('strong', {}, 'Dedicated team: '),
        'name an incident manager, a technical lead and a communications owner; they work only on this.'),
      el('li', {}, el('strong', {}, `Briefings every ${duration(every)}: `),
        upcoming.length ? 'next at ' : 'none left: the incident is resolved',
        ...upcoming.flatMap((ms, i) => [i ? ', ' : '',
          el('time', { class: 'briefing', datetime: rfc3339(ms, zone) }, readable(ms, zone))]),
        major.briefings_due ? ` (${major.briefings_due} due so far)` : ''),
      el('li', {}, el('strong', {}, 'Communication plan: '),
        `status page and affected users every ${cadence}, management at each briefing, ` +
        'service desk staff briefed so callers hear one story, an all-clear when it is resolved.')));
}

function tickCountdowns() {
  if (!lastAnswer) return;
  for (const node of document.querySelectorAll('#intake-answer .countdown')) {
    node.textContent = countdown(Number(node.dataset.dueMs));
  }
}

