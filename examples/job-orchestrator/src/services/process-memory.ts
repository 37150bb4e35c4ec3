/**
 * The process's memory as psutil reports it to the asdlc services (seed T10): `rss` (resident set) and
 * `vms` (virtual memory size). Node has the first (`process.memoryUsage.rss()`, which is cheap: it does
 * not walk the heap like `process.memoryUsage()`); the second comes from Linux's `/proc/self/status`.
 */
import { readFileSync } from 'node:fs';

/** One reading; `vms` is undefined where `/proc` does not exist (macOS, Windows). */
export interface ProcessMemory {
  readonly rss: number;
  readonly vms: number | undefined;
}

const VM_SIZE = /^VmSize:\s+(\d+) kB$/m;

/** Reads the process's memory now. Never throws. */
export function readProcessMemory(): ProcessMemory {
  return { rss: process.memoryUsage.rss(), vms: readVmSize() };
}

function readVmSize(): number | undefined {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'latin1');
  } catch {
    return undefined;
  }
  const kib = VM_SIZE.exec(status)?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
}
