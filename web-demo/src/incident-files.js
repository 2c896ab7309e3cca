// Turning an incident file's text into incidents: the one place the page
// reads files, so that switching readers touches nothing else. The engine's
// own readers (`readIncidents`, the same Rust code the command uses) are
// used whenever the loaded package has them; until then only JSON lines,
// which need no mapping, are read here.

// `jsonl`, `csv`, `servicenow` or `bpi2014`, from the first line.
export function guessFormat(text, fileName = '') {
  const firstLine = text.slice(0, 4096).split(/\r?\n/, 1)[0].replace(/^\uFEFF/, '');
  if (firstLine.trimStart().startsWith('{')) return 'jsonl';
  if (/(^|,)"?incident_state"?(,|$)/.test(firstLine)) return 'servicenow';
  if (/Incident ID/i.test(firstLine) && firstLine.includes(';')) return 'bpi2014';
  if (/\.jsonl?$|\.ndjson$/i.test(fileName)) return 'jsonl';
  return 'csv';
}

// One entry per input record: `{ line, id, incident }` or `{ line, id, error }`.
export function readIncidentFile(engine, format, text, sourceTz) {
  if (typeof engine.readIncidents === 'function') {
    return engine.readIncidents(format, text, sourceTz || undefined);
  }
  if (format !== 'jsonl') {
    throw new Error(`This build of the engine cannot read ${format} files yet; ` +
      'load a JSON lines file, or rebuild once the engine has its file readers.');
  }
  const records = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index].trim();
    if (!line) continue;
    try {
      const incident = JSON.parse(line);
      records.push({ line: index + 1, id: String(incident.id ?? ''), incident });
    } catch (error) {
      records.push({ line: index + 1, id: '', error: `not JSON: ${error.message}` });
    }
  }
  return records;
}
