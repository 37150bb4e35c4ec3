/**
 * When each process's gauge readings last changed, as the primary sees them, for the `last` gauge policy.
 * A process's core reports a gauge's value, not when it was set, so the primary orders changes itself: by
 * the order in which it received them (a sequence number, not wall time). Two processes that set a gauge
 * within one report interval are ordered by when their reports arrived.
 */
export class GaugeChangeClock {
  #sequence = 0;
  readonly #readings = new Map<string, Map<string, { value: number; changedAt: number }>>();

  /** Notes `value` as the reading of `series` in `process`; returns when that reading last changed. */
  stamp(process: string, series: string, value: number): number {
    let readings = this.#readings.get(process);
    if (readings === undefined) {
      readings = new Map();
      this.#readings.set(process, readings);
    }
    const known = readings.get(series);
    if (known !== undefined && Object.is(known.value, value)) return known.changedAt;
    const changedAt = ++this.#sequence;
    readings.set(series, { value, changedAt });
    return changedAt;
  }

  /** Forgets the readings of `process` not in `series` (gauge series its core no longer reports). */
  retain(process: string, series: ReadonlySet<string>): void {
    const readings = this.#readings.get(process);
    if (readings === undefined) return;
    for (const key of readings.keys()) if (!series.has(key)) readings.delete(key);
  }

  /** Forgets a process that is gone. */
  forget(process: string): void {
    this.#readings.delete(process);
  }
}
