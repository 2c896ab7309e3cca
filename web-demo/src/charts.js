// Monthly trend charts as inline SVG: one line per KPI, a dashed line at
// its target, points coloured by met or missed. No chart library: the
// shapes are simple and the page must load nothing from outside.
import { shown, targetNumber } from './kpis.js';

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// `points`: [{ label: 'YYYY-MM', value, met }]; `target`: text like "> 70".
export function trendChart(kpi, points, target) {
  const width = 320, height = 150, left = 40, right = 24, top = 12, bottom = 28;
  const goal = targetNumber(target);
  const values = points.map((p) => p.value).filter((v) => v !== null);
  if (goal !== null) values.push(goal);
  let low = Math.min(0, ...values), high = Math.max(1, ...values);
  if (high === low) high = low + 1;
  high += (high - low) * 0.08;
  const x = (i) => left + (points.length <= 1 ? (width - left - right) / 2
    : (i * (width - left - right)) / (points.length - 1));
  const y = (v) => top + (1 - (v - low) / (high - low)) * (height - top - bottom);

  const described = points.map((p) => `${p.label}: ${shown(p.value, kpi.digits)}`).join(', ');
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
    'aria-label': `${kpi.label} by month${target ? `, target ${target}` : ''}: ${described}`,
  });
  for (const v of [low, (low + high) / 2, high]) {
    chart.append(svg('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: 'grid' }));
    chart.append(svg('text', { x: left - 4, y: y(v) + 3, class: 'axis', 'text-anchor': 'end' },
      Number(v.toFixed(kpi.digits ? 1 : 0)).toString()));
  }
  if (goal !== null) {
    chart.append(svg('line', { x1: left, x2: width - right, y1: y(goal), y2: y(goal), class: 'target' }));
    chart.append(svg('text', { x: width - right, y: y(goal) - 3, class: 'axis target-label', 'text-anchor': 'end' },
      `target ${target}`));
  }
  const path = points.map((p, i) => (p.value === null ? null : `${x(i)},${y(p.value)}`)).filter(Boolean);
  if (path.length > 1) chart.append(svg('polyline', { points: path.join(' '), class: 'series' }));
  points.forEach((p, i) => {
    if (p.value === null) return;
    const dot = svg('circle', { cx: x(i), cy: y(p.value), r: 3.5, class: p.met === false ? 'missed' : 'met' });
    dot.append(svg('title', {}, `${p.label}: ${shown(p.value, kpi.digits)} (${p.met === false ? 'missed' : 'met'})`));
    chart.append(dot);
  });
  // Label the first and last months and a few between, so they never crowd.
  const step = Math.max(1, Math.ceil(points.length / 6));
  points.forEach((p, i) => {
    if (i % step === 0 || i === points.length - 1) {
      chart.append(svg('text', { x: x(i), y: height - 10, class: 'axis', 'text-anchor': 'middle' }, p.label));
    }
  });
  return chart;
}
