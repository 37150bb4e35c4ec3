/**
 * The dashboards page (`/dashboards`): the built-in dashboards and the service's own (`telemetry.addDashboard`)
 * rendered natively, with their variables, a time range and auto-refresh. The state lives in the URL as Grafana writes it (`?uid=…&var-job=…&from=now-1h
 * &refresh=30s`), so a view can be shared.
 */
import { ApiCallError } from './api.ts';
import {
  BUILT_IN_DASHBOARDS,
  type Dashboard,
  dashboardsOf,
  fetchRunTimeDashboards,
  type Panel,
} from './dashboard-config.ts';
import { interpolate, MATCH_NOTHING, variableOptions, variableText } from './dashboard-variables.ts';
import { h, replace } from './dom.ts';
import { type PanelBody, ROW_PIXELS, renderPanelBody } from './panel-views.ts';
import { autoStepSeconds, parseDurationSeconds } from './query-url.ts';

const RANGES = ['5m', '15m', '1h', '3h', '6h', '12h', '24h'];
const REFRESHES = ['off', '5s', '10s', '30s', '1m', '5m'];
/** What a variable's "All" option is called in the select and the URL, as in Grafana. */
const ALL = '$__all';

function select(
  id: string,
  label: string,
  options: readonly string[],
  selected: readonly string[],
  multi = false,
) {
  return h(
    'label',
    { class: 'field' },
    label,
    h(
      'select',
      { id, multiple: multi, size: multi ? Math.min(4, options.length) : undefined },
      ...options.map((o) => h('option', { value: o, selected: selected.includes(o) }, o === ALL ? 'All' : o)),
    ),
  );
}

function selectedOf(element: HTMLSelectElement): string[] {
  return [...element.selectedOptions].map((o) => o.value);
}

function errorText(error: unknown): string {
  return error instanceof ApiCallError ? `${error.errorType}: ${error.message}` : String(error);
}

/** Renders one dashboard and keeps it refreshed at its interval. */
function showDashboard(main: HTMLElement, dashboard: Dashboard, others: readonly Dashboard[]): void {
  const params = new URLSearchParams(location.search);
  const fromDefault = dashboard.time.from.replace(/^now-/, '');
  let range = params.get('from')?.replace(/^now-/, '') ?? fromDefault;
  let refresh = params.get('refresh') ?? dashboard.refresh;
  const chosen = new Map<string, string[]>(
    dashboard.variables.map((v) => [v.name, params.getAll(`var-${v.name}`)]),
  );
  const options = new Map<string, string[]>();
  let bodies: PanelBody[] = [];
  let timer: ReturnType<typeof setInterval> | undefined;

  const controls = h('div', { class: 'controls dashboard-controls' });
  const grid = h('div', { class: 'panel-grid' });
  /** Variables whose values could not be read, as of the last load. */
  const notices = h('div', { class: 'notices' });
  replace(
    main,
    h(
      'div',
      { class: 'dashboard-head' },
      h('h1', {}, dashboard.title),
      others.length > 1
        ? h(
            'nav',
            { class: 'dashboard-list', 'aria-label': 'Dashboards' },
            ...others.map((d) => h('a', { href: `/dashboards?uid=${encodeURIComponent(d.uid)}` }, d.title)),
          )
        : null,
    ),
    dashboard.description ? h('p', { class: 'muted' }, dashboard.description) : null,
    controls,
    notices,
    grid,
  );

  function writeUrl(): void {
    const next = new URLSearchParams({ uid: dashboard.uid, from: `now-${range}`, refresh });
    for (const [name, values] of chosen) for (const v of values) next.append(`var-${name}`, v);
    history.replaceState(null, '', `/dashboards?${next.toString()}`);
  }

  function drawControls(): void {
    const fields = dashboard.variables.map((v) =>
      select(
        `var-${v.name}`,
        v.label,
        [...(v.includeAll ? [ALL] : []), ...(options.get(v.name) ?? [])],
        chosen.get(v.name) ?? [],
        v.multi,
      ),
    );
    replace(
      controls,
      ...fields,
      select('range', 'Range', RANGES.includes(range) ? RANGES : [range, ...RANGES], [range]),
      select('refresh', 'Refresh', REFRESHES.includes(refresh) ? REFRESHES : [refresh, ...REFRESHES], [
        refresh,
      ]),
    );
    for (const v of dashboard.variables) {
      controls.querySelector<HTMLSelectElement>(`#var-${v.name}`)!.addEventListener('change', (event) => {
        chosen.set(v.name, selectedOf(event.target as HTMLSelectElement));
        void draw();
      });
    }
    controls.querySelector<HTMLSelectElement>('#range')!.addEventListener('change', (event) => {
      range = (event.target as HTMLSelectElement).value;
      void load();
    });
    controls.querySelector<HTMLSelectElement>('#refresh')!.addEventListener('change', (event) => {
      refresh = (event.target as HTMLSelectElement).value;
      schedule();
      writeUrl();
    });
  }

  function schedule(): void {
    if (timer !== undefined) clearInterval(timer);
    const seconds = refresh === 'off' ? undefined : parseDurationSeconds(refresh);
    // A variable with no values yet (a young service) is read again on each refresh, so its panels fill in.
    const refreshOnce = () =>
      void (dashboard.variables.some((v) => !options.get(v.name)?.length) ? load() : draw());
    timer = seconds === undefined ? undefined : setInterval(refreshOnce, Math.max(seconds, 5) * 1000);
  }

  /** Reads the variables' values for the range, keeps valid choices (else the first value, or All). */
  async function load(): Promise<void> {
    const seconds = parseDurationSeconds(range) ?? 6 * 3600;
    const end = Date.now() / 1000;
    const failures: HTMLElement[] = [];
    for (const v of dashboard.variables) {
      let values: string[] = [];
      try {
        values = await variableOptions(v, end - seconds, end);
      } catch (error) {
        failures.push(h('div', { class: 'error', role: 'alert' }, errorText(error)));
      }
      options.set(v.name, values);
      const kept = (chosen.get(v.name) ?? []).filter((c) => c === ALL || values.includes(c));
      chosen.set(v.name, kept.length > 0 ? kept : v.includeAll ? [ALL] : values.slice(0, 1));
    }
    replace(notices, ...failures);
    drawControls();
    await draw();
  }

  let generation = 0;
  async function draw(): Promise<void> {
    const mine = ++generation;
    writeUrl();
    const seconds = parseDurationSeconds(range) ?? 6 * 3600;
    const end = Math.floor(Date.now() / 1000);
    const step = autoStepSeconds(seconds);
    // Steps counted back from now, so the newest point is now, even on a service younger than one step.
    const start = end - Math.ceil(seconds / step) * step;
    const values = new Map<string, string>();
    for (const v of dashboard.variables) {
      const selected = chosen.get(v.name) ?? [];
      const all = selected.includes(ALL) ? (options.get(v.name) ?? []) : selected;
      values.set(v.name, all.length === 0 ? MATCH_NOTHING : variableText(all));
    }
    const sections = dashboard.panels.map((panel) => panelSection(panel));
    const drawn = await Promise.all(
      dashboard.panels.map(async (panel, i) => {
        const body = sections[i]!.querySelector<HTMLElement>('.panel-body')!;
        const width = Math.round((grid.clientWidth * panel.width) / 24) - 24;
        const exprs = panel.queries.map((q) => interpolate(q.expr, values, { seconds, step }));
        try {
          return { body, drawn: await renderPanelBody(panel, { start, end, step, width, exprs }) };
        } catch (error) {
          return { body, drawn: { element: h('div', { class: 'error' }, errorText(error)), destroy() {} } };
        }
      }),
    );
    if (mine !== generation) {
      for (const d of drawn) d.drawn.destroy();
      return;
    }
    for (const b of bodies) b.destroy();
    bodies = drawn.map((d) => d.drawn);
    for (const d of drawn) replace(d.body, d.drawn.element);
    replace(grid, ...sections);
  }

  drawControls();
  schedule();
  void load();
}

function panelSection(panel: Panel): HTMLElement {
  return h(
    'section',
    {
      class: `panel panel-${panel.type}`,
      style: `grid-column: span ${panel.width}; min-height: ${panel.height * ROW_PIXELS}px`,
      'aria-label': panel.title,
    },
    h('h2', { title: panel.description }, panel.title),
    h('div', { class: 'panel-body' }, h('p', { class: 'status' }, 'Loading…')),
  );
}

/** Renders the dashboards page into `main`: the built-in dashboards, then the service's own. */
export async function renderDashboardsPage(main: HTMLElement): Promise<void> {
  let runTime: unknown[] = [];
  let failure: string | undefined;
  try {
    runTime = await fetchRunTimeDashboards();
  } catch (error) {
    // The built-in dashboards still work; say why the service's own are missing.
    failure = `The service's dashboards could not load: ${errorText(error)}`;
  }
  const dashboards = dashboardsOf([...BUILT_IN_DASHBOARDS, ...runTime]);
  if (dashboards.length === 0) {
    replace(
      main,
      h('h1', {}, 'Dashboards'),
      h('p', { class: 'empty' }, 'No dashboards: build some in or add them with telemetry.addDashboard().'),
      ...(failure === undefined ? [] : [h('div', { class: 'error', role: 'alert' }, failure)]),
    );
    return;
  }
  const uid = new URLSearchParams(location.search).get('uid');
  showDashboard(main, dashboards.find((d) => d.uid === uid) ?? dashboards[0]!, dashboards);
  // showDashboard only redraws inside its own sections, so the notice stays above them.
  if (failure !== undefined) main.prepend(h('div', { class: 'error', role: 'alert' }, failure));
}
