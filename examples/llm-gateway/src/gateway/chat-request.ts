/**
 * Reads a client's chat request: an OpenAI-style JSON body with a `model` and at least one message. Only
 * the shape is checked; the body is forwarded as the client sent it, so fields this gateway does not know
 * (temperature, tools, ...) reach the backend.
 */
import { z } from 'zod';

/** The shape a chat request must have (fields beyond these are forwarded untouched). */
export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string().min(1) })).min(1),
  stream: z.boolean().optional(),
});

/** A request ready to forward, or why it was refused (always a 400). */
export type ChatRequest =
  | { readonly ok: true; readonly model: string; readonly body: string }
  | { readonly ok: false; readonly message: string };

/**
 * The schema's accepting case, checked by hand: the answer for nearly every request, without zod's
 * allocation of a parsed copy (zod then only words the refusals).
 */
function isPlainChatRequest(json: unknown): json is { model: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const { model, messages, stream } = json as Record<string, unknown>;
  if (typeof model !== 'string' || model.length === 0) return false;
  if (stream !== undefined && stream !== false) return false;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const message of messages) {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
    const { role } = message as Record<string, unknown>;
    if (typeof role !== 'string' || role.length === 0) return false;
  }
  return true;
}

/**
 * Parses the request body text. Never throws: anything that is not a usable chat request is a refusal
 * whose message names the field at fault (and never echoes the client's content).
 */
export function parseChatRequest(text: string): ChatRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'the request body is not valid JSON' };
  }
  if (isPlainChatRequest(json)) return { ok: true, model: json.model, body: text };
  const parsed = chatRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.join('.');
    return { ok: false, message: `invalid request: ${path}: ${issue?.message ?? 'invalid'}` };
  }
  if (parsed.data.stream === true) {
    return { ok: false, message: 'stream: true is not supported by this gateway' };
  }
  // The client's own text goes on: it is valid JSON of the right shape, and re-serialising it cost a stringify.
  return { ok: true, model: parsed.data.model, body: text };
}
