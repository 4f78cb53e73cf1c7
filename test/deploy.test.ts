import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICES } from '@waddlebot/core';
import { ROOT, existingServices, generatedFiles } from '../scripts/deploy-manifests.js';

describe('service registry', () => {
  it('lists the 19 services of contracts §1 with their ports, each once', () => {
    expect(SERVICES.map((s) => `${s.name}:${s.port}`)).toEqual([
      'router:8000',
      'marketplace:8001',
      'twitch:8002',
      'discord:8003',
      'slack:8004',
      'ai:8005',
      'alias:8010',
      'shoutout:8011',
      'community:8020',
      'reputation:8021',
      'labels:8023',
      'inventory:8024',
      'youtube-music:8025',
      'spotify:8026',
      'browser-source:8027',
      'calendar:8030',
      'memories:8031',
      'identity:8050',
      'portal:8080',
    ]);
    expect(new Set(SERVICES.map((s) => s.port)).size).toBe(19);
  });

  it('every service folder belongs to the registry', () => {
    const folders = existsSync(path.join(ROOT, 'services')) ? readdirSync(path.join(ROOT, 'services')) : [];
    for (const f of folders) expect(SERVICES.map((s) => s.name)).toContain(f);
  });
});

const composeCli = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

describe('generated deployment files', () => {
  // Validates offline with Debian's docker-compose where installed (no Docker engine needed).
  it.skipIf(!composeCli)('docker-compose config accepts the compose file with the example .env', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wb-compose-'));
    copyFileSync(path.join(ROOT, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
    copyFileSync(path.join(ROOT, '.env-example'), path.join(dir, '.env'));
    const res = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('are committed exactly as scripts/deploy-manifests.ts generates them (run `npm run manifests`)', () => {
    for (const [rel, text] of Object.entries(generatedFiles())) {
      const file = path.join(ROOT, rel);
      expect(existsSync(file), `${rel} missing`).toBe(true);
      expect(readFileSync(file, 'utf8'), rel).toBe(text);
    }
  });

  it('compose: every existing service, canonical ports without repeats, acyclic depends_on, healthchecks on /readyz', () => {
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'));
    const services = existingServices();
    const ports: string[] = [];
    for (const s of services) {
      const c = compose.services[s.name];
      expect(c, s.name).toBeDefined();
      expect(c.build.args).toEqual({ MODULE_NAME: s.name, PORT: String(s.port) });
      expect(c.healthcheck.test.join(' ')).toContain('/readyz');
      ports.push(...c.ports);
      for (const dep of Object.keys(c.depends_on))
        expect(compose.services[dep], `${s.name} → ${dep}`).toBeDefined();
    }
    expect(new Set(ports).size).toBe(ports.length);
    const visiting = new Set<string>();
    const visit = (name: string): void => {
      expect(visiting.has(name), `cycle at ${name}`).toBe(false);
      visiting.add(name);
      for (const dep of Object.keys(compose.services[name]?.depends_on ?? {})) visit(dep);
      visiting.delete(name);
    };
    for (const s of services) visit(s.name);
  });

  it('kubernetes: probes on /healthz and /readyz, non-root read-only containers, names without suffixes', () => {
    for (const s of existingServices()) {
      const docs = readFileSync(path.join(ROOT, 'k8s/base', `${s.name}.yaml`), 'utf8')
        .split(/^---$/m)
        .map((d) => parse(d));
      const deployment = docs.find((d) => d.kind === 'Deployment');
      const container = deployment.spec.template.spec.containers[0];
      expect(deployment.metadata.name).toBe(s.name);
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(docs.map((d) => d.kind).sort()).toEqual([
        'Deployment',
        'HorizontalPodAutoscaler',
        'PodDisruptionBudget',
        'Service',
      ]);
      expect(docs.find((d) => d.kind === 'Service').spec.ports[0].port).toBe(s.port);
    }
    const ingress = readFileSync(path.join(ROOT, 'k8s/base/ingress.yaml'), 'utf8');
    expect(ingress).not.toContain('/metrics');
  });
});

describe('Dockerfile.base', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile.base'), 'utf8');

  it('names only files that exist, for every service', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) =>
      m[1]!.trim().split(/\s+/).slice(0, -1),
    );
    expect(sources.length).toBeGreaterThan(3);
    for (const s of existingServices()) {
      for (const src of sources) {
        const p = src.replace('${MODULE_NAME}', s.name);
        expect(existsSync(path.join(ROOT, p)), `${p} (${s.name})`).toBe(true);
      }
      expect(existsSync(path.join(ROOT, 'services', s.name, 'src', 'main.ts')), `${s.name} main.ts`).toBe(
        true,
      );
      expect(existsSync(path.join(ROOT, 'services', s.name, 'tsconfig.build.json'))).toBe(true);
    }
  });

  it('is multi-stage, runs as a non-root user with a /readyz health check and starts dist/main.js', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^USER 1000$/m);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/readyz/);
    expect(dockerfile).toContain('--omit=dev');
    expect(dockerfile).toContain('services/${MODULE_NAME}/dist/main.js');
  });
});
