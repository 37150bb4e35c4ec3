/**
 * HTTP basic auth with a timing-safe comparison: the check takes the same time whether the user name,
 * the password, both or neither are wrong, so a client cannot learn either by timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Credentials a scraper must present. */
export interface BasicAuthCredentials {
  readonly username: string;
  readonly password: string;
}

function digest(value: string): Buffer {
  // Hashing first gives equal-length buffers, which timingSafeEqual requires, without leaking the length.
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Returns a check for an `Authorization` header value against fixed credentials. */
export function createBasicAuthCheck(
  credentials: BasicAuthCredentials,
): (header: string | undefined) => boolean {
  const expectedUser = digest(credentials.username);
  const expectedPassword = digest(credentials.password);
  return (header) => {
    let user = '';
    let password = '';
    let wellFormed = false;
    if (header !== undefined && /^basic\s+/i.test(header)) {
      const decoded = Buffer.from(header.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        user = decoded.slice(0, colon);
        password = decoded.slice(colon + 1);
        wellFormed = true;
      }
    }
    // Both comparisons always run (no short-circuit) so timing does not tell which part was wrong.
    const userOk = timingSafeEqual(digest(user), expectedUser);
    const passwordOk = timingSafeEqual(digest(password), expectedPassword);
    return wellFormed && userOk && passwordOk;
  };
}
