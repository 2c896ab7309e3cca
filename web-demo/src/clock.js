// The page's clock and the time formatting every panel shares. `?now=`
// in the URL fixes the starting instant (tests and screenshots use it);
// the clock still ticks from there so countdowns move.
const startedAt = Date.now();
const fixed = new URLSearchParams(location.search).get('now');
const fixedMs = fixed ? Date.parse(fixed) : NaN;

export const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

// The instant the page treats as now, in milliseconds.
export function nowMs() {
  return Number.isNaN(fixedMs) ? Date.now() : fixedMs + (Date.now() - startedAt);
}

// The `?now=` text as given, when it is there and readable.
export function fixedNowText() {
  return Number.isNaN(fixedMs) ? null : fixed;
}

// RFC 3339 with the offset of `zone` (whole seconds), as the engine reads it.
export function rfc3339(ms, zone = viewerZone) {
  const parts = partsIn(ms, zone);
  const offset = offsetMinutes(ms, zone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${sign}${hh}:${mm}`;
}

function partsIn(ms, zone) {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const parts = {};
  for (const part of format.formatToParts(new Date(ms))) parts[part.type] = part.value;
  return parts;
}

function offsetMinutes(ms, zone) {
  const p = partsIn(ms, zone);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

// "Tue 3 Mar, 10:30" in `zone`; the year only when it is not this year's.
export function readable(ms, zone) {
  const sameYear = new Date(ms).getUTCFullYear() === new Date(nowMs()).getUTCFullYear();
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, weekday: 'short', day: 'numeric', month: 'short',
    year: sameYear ? undefined : 'numeric', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(ms));
}

// "2h 05m", "3d 4h", "45s": a duration in words a desk reads at a glance.
export function duration(seconds) {
  let s = Math.max(0, Math.round(Math.abs(seconds)));
  const days = Math.floor(s / 86400); s -= days * 86400;
  const hours = Math.floor(s / 3600); s -= hours * 3600;
  const minutes = Math.floor(s / 60); s -= minutes * 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return s ? `${minutes}m ${String(s).padStart(2, '0')}s` : `${minutes}m`;
  return `${s}s`;
}

// "in 2h 05m" or "overdue by 10m 00s" from now to `ms`.
export function countdown(ms) {
  const seconds = (ms - nowMs()) / 1000;
  return seconds >= 0 ? `in ${duration(seconds)}` : `overdue by ${duration(seconds)}`;
}
