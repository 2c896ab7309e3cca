// The dashboard's Web Worker: decompresses, reads and evaluates a whole
// incident file off the page's thread, in chunks, reporting progress, so a
// large export never freezes the page. It answers the KPI report, the
// breached incidents and the records it could not use.
import init, * as engine from '../pkg/incident_rules_wasm.js';
import { guessFormat, readIncidentFile } from './incident-files.js';

const CHUNK = 1000;
const BREACH_LIST_LIMIT = 2000;
const PROBLEM_LIST_LIMIT = 200;
const ready = init();

self.onmessage = async (event) => {
  const job = event.data;
  try {
    await ready;
    self.postMessage({ type: 'done', ...(await run(job)) });
  } catch (error) {
    self.postMessage({ type: 'error', message: String(error.message ?? error) });
  }
};

function progress(stage, done, total) {
  self.postMessage({ type: 'progress', stage, done, total });
}

async function run(job) {
  progress('Reading the file', 0, 1);
  let bytes = new Uint8Array(job.bytes);
  // gzip starts with 1f 8b, whatever the file is called.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  const format = job.format === 'auto' ? guessFormat(text, job.fileName) : job.format;
  const records = readIncidentFile(engine, format, text, job.sourceTz);

  const rules = engine.Rules.load(job.policyText, job.policyFormat);
  const session = new engine.KpiSession(['month', 'priority']);
  const unreadable = [];
  const incidents = [];
  for (const record of records) {
    if (record.incident) incidents.push(record.incident);
    else unreadable.push({ line: record.line, id: record.id, problem: record.error });
  }

  const rejected = [];
  const breaches = [];
  let breachedCount = 0;
  for (let start = 0; start < incidents.length; start += CHUNK) {
    const results = session.add(rules, incidents.slice(start, start + CHUNK), job.now);
    for (const result of results) {
      if (result.rejected) {
        rejected.push(result.rejected);
        continue;
      }
      const evaluation = result.evaluation;
      const missed = Object.entries(evaluation.targets)
        .filter(([, target]) => target && target.state === 'breached')
        .map(([name, target]) => ({ name, due: target.due, breached_at: target.breached_at }));
      if (missed.length === 0) continue;
      breachedCount += 1;
      if (breaches.length < BREACH_LIST_LIMIT) {
        breaches.push({ id: evaluation.id, priority: evaluation.priority, missed });
      }
    }
    progress('Evaluating incidents', Math.min(start + CHUNK, incidents.length), incidents.length);
  }
  const report = session.report(rules);
  session.free();
  rules.free();
  return {
    format,
    records: records.length,
    report,
    breaches,
    breachedCount,
    unreadable: unreadable.slice(0, PROBLEM_LIST_LIMIT),
    unreadableCount: unreadable.length,
    rejected: rejected.slice(0, PROBLEM_LIST_LIMIT),
    rejectedCount: rejected.length,
  };
}
