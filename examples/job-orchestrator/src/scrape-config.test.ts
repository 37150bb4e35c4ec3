/**
 * SCRAPE_CONFIG.md (seed T16): every YAML block parses, the scrape configurations use the documented job
 * names and 15 s interval, and a real VictoriaMetrics accepts each of them (`-promscrape.config.dryRun`,
 * strict parsing: unknown fields are errors).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { peer, tempDir } from '../../../test/support/peers.ts';

const victoria = peer('victoria-metrics');
const doc = readFileSync(new URL('../SCRAPE_CONFIG.md', import.meta.url), 'utf8');
/** The fenced YAML blocks, each with the line it starts on and its first comment as its name. */
const blocks = [...doc.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => ({
  text: match[1]!,
  line: doc.slice(0, match.index).split('\n').length + 1,
  name: /^# (\S+)/.exec(match[1]!)?.[1] ?? '(unnamed)',
}));
const scrapeConfigs = blocks.filter((block) => /^scrape_configs:/m.test(block.text));
const work = tempDir('yardstick-scrape-config-');
afterAll(() => work.cleanup());

interface ScrapeConfig {
  global: { scrape_interval: string; scrape_timeout: string };
  scrape_configs: { job_name: string; relabel_configs?: { target_label?: string }[] }[];
}

describe('SCRAPE_CONFIG.md', () => {
  it('has YAML blocks that all parse: compose, two scrape configurations, a deployment', () => {
    expect(blocks.map((block) => block.name)).toEqual([
      'docker-compose.yml',
      'scrape.yml:',
      'deployment-workers.yaml',
      'vmagent-kubernetes.yml:',
    ]);
    for (const block of blocks) {
      expect(() => parse(block.text), `SCRAPE_CONFIG.md:${block.line} (${block.name})`).not.toThrow();
    }
    const compose = parse(blocks[0]!.text) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    expect(Object.keys(compose.services)).toEqual([
      'redis',
      'orchestrator',
      'workers',
      'victoriametrics',
      'vmagent',
    ]);
    expect(compose.services.orchestrator!.environment).toMatchObject({
      ORCHESTRATOR_PORT: '8000',
      ASDLC_HOST: '0.0.0.0',
    });
    const deployment = parse(blocks[2]!.text) as {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8001',
      'prometheus.io/path': '/metrics',
    });
  });

  it('scrapes every 15 s under the documented job names', () => {
    const [compose, kubernetes] = scrapeConfigs.map((block) => parse(block.text) as ScrapeConfig);
    for (const config of [compose!, kubernetes!]) {
      expect(config.global).toEqual({ scrape_interval: '15s', scrape_timeout: '10s' });
    }
    expect(compose!.scrape_configs.map((job) => job.job_name)).toEqual([
      'asdlc-orchestrator',
      'asdlc-workers',
    ]);
    // On Kubernetes the job comes from the pod's app.kubernetes.io/name (asdlc-orchestrator, asdlc-workers).
    expect(kubernetes!.scrape_configs[0]!.relabel_configs!.map((rule) => rule.target_label)).toContain('job');
  });

  it.skipIf(victoria.skipReason !== undefined)('has scrape configurations VictoriaMetrics accepts', () => {
    expect(scrapeConfigs).toHaveLength(2);
    for (const block of scrapeConfigs) {
      const file = join(work.dir, `${block.name.replace(/:$/, '')}`);
      writeFileSync(file, block.text);
      const run = spawnSync(
        victoria.path!,
        [`-promscrape.config=${file}`, '-promscrape.config.dryRun', '-loggerLevel=ERROR'],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect(run.status, `SCRAPE_CONFIG.md:${block.line} (${block.name}): ${run.stderr}`).toBe(0);
    }
    // And the check can fail: a field VictoriaMetrics does not know is refused.
    const wrong = join(work.dir, 'wrong.yml');
    writeFileSync(wrong, scrapeConfigs[0]!.text.replace('metrics_path:', 'metric_path:'));
    const refused = spawnSync(victoria.path!, [`-promscrape.config=${wrong}`, '-promscrape.config.dryRun'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('metric_path');
  });
});
