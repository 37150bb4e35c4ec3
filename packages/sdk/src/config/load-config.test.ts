import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { YardstickError } from '../errors.ts';
import { writeSelfSignedCert } from '../server/testing/self-signed-cert.ts';
import { ConfigError } from './config-error.ts';
import { type LoadConfigOptions, loadConfig } from './load-config.ts';
import { yardstickConfigSchema } from './schema.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'yardstick-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The ConfigError `loadConfig` throws for `options` (with no environment unless given). */
function loadError(options: LoadConfigOptions): ConfigError {
  try {
    loadConfig({ env: {}, cwd: dir, ...options });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

/** The problem lines of a ConfigError message, without its heading. */
function lines(error: ConfigError): string[] {
  return error.message.split('\n').slice(1);
}

describe('loadConfig sources and precedence', () => {
  it('returns the schema defaults when there is no file, environment or code', () => {
    expect(loadConfig({ env: {}, cwd: dir })).toEqual(yardstickConfigSchema.parse({}));
  });

  it('layers defaults < file < environment < code, merging objects key by key', () => {
    write(
      'yardstick.config.yaml',
      'serviceName: from-file\nserver:\n  host: 0.0.0.0\n  port: 1111\n  metricsPath: /file-metrics\n',
    );
    const config = loadConfig({
      cwd: dir,
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: '2222', YARDSTICK_METRICS_PATH: '/env-metrics' },
      code: { server: { port: 3333 } },
    });
    expect(config.serviceName).toBe('from-file');
    expect(config.server).toMatchObject({
      host: '0.0.0.0',
      port: 3333,
      metricsPath: '/env-metrics',
      gzip: true,
    });
  });

  it('replaces lists whole instead of concatenating them', () => {
    write('yardstick.config.yaml', 'histogramBuckets: [1, 2, 3]\n');
    const config = loadConfig({ cwd: dir, env: { YARDSTICK_HISTOGRAM_BUCKETS: '0.5, 5' } });
    expect(config.histogramBuckets).toEqual([0.5, 5]);
  });

  it('finds yardstick.config.yml and yardstick.config.json in the working directory', () => {
    write('yardstick.config.yml', 'serviceName: yml\n');
    expect(loadConfig({ env: {}, cwd: dir }).serviceName).toBe('yml');
    rmSync(join(dir, 'yardstick.config.yml'));
    write('yardstick.config.json', '{ "serviceName": "json" }\n');
    expect(loadConfig({ env: {}, cwd: dir }).serviceName).toBe('json');
  });

  it('prefers the explicit file over YARDSTICK_CONFIG over the working directory, and file: false reads none', () => {
    write('yardstick.config.yaml', 'serviceName: discovered\n');
    write('from-env.yaml', 'serviceName: from-env\n');
    write('explicit.json', '{"serviceName": "explicit"}');
    const env = { YARDSTICK_CONFIG: 'from-env.yaml' };
    expect(loadConfig({ env, cwd: dir }).serviceName).toBe('from-env');
    expect(loadConfig({ env, cwd: dir, file: 'explicit.json' }).serviceName).toBe('explicit');
    expect(loadConfig({ env, cwd: dir, file: false }).serviceName).toBeUndefined();
  });

  it('refuses to guess between several config files in the working directory', () => {
    write('yardstick.config.yaml', '{}');
    write('yardstick.config.json', '{}');
    const error = loadError({});
    expect(error.code).toBe('CONFIG_FILE');
    expect(error.message).toContain('yardstick.config.yaml, yardstick.config.json');
  });

  it('ignores undefined values in code instead of letting them erase file settings', () => {
    write('yardstick.config.yaml', 'serviceName: kept\n');
    expect(loadConfig({ env: {}, cwd: dir, code: { serviceName: undefined } }).serviceName).toBe('kept');
  });
});

describe('loadConfig errors', () => {
  it('is a YardstickError with code CONFIG_INVALID and the ZodError as cause', () => {
    const error = loadError({ code: { server: { port: -1 } } });
    expect(error).toBeInstanceOf(YardstickError);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.cause).toBeInstanceOf(ZodError);
    expect(lines(error)).toEqual(['server.port: Too small: expected number to be >=0']);
  });

  it('lists every problem of a YAML file as file:line:col: path: message', () => {
    write(
      'yardstick.config.yaml',
      [
        'server:',
        '  port: 99999',
        '  prot: 1',
        '  allowedCidrs:',
        '    - 10.0.0.0/8',
        '    - not-a-cidr',
        'histogramBuckets: [1, 5, 2]',
        'cardinality:',
        '  defaultLimit: 50',
        'unknownTop: true',
        'Server: {}',
        '',
      ].join('\n'),
    );
    const error = loadError({});
    expect(error.code).toBe('CONFIG_INVALID');
    expect(lines(error)).toEqual([
      'yardstick.config.yaml:2:9: server.port: Too big: expected number to be <=65535',
      'yardstick.config.yaml:6:7: server.allowedCidrs[1]: "not-a-cidr" is not a CIDR: "not-a-cidr" is not an IP address',
      'yardstick.config.yaml:3:3: server: unknown key "prot" (did you mean "port"?)',
      'yardstick.config.yaml:7:26: histogramBuckets[2]: buckets must be strictly ascending: 2 does not exceed 5',
      'yardstick.config.yaml:9:17: cardinality.defaultLimit: Too small: expected number to be >=100',
      'yardstick.config.yaml:10:1: unknown key "unknownTop" (allowed: enabled, serviceName, serviceVersion, resourceAttributes, server, collectIntervalMs, histogramBuckets, metrics, cardinality, redaction, pathTemplating, otlp, console, store, remoteWrite, query, alerting, cluster, registerGlobal)',
      'yardstick.config.yaml:11:1: unknown key "Server" (did you mean "server"?)',
    ]);
    expect(error.problems[0]!.source).toEqual({
      kind: 'file',
      file: 'yardstick.config.yaml',
      line: 2,
      column: 9,
    });
  });

  it('gives JSON files line and column positions too', () => {
    write(
      'yardstick.config.json',
      '{\n  "server": {\n    "port": "9464"\n  },\n  "otlp": { "protocol": "quic" }\n}\n',
    );
    expect(lines(loadError({}))).toEqual([
      'yardstick.config.json:3:13: server.port: Invalid input: expected number, received string',
      'yardstick.config.json:5:25: otlp.protocol: Invalid option: expected one of "http/protobuf"|"http/json"|"grpc"',
    ]);
  });

  it('points a missing half of auth at the object that holds the other half', () => {
    write('yardstick.config.yaml', 'server:\n  auth:\n    username: scraper\n');
    expect(lines(loadError({}))).toEqual([
      'yardstick.config.yaml:2:3: server.auth.password: is required when server.auth.username is set (set both or neither; env YARDSTICK_AUTH_PASSWORD)',
    ]);
  });

  it('accepts auth split between the file and the environment', () => {
    write('yardstick.config.yaml', 'server:\n  auth:\n    username: scraper\n');
    const config = loadConfig({ cwd: dir, env: { YARDSTICK_AUTH_PASSWORD: 'correct horse' } });
    expect(config.server.auth).toEqual({ username: 'scraper', password: 'correct horse' });
  });

  it('reports a YAML syntax error with its line as CONFIG_FILE', () => {
    write('yardstick.config.yaml', 'server:\n  port: 9464\n  host: [unclosed\n');
    const error = loadError({});
    expect(error.code).toBe('CONFIG_FILE');
    expect(lines(error)[0]).toMatch(/^yardstick\.config\.yaml:\d+:\d+: YAML syntax error: /);
    expect(error.problems[0]!.source).toMatchObject({ kind: 'file', line: expect.any(Number) });
  });

  it('reports a duplicate key as a syntax error at its line', () => {
    write('yardstick.config.yaml', 'serviceName: a\nserviceName: b\n');
    const error = loadError({});
    expect(error.code).toBe('CONFIG_FILE');
    expect(error.problems[0]!.source).toMatchObject({ kind: 'file', line: 2, column: 1 });
  });

  it('reports a missing explicit file and a non-mapping top level as CONFIG_FILE', () => {
    const missing = loadError({ file: 'nope.yaml' });
    expect(missing.code).toBe('CONFIG_FILE');
    expect(lines(missing)).toEqual(['nope.yaml: cannot read config file (ENOENT)']);
    const fromEnv = loadError({ env: { YARDSTICK_CONFIG: 'gone.yaml' } });
    expect(lines(fromEnv)).toEqual([
      'gone.yaml: cannot read config file (ENOENT) (from environment variable YARDSTICK_CONFIG)',
    ]);
    write('list.yaml', '- a\n- b\n');
    expect(lines(loadError({ file: 'list.yaml' }))).toEqual([
      'list.yaml:1:1: the top level must be a mapping of settings',
    ]);
  });

  it('treats an empty file as no settings', () => {
    write('yardstick.config.yaml', '# nothing yet\n');
    expect(loadConfig({ env: {}, cwd: dir })).toEqual(yardstickConfigSchema.parse({}));
  });

  it('names the TLS field and the resolved path when a TLS file is missing', () => {
    write(
      'yardstick.config.yaml',
      'server:\n  tls:\n    certFile: certs/server.crt\n    keyFile: certs/server.key\n',
    );
    expect(lines(loadError({}))).toEqual([
      `yardstick.config.yaml:3:15: server.tls.certFile: cannot read ${join(dir, 'certs/server.crt')}: no such file (ENOENT)`,
      `yardstick.config.yaml:4:14: server.tls.keyFile: cannot read ${join(dir, 'certs/server.key')}: no such file (ENOENT)`,
    ]);
  });

  it('rejects a TLS path that is a directory or unreadable', () => {
    mkdirSync(join(dir, 'certs'));
    const key = write('server.key', 'key');
    chmodSync(key, 0o000);
    const error = loadError({ code: { server: { tls: { certFile: 'certs', keyFile: 'server.key' } } } });
    const expected = [`server.tls.certFile: cannot read ${join(dir, 'certs')}: not a regular file`];
    // root reads anything, so the permission half of this check only shows for ordinary users.
    if (process.getuid?.() !== 0) {
      expected.push(`server.tls.keyFile: cannot read ${key}: permission denied (EACCES)`);
    }
    expect(lines(error)).toEqual(expected);
  });

  it('does not check TLS files while the server is disabled', () => {
    const code = { server: { enabled: false, tls: { certFile: 'missing.crt', keyFile: 'missing.key' } } };
    expect(loadConfig({ env: {}, cwd: dir, code }).server.enabled).toBe(false);
  });

  it('resolves TLS files from the config file against its folder and returns absolute paths', () => {
    mkdirSync(join(dir, 'conf'));
    writeSelfSignedCert(join(dir, 'conf'), 'server');
    write('conf/yardstick.yaml', 'server:\n  tls:\n    certFile: server.crt\n    keyFile: server.key\n');
    const config = loadConfig({ env: {}, cwd: dir, file: 'conf/yardstick.yaml' });
    expect(config.server.tls).toEqual({
      certFile: join(dir, 'conf/server.crt'),
      keyFile: join(dir, 'conf/server.key'),
    });
  });
});

describe('loadConfig on hostile files', () => {
  it('refuses a YAML alias bomb as CONFIG_FILE at the alias, not a ReferenceError, in bounded time', () => {
    const levels = ['resourceAttributes:', '  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++) {
      levels.push(`  l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
    }
    write('yardstick.config.yaml', `${levels.join('\n')}\n`);
    const start = performance.now();
    const error = loadError({});
    expect(performance.now() - start).toBeLessThan(2_000);
    expect(error.code).toBe('CONFIG_FILE');
    expect(lines(error)).toEqual([
      expect.stringMatching(
        /^yardstick\.config\.yaml:5:\d+: alias \*l2 expands too much .*YAML alias bombs are refused$/,
      ),
    ]);
  });

  it('refuses invalid UTF-8 at the line and column of the first bad byte', () => {
    const path = join(dir, 'yardstick.config.yaml');
    writeFileSync(
      path,
      Buffer.concat([Buffer.from('serviceName: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    const error = loadError({});
    expect(error.code).toBe('CONFIG_FILE');
    expect(lines(error)).toEqual([
      'yardstick.config.yaml:1:17: invalid UTF-8 (byte 0xe9): save the file as UTF-8',
    ]);
  });

  it('loads a large config in time linear in its number of keys', () => {
    const config = (keys: number) =>
      `resourceAttributes:\n${Array.from({ length: keys }, (_, i) => `  key${i}: value${i}\n`).join('')}`;
    const small = write('small.yaml', config(2_500));
    const large = write('large.yaml', config(20_000));
    const time = (file: string) => {
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        loadConfig({ env: {}, cwd: dir, file });
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    time(small);
    // 8x the keys: about 8x the time when linear; yaml's uniqueKeys check (every key against every earlier
    // one) measured 35x to 70x, and a 1.5 MB file took 31 s.
    expect(time(large) / time(small)).toBeLessThan(20);
    expect(Object.keys(loadConfig({ env: {}, cwd: dir, file: large }).resourceAttributes)).toHaveLength(
      20_000,
    );
  });
});

describe('loadConfig checks what the TLS files hold', () => {
  it('names the field, the file and its line when the certificate is not PEM', () => {
    writeSelfSignedCert(dir, 'server');
    write('server.crt', 'MIIB...base64 pasted without the BEGIN line\n');
    write('yardstick.config.yaml', 'server:\n  tls:\n    certFile: server.crt\n    keyFile: server.key\n');
    const error = loadError({});
    expect(error.code).toBe('CONFIG_INVALID');
    expect(lines(error)).toEqual([
      `yardstick.config.yaml:3:15: server.tls.certFile: ${join(dir, 'server.crt')} is not a PEM certificate (PEM routines::no start line)`,
    ]);
  });

  it('names the key file and the variable when the key belongs to another certificate', () => {
    const mine = writeSelfSignedCert(dir, 'mine');
    const theirs = writeSelfSignedCert(dir, 'theirs');
    const error = loadError({
      env: { YARDSTICK_TLS_CERT_FILE: mine.certFile, YARDSTICK_TLS_KEY_FILE: theirs.keyFile },
    });
    expect(lines(error)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^server\\.tls\\.keyFile: ${theirs.keyFile} does not belong to the certificate in certFile \\(.+\\) \\(from environment variable YARDSTICK_TLS_KEY_FILE\\)$`,
        ),
      ),
    ]);
  });
});

describe('loadConfig keeps secrets out of messages', () => {
  const password = 'hunter2!';

  it('does not echo a too-short password from the file, the environment or code', () => {
    write('yardstick.config.yaml', `server:\n  auth:\n    username: ab\n    password: "${password}x"\n`);
    const fromFile = loadError({ env: { YARDSTICK_AUTH_PASSWORD: 'short' } });
    expect(lines(fromFile)).toEqual([
      'yardstick.config.yaml:3:15: server.auth.username: Too small: expected string to have >=3 characters',
      'server.auth.password: Too small: expected string to have >=8 characters (from environment variable YARDSTICK_AUTH_PASSWORD)',
    ]);
    const fromCode = loadError({ file: false, code: { server: { auth: { username: 'x', password } } } });
    expect(fromCode.message).not.toContain(password);
  });

  it('does not echo header values from a malformed OTLP headers variable', () => {
    const warnings: string[] = [];
    const config = loadConfig({
      file: false,
      env: { OTEL_EXPORTER_OTLP_HEADERS: `api-key=${password},%zz=1` },
      onWarning: (message) => warnings.push(message),
    });
    // the OTel spec: a malformed OTEL_* value is ignored with a warning, never a failed start
    expect(warnings).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS: entry 2 has an invalid percent-encoding (expected %XX); ignored, the default applies',
    ]);
    expect(config.otlp.headers).toEqual({});
    expect(warnings.join('\n')).not.toContain(password);
    const strict = loadError({ file: false, code: { otlp: { headers: { 'api-key': `${password}\n` } } } });
    expect(strict.message).not.toContain(password);
  });

  it('never shows any password or header value next to other errors (property)', () => {
    // An alphabet no message, path or temp-dir name uses, so a hit can only be a leak.
    const secret = fc.string({ unit: fc.constantFrom('Ω', '§', '¤', 'Ж'), minLength: 4, maxLength: 12 });
    fc.assert(
      fc.property(secret, secret, (pass, header) => {
        const message = loadError({
          file: false,
          env: {
            YARDSTICK_AUTH_PASSWORD: pass,
            OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${header},broken`,
            OTEL_EXPORTER_PROMETHEUS_PORT: '99999',
          },
        }).message;
        expect(message).not.toContain(pass);
        expect(message).not.toContain(header);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a CR or LF in an OTLP header value from the file or code, naming the header but not the value', () => {
    write('yardstick.config.yaml', 'otlp:\n  headers:\n    x-api-key: "k-1\\r\\nX-Injected: 1"\n');
    expect(lines(loadError({}))).toEqual([
      'yardstick.config.yaml:3:16: otlp.headers["x-api-key"]: header "x-api-key" has a character HTTP cannot carry in its value (CR, LF, another control character or one beyond Latin-1)',
    ]);
    const fromCode = loadError({
      file: false,
      code: { otlp: { headers: { authorization: 'Bearer k-2\n' } } },
    });
    expect(lines(fromCode)).toEqual([
      'otlp.headers.authorization: header "authorization" has a character HTTP cannot carry in its value (CR, LF, another control character or one beyond Latin-1)',
    ]);
    expect(fromCode.message).not.toContain('k-2');
  });

  it('does not echo the source line of a YAML syntax error, which may hold a password', () => {
    write('yardstick.config.yaml', `server:\n  auth:\n    password: ${password}: [\n`);
    const error = loadError({});
    expect(error.code).toBe('CONFIG_FILE');
    expect(error.message).not.toContain(password);
  });
});
