// Small DOM helpers and the translation of engine problems ("field:
// message") into sentences a desk lead reads without knowing field names.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== '' && child !== null && child !== undefined) node.append(child);
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

const LABELS = {
  created_at: 'Created',
  impact: 'Impact',
  urgency: 'Urgency',
  priority: 'Priority',
  scope: 'Scope',
  affected_users: 'Affected users',
  revenue_loss_per_hour: 'Revenue loss per hour',
  category: 'Category',
  now: 'Evaluation time',
};

export function fieldLabel(field) {
  return LABELS[field] ?? field;
}

// "created_at: `x` is ..." -> { field: 'created_at', text: 'Created: `x` is ...' }.
export function plainError(line) {
  const match = /^([A-Za-z_][\w.[\]]*): (.*)$/s.exec(line.trim());
  if (!match) return { field: null, text: line };
  const [, field, message] = match;
  if (field === 'priority' && message.startsWith('the incident has no priority')) {
    return { field, text: 'Choose an impact, a recorded priority, a scope or a number of affected users.' };
  }
  return { field, text: `${fieldLabel(field)}: ${message}` };
}
