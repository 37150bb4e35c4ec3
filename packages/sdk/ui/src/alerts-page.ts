/**
 * The alerts page (`/alerts`): every alerting rule by group with its state, health and last evaluation, and
 * each of its alerts with state, labels, annotations, active-since and whether a suppression window holds
 * it back. Firing rules come first and open.
 */
import { api } from './api.ts';
import { formatDuration, formatTime, h, labelChips, replace } from './dom.ts';
import { type AlertJson, queryLink, type RuleGroupJson, type RuleJson } from './rules-api.ts';

const STATE_ORDER = { firing: 0, pending: 1, inactive: 2 } as const;

function alertRow(alert: AlertJson): HTMLElement {
  const since = Date.parse(alert.activeAt);
  return h(
    'tr',
    { class: `alert-${alert.state}` },
    h(
      'td',
      {},
      h('span', { class: `badge ${alert.state}` }, alert.state),
      alert.suppressed && h('span', { class: 'badge suppressed' }, 'suppressed'),
    ),
    h('td', {}, labelChips(alert.labels)),
    h(
      'td',
      {},
      ...Object.keys(alert.annotations)
        .sort()
        .map((k) => h('div', { class: 'annotation' }, h('strong', {}, `${k}: `), alert.annotations[k] ?? '')),
    ),
    h(
      'td',
      { title: alert.activeAt },
      formatTime(alert.activeAt),
      Number.isNaN(since) ? '' : ` (${formatDuration((Date.now() - since) / 1000)})`,
    ),
    h('td', { class: 'value' }, alert.value),
  );
}

function ruleSection(rule: RuleJson, group: RuleGroupJson): HTMLElement {
  const state = rule.state ?? 'inactive';
  const alerts = rule.alerts ?? [];
  const details = h(
    'details',
    { class: `rule rule-${state}`, open: state !== 'inactive', 'data-rule': rule.name },
    h(
      'summary',
      {},
      h('span', { class: `badge ${state}` }, state),
      h('span', { class: 'rule-name' }, rule.name),
      h('span', { class: 'muted' }, ` ${group.name} · ${alerts.length} active`),
    ),
    h(
      'dl',
      { class: 'rule-facts' },
      h('dt', {}, 'expr'),
      h('dd', {}, h('a', { href: queryLink(rule.query) }, h('code', {}, rule.query))),
      rule.duration ? h('dt', {}, 'for') : null,
      rule.duration ? h('dd', {}, formatDuration(rule.duration)) : null,
      rule.keepFiringFor ? h('dt', {}, 'keep_firing_for') : null,
      rule.keepFiringFor ? h('dd', {}, formatDuration(rule.keepFiringFor)) : null,
      Object.keys(rule.labels).length ? h('dt', {}, 'labels') : null,
      Object.keys(rule.labels).length ? h('dd', {}, labelChips(rule.labels)) : null,
      rule.suppressionSchedule ? h('dt', {}, 'suppressed during') : null,
      rule.suppressionSchedule ? h('dd', {}, h('code', {}, rule.suppressionSchedule)) : null,
      h('dt', {}, 'health'),
      h(
        'dd',
        {},
        h('span', { class: `health ${rule.health}` }, rule.health),
        rule.lastError ? ` ${rule.lastError}` : '',
      ),
      h('dt', {}, 'last evaluation'),
      h('dd', {}, formatTime(rule.lastEvaluation), ` (took ${formatDuration(rule.evaluationTime)})`),
    ),
    alerts.length === 0
      ? null
      : h(
          'table',
          { class: 'alerts-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['State', 'Labels', 'Annotations', 'Active since', 'Value'].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h('tbody', {}, ...alerts.map(alertRow)),
        ),
  );
  return details;
}

/** Renders the alerts page into `main`. */
export async function renderAlertsPage(main: HTMLElement): Promise<void> {
  replace(main, h('h1', {}, 'Alerts'), h('p', { class: 'status' }, 'Loading…'));
  const { groups } = await api<{ groups: RuleGroupJson[] }>('rules', { type: 'alert' });
  const rules = groups.flatMap((group) => group.rules.map((rule) => ({ rule, group })));
  const counts = { firing: 0, pending: 0, inactive: 0 };
  for (const { rule } of rules) counts[rule.state ?? 'inactive']++;
  rules.sort((a, b) => STATE_ORDER[a.rule.state ?? 'inactive'] - STATE_ORDER[b.rule.state ?? 'inactive']);
  const sections = rules.map(({ rule, group }) => ruleSection(rule, group));
  // A state's button shows or hides its rules, as the filters of Prometheus's alerts page.
  const toggle = (state: keyof typeof counts) => {
    const button = h(
      'button',
      { type: 'button', class: `badge ${state}`, 'aria-pressed': 'true' },
      `${state} (${counts[state]})`,
    );
    button.addEventListener('click', () => {
      const shown = button.getAttribute('aria-pressed') !== 'true';
      button.setAttribute('aria-pressed', String(shown));
      for (const section of sections)
        if (section.classList.contains(`rule-${state}`)) section.hidden = !shown;
    });
    return button;
  };
  replace(
    main,
    h('h1', {}, 'Alerts'),
    h(
      'p',
      { class: 'summary', 'data-testid': 'alert-counts', role: 'group', 'aria-label': 'Show rules by state' },
      toggle('firing'),
      toggle('pending'),
      toggle('inactive'),
    ),
    rules.length === 0
      ? h('p', { class: 'empty' }, 'No alerting rules: set alerting.ruleFiles in the yardstick config.')
      : h('div', { class: 'rules' }, ...sections),
  );
}
