import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChatRequest } from './chat-request.ts';

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

  it('refuses streaming, which this gateway does not implement', () => {
    const result = parseChatRequest(
      JSON.stringify({ model: 'm', messages: [{ role: 'user' }], stream: true }),
    );
    expect(result).toEqual({ ok: false, message: 'stream: true is not supported by this gateway' });
  });
});
