import { describe, expect, it } from 'vitest';
import { type EvalCommand, parseTestFile } from './test-file.ts';

function evalOf(text: string): EvalCommand {
  const cmd = parseTestFile(text).find((c) => c.kind === 'eval');
  if (cmd === undefined || cmd.kind !== 'eval') throw new Error('no eval');
  return cmd;
}

describe('parseTestFile', () => {
  it('reads load blocks, ending them at an empty or comment line', () => {
    const commands = parseTestFile('load 30s\n  a 1 2\n# comment\nclear\n');
    expect(commands.map((c) => c.kind)).toEqual(['load', 'clear']);
    expect(commands[0]).toMatchObject({
      kind: 'load',
      intervalMs: 30_000,
      series: [{ labels: { __name__: 'a' } }],
    });
    expect(() => parseTestFile('load 30s\n  a 1\n# comment\n  b 3\n')).toThrow(/invalid command/);
  });

  it('reads instant and range evals with their times', () => {
    expect(evalOf('eval instant at 1h5m x\n')).toMatchObject({
      isRange: false,
      evalMs: 3_900_000,
      expr: 'x',
    });
    expect(evalOf('eval range from 1m to 3m step 30s sum(x)\n')).toMatchObject({
      isRange: true,
      startMs: 60_000,
      endMs: 180_000,
      stepMs: 30_000,
      expr: 'sum(x)',
    });
  });

  it('reads expect lines, and the older eval_* forms', () => {
    const cmd = evalOf(
      'eval instant at 0 x\n  expect fail msg: boom\n  expect warn regex: w.*\n  expect no_info\n  expect ordered\n',
    );
    expect(cmd.expects.fail).toEqual([{ message: 'boom' }]);
    expect(cmd.expects.warn[0]?.regex?.source).toBe('w.*');
    expect(cmd.expects.no_info).toHaveLength(1);
    expect(cmd.expects.ordered).toHaveLength(1);
    expect(evalOf('eval_ordered instant at 0 x\n').legacy.ordered).toBe(true);
    expect(evalOf('eval_fail range from 0 to 1m step 1m x\n').legacy.fail).toBe(true);
    expect(evalOf('eval_fail instant at 0 x\n  expected_fail_message boom\n').expectedFailMessage).toBe(
      'boom',
    );
  });

  it('numbers result lines after expect lines from 1, for ordered checks', () => {
    const cmd = evalOf('eval instant at 0 x\n  expect ordered\n  x{a="1"} 1\n  x{a="2"} 2\n');
    expect([...cmd.expected.values()].map((e) => e.pos)).toEqual([1, 2]);
  });

  it('reads scalar, string and range-vector expectations', () => {
    expect(evalOf('eval instant at 0 1\n  -Inf\n')).toMatchObject({ expectScalar: true });
    expect(evalOf('eval instant at 0 "a"\n  expect string `a\\b`\n').expectedString).toBe('a\\b');
    expect(
      evalOf('eval instant at 5m x[1m]\n  expect range vector from 4m to 5m step 30s\n  x 1 2 3\n'),
    ).toMatchObject({
      startMs: 240_000,
      endMs: 300_000,
      stepMs: 30_000,
      excludeFromRangeQuery: true,
    });
  });

  it('rejects contradictory or malformed expectations', () => {
    expect(() => parseTestFile('eval instant at 0 x\n  expect warn\n  expect no_warn\n')).toThrow(
      /warn and no_warn/,
    );
    expect(() => parseTestFile('eval instant at 0 x\n  expect fail\n  expect fail\n')).toThrow(
      /multiple expect fail/,
    );
    expect(() => parseTestFile('eval range from 2m to 1m step 1m x\n')).toThrow(/before start/);
    expect(() => parseTestFile('eval instant at soon x\n')).toThrow(/invalid timestamp/);
  });
});
