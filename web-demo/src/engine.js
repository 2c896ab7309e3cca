// The rules engine on the page's main thread: loads the wasm package once
// and holds the policy in force. Panels subscribe to policy changes so the
// form, the tables and the dashboard always follow the same policy.
import init, { Rules, defaultPolicy, validatePolicy } from '../pkg/incident_rules_wasm.js';

let current = null;
const listeners = [];

export async function startEngine() {
  await init();
  const text = defaultPolicy();
  setPolicy(Rules.load(text, 'toml'), text, 'toml');
  return current;
}

// The policy in force: the checked rules, its text and the spec as written.
export function policy() {
  return current;
}

export function setPolicy(rules, text, format) {
  const previous = current;
  current = { rules, text, format, spec: rules.spec() };
  for (const listener of listeners) listener(current);
  // Free the old wasm object only after every panel has moved on.
  if (previous && previous.rules !== rules) previous.rules.free();
}

export function onPolicyChange(listener) {
  listeners.push(listener);
}

export { Rules, defaultPolicy, validatePolicy };
