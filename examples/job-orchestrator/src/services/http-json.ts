/**
 * JSON over `node:http` for the services' small APIs: answers, and request bodies read within a size limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers `status` with `body` as JSON. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Answers a JSON error in the form the proxy uses too: `{"status":"error","errorType":...,"error":...}`. */
export function sendError(res: ServerResponse, status: number, errorType: string, error: string): void {
  sendJson(res, status, { status: 'error', errorType, error });
}

/** Why a body was refused: too large or no JSON. */
export class BodyError extends Error {
  readonly status: 400 | 413 | 415;
  constructor(status: 400 | 413 | 415, message: string) {
    super(message);
    this.status = status;
  }
}

/** Reads a JSON request body of at most `maxBytes`; rejects with a {@link BodyError}. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json(;|$)/i.test(type)) {
    throw new BodyError(415, 'the body must be JSON (content-type: application/json)');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyError(413, `the body is larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BodyError(400, 'the body is no valid JSON');
  }
}
