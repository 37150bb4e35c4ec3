/**
 * Debian's Chromium under playwright-core for the web UI's tests: the system executable (nothing downloaded),
 * and a list of what a page reports as wrong (console errors, uncaught exceptions, failed requests).
 */
import { type Browser, chromium, type Page } from 'playwright-core';

/** Starts headless Chromium from `executablePath` (see `peer('chromium')`). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    // Runs as root in CI containers, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 30_000,
  });
}

/** Collects into `errors` every console error, page exception and HTTP error answer of `page`. */
export function collectPageErrors(page: Page, errors: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
}
