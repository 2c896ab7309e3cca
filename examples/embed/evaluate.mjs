// A second embedder of the plain rules module: Node's own WebAssembly API,
// no wasm-bindgen glue and no npm package, following docs/abi.md alone.
//
//   node examples/embed/evaluate.mjs MODULE.wasm POLICY.toml INCIDENTS.jsonl NOW
//
// Prints one JSON line per incident, as `incident-rules evaluate` does:
// the evaluation, or {"rejected": ...} for an incident the rules refused.
// host/tests/embed.rs checks that the answers equal the command's.

import { readFileSync } from 'node:fs';

const [modulePath, policyPath, incidentsPath, now] = process.argv.slice(2);
if (!now) {
  console.error('usage: evaluate.mjs MODULE.wasm POLICY.toml INCIDENTS.jsonl NOW');
  process.exit(2);
}

// The module imports nothing: an empty import object is all it needs.
const { instance } = await WebAssembly.instantiate(readFileSync(modulePath), {});
const { memory, ir_abi_version, ir_alloc, ir_free, ir_call } = instance.exports;
if (ir_abi_version() !== 1) {
  throw new Error(`module ABI ${ir_abi_version()}, this script speaks 1`);
}

// One call: copy the request in, call, copy the answer out, free it.
function call(request) {
  const bytes = new TextEncoder().encode(JSON.stringify(request));
  const ptr = ir_alloc(bytes.length) >>> 0;
  if (ptr === 0) throw new Error('the module is out of memory');
  new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
  const packed = BigInt.asUintN(64, ir_call(ptr, bytes.length));
  const answerPtr = Number(packed >> 32n);
  const answerLen = Number(packed & 0xffffffffn);
  // The call may have grown memory: take the buffer afresh and check.
  if (answerPtr + answerLen > memory.buffer.byteLength) {
    throw new Error('the module answered outside its memory');
  }
  const text = new TextDecoder('utf-8', { fatal: true })
    .decode(new Uint8Array(memory.buffer, answerPtr, answerLen));
  ir_free(answerPtr, answerLen);
  const answer = JSON.parse(text);
  if (answer.errors) {
    throw new Error(answer.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  }
  return answer.ok;
}

const { handle } = call({ op: 'load_policy', policy: readFileSync(policyPath, 'utf8') });
const incidents = readFileSync(incidentsPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line));
const { results } = call({ op: 'evaluate', policy: handle, now, incidents });
for (const result of results) {
  console.log(JSON.stringify(result.evaluation ?? result));
}
