/**
 * Reading a Prometheus text exposition in this example's tests. Test-only: excluded from the build.
 */

/** One sample: its name, labels and value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Every sample line of a text exposition. */
export function parseSamples(body: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([\w]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * The sum of the samples of `name` whose labels include `labels` (a `null` value: the label is absent);
 * undefined when there is none.
 */
export function sampleValue(
  body: string,
  name: string,
  labels: Readonly<Record<string, string | null>> = {},
): number | undefined {
  let sum: number | undefined;
  for (const sample of parseSamples(body)) {
    if (sample.name !== name) continue;
    const matches = Object.entries(labels).every(([key, value]) =>
      value === null ? !(key in sample.labels) : sample.labels[key] === value,
    );
    if (matches) sum = (sum ?? 0) + sample.value;
  }
  return sum;
}
