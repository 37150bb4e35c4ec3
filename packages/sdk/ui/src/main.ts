/**
 * The web UI's entry: picks the page by path (the server answers every page path with the same document),
 * marks the current page in the navigation and renders it. Page changes are plain links.
 */
import 'uplot/dist/uPlot.min.css';
import './app.css';
import { renderAlertsPage } from './alerts-page.ts';
import { ApiCallError } from './api.ts';
import { renderDashboardsPage } from './dashboards-page.ts';
import { h, replace } from './dom.ts';
import { renderQueryPage } from './query-page.ts';
import { renderRulesPage } from './rules-page.ts';
import { renderStatusPage } from './status-page.ts';

const PAGES: Record<string, (main: HTMLElement) => void | Promise<void>> = {
  '/': renderQueryPage,
  '/graph': renderQueryPage,
  '/alerts': renderAlertsPage,
  '/rules': renderRulesPage,
  '/dashboards': renderDashboardsPage,
  '/status': renderStatusPage,
};

const main = document.getElementById('page')!;
const path = location.pathname.replace(/\/+$/, '') || '/';
const current = path === '/' ? '/graph' : path;
for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a'))
  if (link.getAttribute('href') === current) link.setAttribute('aria-current', 'page');
const render = PAGES[path] ?? renderQueryPage;
Promise.resolve(render(main)).catch((error: unknown) => {
  const message = error instanceof ApiCallError ? `${error.errorType}: ${error.message}` : String(error);
  replace(main, h('div', { class: 'error', role: 'alert' }, `This page could not load: ${message}`));
});
