/** Numbers in the units of Grafana's unit ids that dashboards use (`s`, `ms`, `bytes`, `percentunit`, `reqps`, `short`). */

function trim(value: number): string {
  return Number(value.toPrecision(3)).toString();
}

function short(value: number): string {
  const abs = Math.abs(value);
  for (const [size, suffix] of [
    [1e12, ' T'],
    [1e9, ' B'],
    [1e6, ' M'],
    [1e3, ' K'],
  ] as const)
    if (abs >= size) return `${trim(value / size)}${suffix}`;
  return trim(value);
}

function seconds(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return '0 s';
  if (abs < 1e-3) return `${trim(value * 1e6)} µs`;
  if (abs < 1) return `${trim(value * 1e3)} ms`;
  if (abs < 60) return `${trim(value)} s`;
  if (abs < 3600) return `${trim(value / 60)} min`;
  if (abs < 86_400) return `${trim(value / 3600)} hour`;
  return `${trim(value / 86_400)} day`;
}

function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = value;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${trim(v)} ${units[i]}`;
}

/** `value` as Grafana shows it in `unit`; NaN and infinities as words. */
export function formatUnit(value: number, unit: string): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 'percentunit':
      return `${trim(value * 100)}%`;
    case 'percent':
      return `${trim(value)}%`;
    case 's':
      return seconds(value);
    case 'ms':
      return seconds(value / 1000);
    case 'bytes':
      return bytes(value);
    case 'reqps':
      return `${short(value)} req/s`;
    default:
      return short(value);
  }
}
