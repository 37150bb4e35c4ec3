/**
 * The query page (`/` and `/graph`): the PromQL editor, a table of the instant result and a graph of the
 * range result, with range, end and resolution controls. The state lives in the URL as Prometheus writes
 * it, so reloading, sharing or following an alert's `generatorURL` opens the same view.
 */
import { closeCompletion } from '@codemirror/autocomplete';
import { ApiCallError, instantQuery, rangeQuery } from './api.ts';
import { h, replace } from './dom.ts';
import { createGraphView, type GraphView } from './graph-view.ts';
import { createPromqlEditor } from './promql-editor.ts';
import {
  autoStepSeconds,
  parseDurationSeconds,
  parseEndSeconds,
  type QueryState,
  type QueryTab,
  readQueryState,
  writeQueryState,
} from './query-url.ts';
import { createTableView } from './table-view.ts';

/** Renders the query page into `main`. */
export function renderQueryPage(main: HTMLElement): void {
  let state = readQueryState(location.search);
  let graph: GraphView | undefined;

  const rangeInput = h('input', { id: 'range', value: state.range, size: 6, 'aria-label': 'Range' });
  const endInput = h('input', {
    id: 'end',
    value: state.end,
    placeholder: 'now',
    size: 20,
    'aria-label': 'End time (empty for now)',
  });
  const stepInput = h('input', {
    id: 'step',
    value: state.step,
    placeholder: 'auto',
    size: 6,
    'aria-label': 'Resolution in seconds (empty for automatic)',
  });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const output = h('div', { class: 'output' });
  const tabButton = (tab: QueryTab, label: string) =>
    h('button', { type: 'button', role: 'tab', id: `tab-${tab}`, onclick: () => selectTab(tab) }, label);
  const tabs = { table: tabButton('table', 'Table'), graph: tabButton('graph', 'Graph') };
  const editorHolder = h('div', { class: 'editor' });
  const runButton = h('button', { type: 'button', class: 'primary', onclick: () => run() }, 'Execute');

  replace(
    main,
    h('h1', { class: 'visually-hidden' }, 'Query'),
    h('div', { class: 'query-bar' }, editorHolder, runButton),
    h('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Result view' }, tabs.table, tabs.graph),
    h(
      'div',
      { class: 'controls' },
      h('label', { for: 'range' }, 'Range'),
      rangeInput,
      h('label', { for: 'end' }, 'End'),
      endInput,
      h('label', { for: 'step' }, 'Resolution (s)'),
      stepInput,
    ),
    status,
    output,
  );
  const editor = createPromqlEditor(editorHolder, state.expr, () => run());
  for (const input of [rangeInput, endInput, stepInput])
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') run();
    });

  function selectTab(tab: QueryTab): void {
    state = { ...state, tab };
    showTab();
    if (editor.text().trim() !== '') void run();
  }
  function showTab(): void {
    for (const [tab, button] of Object.entries(tabs))
      button.setAttribute('aria-selected', String(tab === state.tab));
    rangeInput.disabled = state.tab === 'table';
    stepInput.disabled = state.tab === 'table';
  }

  function fail(message: string): void {
    status.textContent = '';
    graph?.destroy();
    graph = undefined;
    replace(output, h('div', { class: 'error', role: 'alert' }, message));
  }

  let generation = 0;
  async function run(): Promise<void> {
    const next: QueryState = {
      ...state,
      expr: editor.text().trim(),
      range: rangeInput.value.trim(),
      end: endInput.value.trim(),
      step: stepInput.value.trim(),
    };
    state = next;
    closeCompletion(editor.view);
    if (next.expr === '') {
      fail('Enter an expression.');
      return;
    }
    history.replaceState(null, '', `${location.pathname}${writeQueryState(next)}`);
    const end = parseEndSeconds(next.end, Date.now());
    if (end === undefined) return fail(`End "${next.end}" is not a date and time (e.g. 2026-01-31 12:00).`);
    const mine = ++generation;
    const started = performance.now();
    status.textContent = 'Running…';
    try {
      if (next.tab === 'table') {
        const data = await instantQuery(next.expr, end);
        if (mine !== generation) return;
        graph?.destroy();
        graph = undefined;
        replace(output, createTableView(data));
      } else {
        const rangeSeconds = parseDurationSeconds(next.range);
        if (rangeSeconds === undefined)
          return fail(`Range "${next.range}" is not a duration (e.g. 1h, 30m).`);
        const step = next.step === '' ? autoStepSeconds(rangeSeconds) : Number(next.step);
        if (!(step > 0)) return fail(`Resolution "${next.step}" is not a positive number of seconds.`);
        // Steps counted back from the end, so the newest point is the end itself, as Prometheus's graph has it.
        const start = end - Math.ceil(rangeSeconds / step) * step;
        const data = await rangeQuery(next.expr, start, end, step);
        if (mine !== generation) return;
        if (data.resultType !== 'matrix')
          return fail(`The graph needs a range result, not ${data.resultType}.`);
        graph?.destroy();
        graph = createGraphView(data.result, { start, end, step }, output.clientWidth);
        replace(output, graph.element);
      }
      status.textContent = `Load time: ${Math.round(performance.now() - started)} ms`;
    } catch (error) {
      if (mine !== generation) return;
      fail(error instanceof ApiCallError ? `${error.errorType}: ${error.message}` : String(error));
    }
  }

  showTab();
  if (state.expr !== '') void run();
  else editor.view.focus();
}
