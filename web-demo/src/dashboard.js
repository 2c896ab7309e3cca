// The dashboard: loads an incident file (or the bundled ServiceNow sample),
// hands it to the worker and shows the KPI tiles against their targets,
// the monthly trends, the breakdown by priority and the breached incidents.
import { policy } from './engine.js';
import { fixedNowText, nowMs, rfc3339 } from './clock.js';
import { el, clear } from './dom.js';
import { KPIS, shown } from './kpis.js';
import { trendChart } from './charts.js';

const SAMPLE_DATA = 'sample/servicenow-sample.csv.gz';
const SAMPLE_POLICY = 'sample/servicenow.toml';
// The sample's timestamps carry no offset; its policy's notes say they are
// São Paulo time (the log's authors are in Brazil).
const SAMPLE_TZ = 'America/Sao_Paulo';

const $ = (id) => document.getElementById(id);
let worker = null;
let jobStarted = 0;

export function startDashboard() {
  $('dash-now').value = fixedNowText() ?? rfc3339(nowMs());
  $('dash-tz').value = policy().spec.kpi.time_zone;
  $('dash-file').addEventListener('change', async () => {
    const file = $('dash-file').files[0];
    if (!file) return;
    const current = policy();
    start({
      bytes: await file.arrayBuffer(), fileName: file.name, format: $('dash-format').value,
      policyText: current.text, policyFormat: current.format, policyLabel: 'the policy in force',
      sourceLabel: file.name,
    });
  });
  $('dash-sample').addEventListener('click', loadSample);
}

async function loadSample() {
  let data, policyText;
  try {
    const [dataResponse, policyResponse] = await Promise.all([fetch(SAMPLE_DATA), fetch(SAMPLE_POLICY)]);
    if (!dataResponse.ok || !policyResponse.ok) throw new Error('missing');
    data = await dataResponse.arrayBuffer();
    policyText = await policyResponse.text();
  } catch {
    return say('The bundled sample is not part of this build of the page.', 'error');
  }
  $('dash-tz').value = SAMPLE_TZ;
  $('dash-format').value = 'servicenow';
  start({
    bytes: data, fileName: 'servicenow-sample.csv.gz', format: 'servicenow',
    policyText, policyFormat: 'toml', policyLabel: 'the bundled ServiceNow policy',
    sourceLabel: 'the bundled ServiceNow sample',
  });
}

function say(text, kind = '') {
  $('dash-status').textContent = text;
  $('dash-status').className = kind;
}

function start(job) {
  const now = $('dash-now').value.trim();
  if (Number.isNaN(Date.parse(now))) {
    return say(`"Evaluate as of" must be a date and time with an offset, e.g. ${rfc3339(nowMs())}.`, 'error');
  }
  // A new file replaces the one being read: the old worker is stopped.
  if (worker) worker.terminate();
  worker = new Worker(new URL('./kpi-worker.js', import.meta.url), { type: 'module' });
  jobStarted = performance.now();
  document.body.dataset.dashboard = 'loading';
  $('dash-progress').hidden = false;
  $('dash-progress-bar').removeAttribute('value');
  say(`Reading ${job.sourceLabel}…`);
  worker.onmessage = (event) => onWorkerMessage(event.data, job);
  worker.onerror = (event) => fail(event.message || 'the worker stopped');
  const { bytes, fileName, format, policyText, policyFormat } = job;
  worker.postMessage({
    bytes, fileName, format, policyText, policyFormat, now, sourceTz: $('dash-tz').value.trim(),
  }, [bytes]);
}

function fail(message) {
  $('dash-progress').hidden = true;
  document.body.dataset.dashboard = 'error';
  say(`The file could not be used: ${message}`, 'error');
}

function onWorkerMessage(message, job) {
  if (message.type === 'progress') {
    $('dash-progress-label').textContent = `${message.stage}: ${message.done.toLocaleString('en')} of ${message.total.toLocaleString('en')}`;
    $('dash-progress-bar').max = Math.max(1, message.total);
    $('dash-progress-bar').value = message.done;
    return;
  }
  if (message.type === 'error') return fail(message.message);
  $('dash-progress').hidden = true;
  render(message, job);
  const seconds = ((performance.now() - jobStarted) / 1000).toFixed(1);
  say(`${job.sourceLabel}: ${message.report.overall.incidents.toLocaleString('en')} incidents counted ` +
    `with ${job.policyLabel} ("${message.report.policy}") as of ${$('dash-now').value.trim()}, in ${seconds} s.`);
  document.body.dataset.dashboard = 'ready';
}

function render(result, job) {
  $('dash-results').hidden = false;
  const overall = result.report.overall;
  const tiles = clear($('kpi-tiles'));
  tiles.append(countTile('Incidents', overall.incidents, 'incidents'),
    countTile('Resolved', overall.resolved, 'resolved'));
  for (const kpi of KPIS) tiles.append(kpiTile(kpi, overall[kpi.key]));
  renderTrends(result.report.groups.month ?? {});
  renderPriorities(result.report.groups.priority ?? {});
  renderBreaches(result);
  renderRejected(result);
}

function countTile(label, value, key) {
  return el('div', { class: 'tile count', 'data-kpi': key, 'data-value': String(value) },
    el('p', { class: 'tile-label' }, label),
    el('p', { class: 'tile-value' }, value.toLocaleString('en')));
}

function kpiTile(kpi, judged) {
  const verdict = judged.met === null ? 'no target' : judged.met ? 'met' : 'missed';
  return el('div', {
    class: `tile ${verdict.replace(' ', '-')}`, 'data-kpi': kpi.key,
    'data-value': judged.value === null ? 'null' : String(judged.value), 'data-digits': String(kpi.digits),
  },
  el('p', { class: 'tile-label' }, kpi.label),
  el('p', { class: 'tile-value' }, el('span', { class: 'shown' }, shown(judged.value, kpi.digits)),
    judged.value === null ? '' : el('span', { class: 'unit' }, ` ${kpi.unit}`)),
  el('p', { class: 'tile-target' }, judged.target ? `target ${judged.target}` : 'no target',
    ' – ', el('strong', { class: 'verdict' }, verdict)));
}

function renderTrends(months) {
  const box = clear($('kpi-trends'));
  const labels = Object.keys(months).sort();
  for (const kpi of KPIS) {
    const points = labels.map((label) => ({
      label, value: months[label][kpi.key].value, met: months[label][kpi.key].met,
    }));
    const target = labels.length ? months[labels[0]][kpi.key].target : null;
    box.append(el('figure', { class: 'trend' }, el('figcaption', {}, kpi.label), trendChart(kpi, points, target)));
  }
}

function renderPriorities(priorities) {
  const box = clear($('kpi-priority'));
  const order = policy().spec.priorities.map((p) => p.id);
  const keys = Object.keys(priorities).sort((a, b) => rank(order, a) - rank(order, b));
  const cell = (judged, kpi) => el('td', { class: judged.met === false ? 'missed' : '' },
    shown(judged.value, kpi.digits), judged.met === false ? ' (missed)' : '');
  box.append(el('table', {},
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Priority'), el('th', { scope: 'col' }, 'Incidents'),
      ...KPIS.map((kpi) => el('th', { scope: 'col' }, kpi.label)))),
    el('tbody', {}, ...keys.map((key) => el('tr', {}, el('th', { scope: 'row' }, key || '(none)'),
      el('td', {}, priorities[key].incidents.toLocaleString('en')),
      ...KPIS.map((kpi) => cell(priorities[key][kpi.key], kpi)))))));
}

function rank(order, id) {
  const index = order.indexOf(id);
  return index < 0 ? order.length : index;
}

const TARGET_WORDS = { acknowledge: 'acknowledge', respond: 'first response', resolve: 'resolve' };

function renderBreaches(result) {
  $('breaches-title').textContent = `Breached incidents (${result.breachedCount.toLocaleString('en')})`;
  const box = clear($('kpi-breaches'));
  if (result.breachedCount === 0) return box.append(el('p', {}, 'No incident missed a target.'));
  if (result.breaches.length < result.breachedCount) {
    box.append(el('p', { class: 'muted' }, `The first ${result.breaches.length.toLocaleString('en')} are listed.`));
  }
  box.append(el('table', { class: 'breaches' },
    el('thead', {}, el('tr', {}, ...['Incident', 'Priority', 'Target missed', 'Was due', 'Breached at']
      .map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...result.breaches.flatMap((b) => b.missed.map((m, i) => el('tr', {},
      el('td', {}, i === 0 ? b.id : ''), el('td', {}, i === 0 ? b.priority : ''),
      el('td', {}, TARGET_WORDS[m.name] ?? m.name), el('td', {}, m.due), el('td', {}, m.breached_at ?? '')))))));
}

function renderRejected(result) {
  const count = result.unreadableCount + result.rejectedCount;
  $('dash-rejected-box').hidden = count === 0;
  if (count === 0) return;
  $('dash-rejected-title').textContent =
    `${count.toLocaleString('en')} record(s) were not counted: open for the reasons`;
  const list = clear($('dash-rejected'));
  for (const item of result.unreadable) list.append(el('li', {}, `line ${item.line}${item.id ? ` (${item.id})` : ''}: ${item.problem}`));
  for (const item of result.rejected) {
    list.append(el('li', {}, `${item.id || '(no id)'}: ${item.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`));
  }
}
