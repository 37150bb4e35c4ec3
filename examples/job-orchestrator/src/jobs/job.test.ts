import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJob, decodeJob, encodeJob, type Job } from './job.ts';

const jobArbitrary: fc.Arbitrary<Job> = fc.record(
  {
    id: fc.string({ minLength: 1 }),
    queue: fc.string({ minLength: 1 }),
    type: fc.string({ minLength: 1 }),
    payload: fc.jsonValue(),
    attempts: fc.nat(),
    maxAttempts: fc.integer({ min: 1, max: 1_000 }),
    enqueuedAt: fc.integer(),
    availableAt: fc.integer(),
    lastError: fc.string(),
  },
  {
    requiredKeys: ['id', 'queue', 'type', 'payload', 'attempts', 'maxAttempts', 'enqueuedAt', 'availableAt'],
  },
);

describe('job encoding', () => {
  it('reads back every job it writes', () => {
    fc.assert(
      fc.property(jobArbitrary, (job) => {
        // JSON has no -0: a payload holding -0 comes back as 0, as it would from Redis.
        expect(decodeJob(encodeJob(job))).toEqual(JSON.parse(JSON.stringify(job)));
      }),
    );
  });

  it('never throws on what a list may hold, and gives back only well-formed jobs', () => {
    const anything = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(anything, (raw) => {
        const job = decodeJob(raw);
        if (job === undefined) return;
        expect(job.id.length).toBeGreaterThan(0);
        expect(job.type.length).toBeGreaterThan(0);
        expect(Number.isSafeInteger(job.attempts) && job.attempts >= 0).toBe(true);
        expect(job.maxAttempts).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('refuses entries with missing or mistyped fields', () => {
    const good = encodeJob(createJob('emails', 'welcome', { to: 'a@example.com' }, 3, 1_000));
    expect(decodeJob(good)?.type).toBe('welcome');
    const fields = JSON.parse(good) as Record<string, unknown>;
    for (const [field, bad] of [
      ['id', ''],
      ['type', 7],
      ['attempts', -1],
      ['attempts', 1.5],
      ['maxAttempts', 0],
      ['enqueuedAt', 'yesterday'],
      ['lastError', 42],
    ] as const) {
      expect(decodeJob(JSON.stringify({ ...fields, [field]: bad })), field).toBeUndefined();
    }
    expect(decodeJob('not json')).toBeUndefined();
    expect(decodeJob('[1,2]')).toBeUndefined();
    expect(decodeJob('null')).toBeUndefined();
  });

  it('creates jobs that are ready at once with no attempts made', () => {
    const job = createJob('reports', 'render', null, 4, 5_000);
    expect(job).toMatchObject({ attempts: 0, maxAttempts: 4, enqueuedAt: 5_000, availableAt: 5_000 });
    expect(createJob('reports', 'render', null, 4).id).not.toBe(job.id);
  });
});
