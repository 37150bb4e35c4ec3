import type { Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OrderedSeries, SeriesOrder } from './series-order.ts';

function run(generator: Generator<'', OrderedSeries, undefined>): { result: OrderedSeries; pauses: number } {
  let pauses = 0;
  for (;;) {
    const step = generator.next();
    if (step.done) return { result: step.value, pauses };
    pauses++;
  }
}

const render = (attributes: Attributes, scope = '') =>
  scope === '' ? `route="${String(attributes.route)}"` : `route="${String(attributes.route)}",${scope}`;

function routes(result: OrderedSeries): string[] {
  return result.order.map((index) => result.keys[index] as string);
}

describe('SeriesOrder', () => {
  it('orders series by their label string, scope labels included', () => {
    const attributes = [{ route: 'b' }, { route: 'a' }, { route: 'a' }];
    const { result } = run(
      new SeriesOrder().resolve('k', attributes, ['scope="2"', 'scope="2"', 'scope="1"'], render),
    );
    expect(result.order).toEqual([2, 1, 0]);
  });

  it('reuses the previous order when the same series come back', () => {
    const order = new SeriesOrder();
    const attributes = [{ route: 'b' }, { route: 'a' }];
    const first = run(order.resolve('k', attributes, ['', ''], render)).result;
    let renders = 0;
    const counting = (a: Attributes, scope: string) => {
      renders++;
      return render(a, scope);
    };
    const second = run(order.resolve('k', [...attributes], ['', ''], counting)).result;
    expect(second).toBe(first);
    expect(renders).toBe(0);
  });

  it('merges appended series into the kept order, labelling only the new ones', () => {
    const order = new SeriesOrder();
    const old = [{ route: 'm' }, { route: 'c' }, { route: 'x' }];
    run(order.resolve('k', old, ['', '', ''], render));
    let renders = 0;
    const counting = (a: Attributes, scope: string) => {
      renders++;
      return render(a, scope);
    };
    const grown = [...old, { route: 'a' }, { route: 'n' }];
    const { result } = run(order.resolve('k', grown, ['', '', '', '', ''], counting));
    expect(routes(result)).toEqual(['route="a"', 'route="c"', 'route="m"', 'route="n"', 'route="x"']);
    expect(renders).toBe(2);
  });

  it('sorts from scratch when earlier series are replaced by new attribute objects', () => {
    const order = new SeriesOrder();
    run(order.resolve('k', [{ route: 'b' }, { route: 'a' }], ['', ''], render));
    const { result } = run(order.resolve('k', [{ route: 'z' }, { route: 'a' }], ['', ''], render));
    expect(routes(result)).toEqual(['route="a"', 'route="z"']);
  });

  it('pauses while labelling and sorting a large family, and still sorts it correctly', () => {
    const attributes = Array.from({ length: 20_000 }, (_, i) => ({ route: String((i * 7919) % 20_000) }));
    const { result, pauses } = run(
      new SeriesOrder().resolve('k', attributes, new Array(20_000).fill(''), render),
    );
    expect(pauses).toBeGreaterThan(3);
    const sorted = routes(result);
    expect(sorted).toEqual([...sorted].sort());
    expect(new Set(result.order).size).toBe(20_000);
  });

  it('gives the same order as a plain sort for any sequence of appends (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string(), { maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        (batches) => {
          const order = new SeriesOrder();
          const attributes: Attributes[] = [];
          for (const batch of batches) {
            attributes.push(...batch.map((route) => ({ route })));
            const { result } = run(
              order.resolve(
                'k',
                [...attributes],
                attributes.map(() => ''),
                render,
              ),
            );
            const expected = attributes.map((a) => render(a)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
            expect(routes(result)).toEqual(expected);
          }
        },
      ),
    );
  });

  it('forgets families that are no longer scraped', () => {
    const order = new SeriesOrder();
    const attributes = [{ route: 'a' }];
    const first = run(order.resolve('gone', attributes, [''], render)).result;
    order.retainOnly(new Set(['other']));
    expect(run(order.resolve('gone', attributes, [''], render)).result).not.toBe(first);
  });
});
