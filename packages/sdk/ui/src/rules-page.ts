/** The rules page (`/rules`): every rule group with its interval and last evaluation, and each rule's health. */
import { api } from './api.ts';
import { formatDuration, formatTime, h, labelChips, replace } from './dom.ts';
import { queryLink, type RuleGroupJson, type RuleJson } from './rules-api.ts';

function ruleRow(rule: RuleJson): HTMLElement {
  return h(
    'tr',
    {},
    h(
      'td',
      {},
      h('span', { class: 'muted' }, rule.type === 'alerting' ? 'alert ' : 'record '),
      h('strong', {}, rule.name),
    ),
    h('td', {}, h('a', { href: queryLink(rule.query) }, h('code', {}, rule.query)), labelChips(rule.labels)),
    h(
      'td',
      {},
      h('span', { class: `health ${rule.health}` }, rule.health),
      rule.lastError ? h('div', { class: 'error' }, rule.lastError) : null,
    ),
    h('td', {}, formatTime(rule.lastEvaluation)),
    h('td', {}, formatDuration(rule.evaluationTime)),
  );
}

/** Renders the rules page into `main`. */
export async function renderRulesPage(main: HTMLElement): Promise<void> {
  replace(main, h('h1', {}, 'Rules'), h('p', { class: 'status' }, 'Loading…'));
  const { groups } = await api<{ groups: RuleGroupJson[] }>('rules');
  replace(
    main,
    h('h1', {}, 'Rules'),
    groups.length === 0
      ? h('p', { class: 'empty' }, 'No rule groups: set alerting.ruleFiles in the yardstick config.')
      : null,
    ...groups.map((group) =>
      h(
        'section',
        { class: 'group' },
        h(
          'h2',
          {},
          group.name,
          h(
            'span',
            { class: 'muted' },
            ` ${group.file} · every ${formatDuration(group.interval)} · last ${formatTime(group.lastEvaluation)} (took ${formatDuration(group.evaluationTime)})`,
          ),
        ),
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Rule', 'Expression', 'Health', 'Last evaluation', 'Took'].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h('tbody', {}, ...group.rules.map(ruleRow)),
        ),
      ),
    ),
  );
}
