/**
 * Which series vanished between two collections: Prometheus writes a staleness marker when a target stops
 * exposing a series, and the embedded store does the same.
 */

import type { LoopSlice } from '@yardstick/metrics-core';
import { type Labels, ShardedMap, stringShard } from '@yardstick/promql';
import { seriesKey } from './series-key.ts';

/** Entries checked between two clock reads: a Map entry costs well under 1 µs, so 1024 stay far inside a slice. */
const ENTRIES_PER_CLOCK_READ = 1_024;

interface Tracked {
  /** The labels as first seen: later collections keep this object, not their own copy. */
  readonly labels: Labels;
  /** The last collection that reported the series. */
  seenIn: number;
}

/**
 * Tracks which series one collection reported, to find those the previous collection had and this one
 * lacks (they get a staleness marker).
 */
export class VanishedSeriesTracker {
  // measured (bench/store-collection.ts, 100k series): keeping each collection's own label objects in a new
  // map promoted 750k objects and keys to the old generation every collection, and scavenges of 40–125 ms
  // held the loop; one map that keeps the first objects lets later collections' copies die young.
  // Sharded: one Map of 750k keys blocked the loop ~100 ms each time it doubled (see ShardedMap).
  readonly #series = new ShardedMap<Tracked, string>(stringShard);
  #collection = 0;

  /** Notes a series of the collection in progress. */
  see(labels: Labels): void {
    const key = seriesKey(labels);
    const tracked = this.#series.get(key);
    if (tracked === undefined) this.#series.set(key, { labels, seenIn: this.#collection });
    else tracked.seenIn = this.#collection;
  }

  /**
   * Ends the collection in progress and returns the series that vanished since the previous one, giving the
   * event loop a turn through `slice` when it is due (every tracked series is looked at).
   */
  async finish(slice: LoopSlice): Promise<Labels[]> {
    const ended = this.#collection++;
    const vanished: Labels[] = [];
    let checked = 0;
    for (const [key, tracked] of this.#series.entries()) {
      if (tracked.seenIn !== ended) {
        vanished.push(tracked.labels);
        this.#series.delete(key);
      }
      if (++checked % ENTRIES_PER_CLOCK_READ === 0 && slice.due) await slice.turn();
    }
    return vanished;
  }
}
