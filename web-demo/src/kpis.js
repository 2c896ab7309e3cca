// The KPIs the dashboard shows: their names, units and the rounding the
// tiles apply (the tests read it from the tiles' data attributes, so the
// page and the tests cannot round differently).
export const KPIS = [
  { key: 'fcr_percent', label: 'First-contact resolution', unit: '%', digits: 1 },
  { key: 'mttr_hours', label: 'Mean time to resolve', unit: 'h', digits: 2 },
  { key: 'csat', label: 'Customer satisfaction', unit: '/ 5', digits: 2 },
  { key: 'sla_compliance_percent', label: 'SLA compliance', unit: '%', digits: 1 },
  { key: 'major_per_month', label: 'Major incidents, worst month', unit: '', digits: 0 },
];

export function shown(value, digits) {
  return value === null || value === undefined ? 'no data' : value.toFixed(digits);
}

// "> 70" -> 70: the number of a target, for the chart's target line.
export function targetNumber(target) {
  const match = /-?\d+(\.\d+)?/.exec(target ?? '');
  return match ? Number(match[0]) : null;
}
