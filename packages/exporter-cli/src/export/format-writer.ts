/**
 * The contract between the export pipeline and the three output formats.
 */
import type { ChunkData } from './chunk-rows.ts';

/** Writes one output format into an `AtomicFile`; chunks arrive in time order, one at a time. */
export interface FormatWriter {
  /** Appends one chunk's points; returns how many points it wrote. */
  writeChunk(data: ChunkData): number;
  /** Writes whatever closes the file (footer, closing brackets, final metadata). */
  finish(): void;
}
