import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatRequestSchema, parseChatRequest } from './chat-request.ts';

const message = fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: fc.string() });

describe('parseChatRequest', () => {
  it('never throws, whatever the body', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const result = parseChatRequest(text);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
    );
  });

  it('forwards a valid request with every field the client sent, and reads its model', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.array(message, { minLength: 1, maxLength: 5 }),
        fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
        (model, messages, temperature) => {
          const sent = { model, messages, ...(temperature === undefined ? {} : { temperature }) };
          const result = parseChatRequest(JSON.stringify(sent));
          expect(result).toMatchObject({ ok: true, model });
          if (result.ok) expect(JSON.parse(result.body)).toEqual(sent);
        },
      ),
    );
  });

  it('refuses a request without a model or messages, naming the field and never echoing the content', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), (content) => {
        const result = parseChatRequest(JSON.stringify({ messages: [{ role: 'user', content }] }));
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.message).toMatch(/^invalid request: model: /);
          expect(result.message).not.toContain(content);
        }
      }),
    );
    expect(parseChatRequest('{"model":"m","messages":[]}')).toMatchObject({ ok: false });
    expect(parseChatRequest('not json')).toEqual({
      ok: false,
      message: 'the request body is not valid JSON',
    });
  });

  it('accepts exactly what the schema accepts (the hand-checked fast path agrees with zod)', () => {
    const loose = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.boolean(),
      fc.string({ maxLength: 3 }),
      fc.integer(),
      fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }),
    );
    const messages = fc.oneof(
      loose,
      fc.array(fc.oneof(loose, fc.record({ role: loose }, { requiredKeys: [] })), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        fc.oneof(loose, fc.record({ model: loose, messages, stream: loose }, { requiredKeys: [] })),
        (value) => {
          const text = JSON.stringify(value) ?? 'null';
          const json: unknown = JSON.parse(text);
          const expected =
            chatRequestSchema.safeParse(json).success && (json as { stream?: unknown }).stream !== true;
          expect(parseChatRequest(text).ok).toBe(expected);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('refuses streaming, which this gateway does not implement', () => {
    const result = parseChatRequest(
      JSON.stringify({ model: 'm', messages: [{ role: 'user' }], stream: true }),
    );
    expect(result).toEqual({ ok: false, message: 'stream: true is not supported by this gateway' });
  });
});
