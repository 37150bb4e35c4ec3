// Scratch runner for the engine author: runs .test files against evaluateInstant/evaluateRange.
// Not part of the package; the real runner lives in src/conformance.
import { readFileSync } from 'node:fs';
import { labelsKey, parseTestFile } from '../src/conformance/test-file.ts';
import { evaluateInstant, evaluateRange } from '../src/engine/evaluate.ts';
import type { Expr } from '../src/parser/ast.ts';
import { parseExpr } from '../src/parser/parse-expr.ts';
import { isStaleNaN } from '../src/storage/queryable.ts';
import { SampleStore } from '../src/storage/sample-store.ts';

const unsafe = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'end',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'range',
  'start',
  'step',
  'time',
  'timestamp',
]);
let hasUnsafe = false;
// Sets `@ ts` on every selector and subquery not below a subquery that already has one.
function withAt(e: Expr, ts: number): Expr {
  const at = { kind: 'timestamp' as const, ms: ts };
  switch (e.type) {
    case 'vectorSelector':
      return e.at ? e : { ...e, at };
    case 'matrixSelector':
      return { ...e, vector: withAt(e.vector, ts) as typeof e.vector };
    case 'subquery':
      return e.at ? e : { ...e, at };
    case 'call':
      if (unsafe.has(e.func)) hasUnsafe = true;
      return { ...e, args: e.args.map((a) => withAt(a, ts)) };
    case 'aggregate':
      return { ...e, expr: withAt(e.expr, ts), param: e.param && withAt(e.param, ts) };
    case 'binary':
      return { ...e, lhs: withAt(e.lhs, ts), rhs: withAt(e.rhs, ts) };
    case 'unary':
    case 'paren':
      return { ...e, expr: withAt(e.expr, ts) };
    default:
      return e;
  }
}

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const diff = Math.abs(a - b);
  return diff <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)) || diff < 1e-12;
}

const verbose = process.env.V === '1';
let pass = 0;
let fail = 0;
let skipped = 0;
const reasons = new Map<string, number>();
for (const file of process.argv.slice(2)) {
  let fp = 0;
  let ff = 0;
  const cmds = parseTestFile(readFileSync(file, 'utf8'));
  let store = new SampleStore();
  let histNames = new Set<string>();
  for (const cmd of cmds) {
    if (cmd.kind === 'clear') {
      store = new SampleStore();
      histNames = new Set<string>();
      continue;
    }
    if (cmd.kind === 'load') {
      for (const s of cmd.series) {
        s.values.forEach((v, i) => {
          const t = i * cmd.intervalMs;
          if (v.kind === 'float') {
            if (isStaleNaN(v.value)) store.appendStaleMarker(s.labels, t);
            else store.append(s.labels, t, v.value);
          } else if (v.kind === 'histogram') histNames.add(s.labels.__name__ ?? '');
        });
        if (cmd.withNhcb) histNames.add((s.labels.__name__ ?? '').replace(/_bucket$/, ''));
      }
      continue;
    }
    const wantFail = cmd.legacy.fail || cmd.expects.fail.length > 0;
    const problem = (msg: string) => {
      ff++;
      fail++;
      const key = msg.replace(/[0-9.e+-]+/g, 'N').slice(0, 120);
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
      if (verbose) console.log(`${file}:${cmd.line}: ${cmd.expr}\n   ${msg}`);
    };
    if (
      [...histNames].some((n) => n !== '' && new RegExp(`\\b${n}\\b`).test(cmd.expr)) ||
      /\{\{/.test(cmd.expr)
    ) {
      skipped++;
      continue;
    }
    try {
      const expr = parseExpr(cmd.expr);
      if (cmd.isRange) {
        const r = evaluateRange(store, expr, cmd.startMs, cmd.endMs, cmd.stepMs);
        if (wantFail) {
          problem('expected failure');
          continue;
        }
        const got = new Map(r.value.series.map((s) => [labelsKey(s.labels), s]));
        let bad = '';
        for (const [k, e] of cmd.expected) {
          const g = got.get(k);
          if (!g) {
            bad = `missing ${k}`;
            break;
          }
          const exp: [number, number][] = [];
          e.values.forEach((v, i) => {
            if (v.kind === 'float') exp.push([cmd.startMs + i * cmd.stepMs, v.value]);
          });
          if (exp.length !== g.timestamps.length) {
            bad = `${k}: ${exp.length} points expected, got ${g.timestamps.length} [${[...g.timestamps].join(',')}] vals [${[...g.values].join(',')}]`;
            break;
          }
          for (let i = 0; i < exp.length; i++) {
            if (exp[i]![0] !== g.timestamps[i] || !close(exp[i]![1], g.values[i]!)) {
              bad = `${k}: at ${exp[i]![0]} expected ${exp[i]![1]} got ${g.timestamps[i]}=${g.values[i]}`;
              break;
            }
          }
          if (bad) break;
        }
        if (!bad && got.size !== cmd.expected.size)
          bad = `got ${got.size} series, expected ${cmd.expected.size}: ${[...got.keys()].join(' ')}`;
        if (bad) problem(bad);
        else {
          pass++;
          fp++;
        }
        continue;
      }
      hasUnsafe = false;
      const atExpr = withAt(expr, cmd.evalMs);
      const ts = cmd.evalMs;
      const variants: [Expr, number][] = [[expr, ts]];
      if (!hasUnsafe && process.env.AT !== '0') {
        for (const et of ts === 0 ? [-1000, 0, 1000] : [-10 * ts, 0, ts / 5, ts, 10 * ts])
          variants.push([atExpr, et]);
      }
      let bad = '';
      for (const [vexpr, vt] of variants) {
        const r = evaluateInstant(store, vexpr, vt);
        if (wantFail) {
          problem('expected failure');
          continue;
        }
        const v = r.value;
        if (cmd.expects.warn.length > 0 || cmd.legacy.warn) {
          if (r.warnings.length === 0) bad = 'expected warning';
          for (const e of cmd.expects.warn)
            if (e.message && !r.warnings.includes(e.message))
              bad = `warning mismatch: ${r.warnings.join('|')}`;
        }
        if (cmd.expects.no_warn.length > 0 && r.warnings.length > 0)
          bad = `unexpected warning ${r.warnings.join('|')}`;
        if (cmd.expects.info.length > 0 || cmd.legacy.info) {
          if (r.infos.length === 0) bad = 'expected info';
          for (const e of cmd.expects.info)
            if (e.message && !r.infos.includes(e.message)) bad = `info mismatch: ${r.infos.join('|')}`;
        }
        if (cmd.expects.no_info.length > 0 && r.infos.length > 0)
          bad = `unexpected info ${r.infos.join('|')}`;
        if (!bad) {
          if (cmd.expectedString !== undefined) {
            if (v.type !== 'string' || v.value !== cmd.expectedString) bad = 'string mismatch';
          } else if (cmd.expectScalar) {
            const e = cmd.expected.get('')!.values[0]!;
            if (v.type !== 'scalar') bad = `expected scalar got ${v.type}`;
            else if (e.kind === 'float' && !close(e.value, v.value)) bad = `scalar ${v.value} != ${e.value}`;
          } else if (v.type === 'vector') {
            const got = new Map(v.samples.map((s, i) => [labelsKey(s.labels), { s, i }]));
            for (const [k, e] of cmd.expected) {
              const g = got.get(k);
              const ev = e.values[0];
              if (!g) {
                bad = `missing ${k}; got ${[...got.keys()].join(' ')}`;
                break;
              }
              if (ev?.kind === 'float' && !close(ev.value, g.s.value)) {
                bad = `${k} expected ${ev.value} got ${g.s.value}`;
                break;
              }
            }
            if (!bad && got.size !== cmd.expected.size)
              bad = `got ${got.size} expected ${cmd.expected.size}: ${[...got.keys()].join(' ')}`;
            if (!bad && (cmd.legacy.ordered || cmd.expects.ordered.length > 0)) {
              for (const [k, e] of cmd.expected) if (got.get(k)!.i !== e.pos - 1) bad = `order ${k}`;
            }
          } else if (v.type === 'matrix') {
            const got = new Map(v.series.map((s) => [labelsKey(s.labels), s]));
            for (const [k, e] of cmd.expected) {
              const g = got.get(k);
              if (!g) {
                bad = `missing ${k}`;
                break;
              }
              const vals = e.values
                .filter((x) => x.kind === 'float')
                .map((x) => (x as { value: number }).value);
              if (vals.length !== g.values.length || vals.some((x, i) => !close(x, g.values[i]!))) {
                bad = `${k}: expected ${vals.join(',')} got ${[...g.values].join(',')}`;
                break;
              }
            }
            if (!bad && got.size !== cmd.expected.size) bad = `got ${got.size} expected ${cmd.expected.size}`;
          } else bad = `unexpected ${v.type}`;
        }
        if (
          !bad &&
          process.env.RANGE !== '0' &&
          !cmd.excludeFromRangeQuery &&
          !(cmd.legacy.ordered || cmd.expects.ordered.length > 0) &&
          !/\b(start|end|range|step)\(\)/.test(cmd.expr) &&
          (v.type === 'vector' || v.type === 'scalar')
        ) {
          try {
            const rr = evaluateRange(store, vexpr, vt - 60000, vt + 60000, 60000);
            const at = new Map<string, number>();
            for (const s of rr.value.series) {
              const i = [...s.timestamps].indexOf(vt);
              if (i >= 0) at.set(labelsKey(s.labels), s.values[i]!);
            }
            if (v.type === 'vector') {
              if (at.size !== v.samples.length) bad = `range mode: ${at.size} series vs ${v.samples.length}`;
              for (const s of v.samples) {
                const g = at.get(labelsKey(s.labels));
                if (g === undefined || !close(g, s.value))
                  bad = `range mode: ${labelsKey(s.labels)} ${g} vs ${s.value}`;
              }
            } else if (at.size !== 1 || !close([...at.values()][0]!, v.value)) bad = 'range mode scalar';
          } catch (e) {
            bad = `range mode error: ${(e as Error).message}`;
          }
        }
        if (bad) {
          if (vexpr !== expr) bad = `@${vt}: ${bad}`;
          break;
        }
      }
      if (bad) problem(bad);
      else {
        pass++;
        fp++;
      }
    } catch (e) {
      const msg = (e as Error).message;
      if (wantFail) {
        const want = cmd.expectedFailMessage ?? cmd.expects.fail[0]?.message;
        if (want && !msg.includes(want)) problem(`wrong failure: ${msg} (want ${want})`);
        else {
          pass++;
          fp++;
        }
      } else problem(`error: ${(e as Error).message}`);
    }
  }
  console.log(`${file.split('/').pop()}: ${fp} passed, ${ff} failed`);
}
console.log(`${pass} passed, ${fail} failed, ${skipped} skipped`);
if (process.env.R === '1') {
  for (const [k, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(n, k);
}
