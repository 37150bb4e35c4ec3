import express5 from 'express';
import express4 from 'express4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mountTemplate, type RouterLayer } from './express-mount-template.ts';

/** The part of express the test uses, which express 4 and 5 share but type apart. */
interface ExpressLike {
  Router(): {
    use(path: string | RegExp, handler: Middleware): unknown;
    use(handler: Middleware): unknown;
    get(path: string, handler: Middleware): unknown;
    readonly stack: unknown[];
  };
}
type Middleware = (req: unknown, res: unknown, next: () => void) => void;
type MatchingLayer = RouterLayer & { match(path: string): unknown };

const pass: Middleware = (_req, _res, next) => next();

/** A layer as express builds it for `router.use(path, fn)`, after it matched `path` (express 4 stores that). */
function mountedLayer(express: ExpressLike, template: string | RegExp, path: string): RouterLayer {
  const router = express.Router();
  router.use(template, pass);
  const layer = router.stack[0] as MatchingLayer;
  expect(layer.match(path)).toBeTruthy();
  return layer as RouterLayer;
}

const literal = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/);
const paramName = fc.stringMatching(/^[a-z][A-Za-z0-9]{0,7}$/);
const value = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
/** A mount path of literal and `:param` segments, with a concrete path that matches it. */
const mount = fc
  .array(
    fc.oneof(
      literal.map((text) => ({ text })),
      fc.tuple(paramName, value),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .filter((segments) => {
    const names = segments.flatMap((s) => (Array.isArray(s) ? [s[0]] : []));
    return new Set(names).size === names.length;
  })
  .map((segments) => ({
    template: segments.map((s) => '/' + (Array.isArray(s) ? ':' + s[0] : s.text)).join(''),
    path: segments.map((s) => '/' + (Array.isArray(s) ? s[1] : s.text)).join(''),
  }));
const parent = fc.constantFrom('', '/api', '/api/acme');

describe.each([
  ['express 4', express4 as unknown as ExpressLike],
  ['express 5', express5 as unknown as ExpressLike],
])('mountTemplate with %s layers', (_name, express) => {
  it('gives back the declared mount path and the base it extends, whatever the parameter values', () => {
    fc.assert(
      fc.property(mount, parent, ({ template, path }, parentBase) => {
        const layer = mountedLayer(express, template, path);
        expect(mountTemplate(layer, parentBase + path)).toEqual({ parentBase, template });
      }),
    );
  });

  it('drops a trailing slash the way express drops it from req.baseUrl', () => {
    const layer = mountedLayer(express, '/t/:tenant/', '/t/acme/');
    expect(mountTemplate(layer, '/t/acme')).toEqual({ parentBase: '', template: '/t/:tenant' });
  });

  it('leaves path-less middleware, routes and route handlers alone', () => {
    const router = express.Router();
    router.use(pass);
    router.get('/users/:id', pass);
    const [middleware, route] = router.stack as MatchingLayer[];
    middleware!.match('/users/1');
    route!.match('/users/1');
    expect(mountTemplate(middleware!, '/api')).toBeUndefined();
    expect(mountTemplate(route!, '/api')).toBeUndefined();
  });
});

describe('mountTemplate', () => {
  it('has no template for a RegExp mount of express 5, rather than its concrete path', () => {
    const layer = mountedLayer(express5 as unknown as ExpressLike, /^\/t\/(\w+)/, '/t/acme');
    expect(mountTemplate(layer, '/t/acme')).toEqual({ parentBase: '', template: null });
  });

  it('has no template when a router 2.0-2.2 layer (matched path and parameter names only) has parameters', () => {
    const layer: RouterLayer = { path: '/t/acme', keys: ['tenant'] };
    expect(mountTemplate(layer, '/t/acme')).toEqual({ parentBase: '', template: null });
    expect(mountTemplate({ path: '/static', keys: [] }, '/x/static')).toEqual({
      parentBase: '/x',
      template: '/static',
    });
  });
});
