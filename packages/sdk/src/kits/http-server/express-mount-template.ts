/**
 * The template of one express mount (`app.use('/api/:tenant', router)`): what a router layer says about the
 * path it matched, turned back into the path it was declared with, so that `req.baseUrl` (`/api/acme`) has a
 * template (`/api/:tenant`) to go with it.
 *
 * Express does not keep the declared path everywhere. router 2.3+ (express 5) keeps it as `layer.rawPath`;
 * express 4 keeps the compiled regexp, its parameter keys and the path the layer matched last, so the
 * parameter values are found by running the regexp again with match indices (the way Sentry's express
 * integration does); router 2.0-2.2 keeps only the matched path and the parameter names, so its mounts with
 * parameters have no template.
 */

/** The fields of an express router layer read here (express 4's `Layer`, or the `router` package's). */
export interface RouterLayer {
  /** Set on the layer of an `app.get()`/`router.route()` route. */
  readonly route?: unknown;
  /** Set on the handler layers inside a route. */
  readonly method?: unknown;
  /** router 2: a `use()` without a path, which matches everything and leaves `req.baseUrl` alone. */
  readonly slash?: unknown;
  /** router 2.3+: the path given to `use()` (a string, an array or a RegExp). */
  readonly rawPath?: unknown;
  /** express 4: the compiled path. */
  readonly regexp?: unknown;
  /** The parameter keys: `{ name }` objects on express 4, names on router 2.0-2.2. */
  readonly keys?: unknown;
  /** express 4 and router 2.0-2.2: the path the layer matched last. */
  readonly path?: unknown;
}

/** Where a mount sits: the base URL it extends and its own part of the template (`null`: unknown). */
export interface MountTemplate {
  readonly parentBase: string;
  readonly template: string | null;
}

const TRAILING_SLASHES = /\/+$/;
/** path-to-regexp 8 syntax beyond `:name` parameters: groups, wildcards, escapes. */
const PATTERN_SYNTAX = /[{}()[\]*+?!\\]/;

/** express 4 regexps with the `d` flag, compiled once per layer. */
const withIndices = new WeakMap<RegExp, RegExp>();

/**
 * The mount that just set `req.baseUrl` to `base` through `layer`, or `undefined` when the layer is not a
 * mount with a path (a route, a route's handler, a path-less `use()`), so `base` is its parent's.
 */
export function mountTemplate(layer: RouterLayer, base: string): MountTemplate | undefined {
  if (layer.route !== undefined || layer.method !== undefined || layer.slash === true) return undefined;
  if (layer.rawPath !== undefined) return declaredMount(layer.rawPath, base);
  const removed = layer.path;
  if (typeof removed !== 'string' || removed === '') return undefined;
  // express drops one trailing slash of the matched path from the base URL.
  const matched = removed.endsWith('/') ? removed.slice(0, -1) : removed;
  if (!base.endsWith(matched)) return { parentBase: '', template: null };
  const parentBase = base.slice(0, base.length - matched.length);
  const keys = Array.isArray(layer.keys) ? layer.keys : [];
  if (keys.length === 0) return { parentBase, template: matched };
  if (!(layer.regexp instanceof RegExp)) return { parentBase, template: null };
  const template = substituteKeys(layer.regexp, keys, removed);
  return { parentBase, template: template === null ? null : template.replace(TRAILING_SLASHES, '') };
}

/**
 * router 2.3+: the declared path, whose `:name` parameters each match one segment, so the concrete part of
 * `base` is its last as many segments as the template has. An array or a RegExp does not say which
 * alternative matched, nor does a template with groups or wildcards say how many segments it took.
 */
function declaredMount(rawPath: unknown, base: string): MountTemplate | undefined {
  if (typeof rawPath !== 'string') return { parentBase: '', template: null };
  const template = rawPath.replace(TRAILING_SLASHES, '');
  if (template === '') return undefined;
  if (PATTERN_SYNTAX.test(template) || template.charCodeAt(0) !== 47 /* '/' */) {
    return { parentBase: '', template: null };
  }
  let cut = base.length;
  for (let i = 0; i < template.length; i++) {
    if (template.charCodeAt(i) !== 47) continue;
    cut = cut > 0 ? base.lastIndexOf('/', cut - 1) : -1;
    if (cut === -1) return { parentBase: '', template: null };
  }
  return { parentBase: base.slice(0, cut), template };
}

/**
 * express 4: `removed` with every captured parameter replaced by `:name`, from the capture positions of the
 * layer's regexp; `null` when the captures do not line up with the keys.
 */
function substituteKeys(regexp: RegExp, keys: readonly unknown[], removed: string): string | null {
  let indexed = withIndices.get(regexp);
  if (indexed === undefined) {
    indexed = new RegExp(regexp.source, regexp.flags.replace('g', '') + 'd');
    withIndices.set(regexp, indexed);
  }
  const match = indexed.exec(removed);
  if (match?.indices === undefined || match.length - 1 !== keys.length) return null;
  let template = '';
  let last = 0;
  for (let i = 1; i < match.length; i++) {
    const span = match.indices[i];
    if (span === undefined) continue; // an optional parameter that is absent
    const [start, end] = span;
    if (start < last) return null; // a group inside a parameter
    const key = keys[i - 1] as { readonly name?: unknown } | undefined;
    template += removed.slice(last, start) + ':' + String(key?.name);
    last = end;
  }
  return template + removed.slice(last);
}
