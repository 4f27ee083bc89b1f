import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../node/cli/program.js';

const read = (name: string) => readFileSync(new URL(`../../deploy/${name}`, import.meta.url), 'utf8');

const composeText = read('compose.yaml');
const postgresText = read('compose.postgres.yaml');
const entrypoint = read('docker-entrypoint.sh');
const dockerfile = read('Dockerfile');
const unit = read('referral-node.service');

interface Service {
  environment?: Record<string, string>;
  ports?: unknown[];
  build?: { context?: string; dockerfile?: string };
  read_only?: boolean;
  cap_drop?: string[];
  image?: string;
  command?: string[];
  env_file?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
}
// Compose accepts YAML merge keys (`<<: *node`); the yaml package needs to be told.
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const services = Object.entries(compose.services);

/** Joins backslash-continued lines, after dropping comment markers so commented commands count. */
function logicalLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/^\s*#\s?/, ''))
    .join('\n')
    .replace(/\\\n\s*/g, ' ')
    .split('\n');
}

interface Invocation {
  path: string[];
  options: string[];
  line: string;
}

/** Every `referral-node.js ...` call in the text: its subcommand path and the long options it passes. */
function invocations(text: string): Invocation[] {
  const program = buildProgram();
  return logicalLines(text)
    .filter((line) => line.includes('referral-node.js '))
    .map((line) => {
      const tokens = line.slice(line.indexOf('referral-node.js ') + 'referral-node.js '.length).trim().split(/\s+/);
      const path: string[] = [];
      let command: Command = program;
      for (const token of tokens) {
        const next = command.commands.find((c) => c.name() === token || c.aliases().includes(token));
        if (!next) break;
        path.push(token);
        command = next;
      }
      const options = tokens.filter((t) => t.startsWith('--')).map((t) => t.split('=')[0]!);
      return { path, options, line };
    });
}

function findCommand(path: string[]): Command | undefined {
  let command: Command | undefined = buildProgram();
  for (const name of path) command = command?.commands.find((c) => c.name() === name);
  return command;
}

function containerPorts(): number[] {
  const serve = logicalLines(entrypoint).find((line) => /referral-node\.js serve /.test(line));
  const fromEntrypoint = Number(/--port (\d+)/.exec(serve ?? '')?.[1]);
  const fromExpose = Number(/^EXPOSE\s+(\d+)/m.exec(dockerfile)?.[1]);
  const healthcheck = logicalLines(dockerfile).find((line) => line.startsWith('HEALTHCHECK')) ?? '';
  const fromHealthcheck = Number(/http:\/\/127\.0\.0\.1:(\d+)\/healthz/.exec(healthcheck)?.[1]);
  return [fromEntrypoint, fromExpose, fromHealthcheck];
}

describe('the compose file for a three-node network', () => {
  it('defines three services', () => {
    expect(services.map(([name]) => name).sort()).toEqual(['node-at', 'node-gr', 'node-it']);
  });

  it('publishes each node on its own host port, on 127.0.0.1 only, mapped to container port 8080', () => {
    const hostPorts = services.map(([name, service]) => {
      expect(service.ports, name).toHaveLength(1);
      const match = /^127\.0\.0\.1:(\d+):(\d+)$/.exec(String(service.ports?.[0]));
      expect(match, `${name} publishes ${String(service.ports?.[0])}`).not.toBeNull();
      expect(Number(match![2])).toBe(8080);
      return Number(match![1]);
    });
    expect(new Set(hostPorts).size).toBe(services.length);
  });

  it('uses the same container port as the entrypoint, the EXPOSE line and the health check', () => {
    expect(containerPorts()).toEqual([8080, 8080, 8080]);
  });

  it('gives every node a URL, a name and a country, with the URL pointing at the service on port 8080', () => {
    for (const [name, service] of services) {
      const env = service.environment ?? {};
      for (const key of ['REFERRAL_NODE_URL', 'REFERRAL_NODE_NAME', 'REFERRAL_NODE_COUNTRY']) {
        expect(env[key], `${name} ${key}`).toBeTruthy();
      }
      const url = new URL(env.REFERRAL_NODE_URL!);
      expect(url.hostname).toBe(name);
      expect(url.port).toBe('8080');
    }
  });

  it('builds every node from deploy/Dockerfile and runs it read-only with all capabilities dropped', () => {
    for (const [name, service] of services) {
      expect(service.build, name).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toEqual(['ALL']);
    }
  });
});

describe('the command lines in the deployment files', () => {
  const cases = [
    { file: 'docker-entrypoint.sh', text: entrypoint, expected: ['init', 'serve'] },
    { file: 'referral-node.service', text: unit, expected: ['serve'] },
    { file: 'compose.yaml', text: composeText, expected: ['peer add', 'peer trust'] },
    { file: 'compose.postgres.yaml', text: postgresText, expected: ['node show'] },
  ];

  it.each(cases)('in $file call the expected subcommands', ({ text, expected }) => {
    const paths = invocations(text).map((i) => i.path.join(' '));
    expect(paths).toEqual(expect.arrayContaining(expected));
  });

  it.each(cases)('in $file use only options that exist on the CLI', ({ text }) => {
    for (const { path, options, line } of invocations(text)) {
      const command = findCommand(path);
      expect(path.length, `no subcommand in: ${line}`).toBeGreaterThan(0);
      const known = new Set([...(command?.options.map((o) => o.long) ?? []), '--help']);
      for (const option of options) {
        expect(known.has(option), `${path.join(' ')} has no ${option} (in: ${line})`).toBe(true);
      }
    }
  });

  it('start the systemd service as a serve command', () => {
    const execStart = unit.split('\n').find((line) => line.startsWith('ExecStart='));
    expect(execStart).toMatch(/referral-node\.js serve /);
  });
});

describe('the hardening of the image and the systemd unit', () => {
  it('sets NoNewPrivileges, a strict read-only system and a state directory in the systemd unit', () => {
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).toMatch(/^StateDirectory=\S+$/m);
  });

  it('runs the image as a non-root user and gives it a health check', () => {
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(dockerfile).toMatch(/^HEALTHCHECK\s/m);
  });
});

describe('the compose file for one node on PostgreSQL, as a web and a worker process', () => {
  const postgres = parse(postgresText, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const { postgres: database, web, worker } = postgres.services;

  it('defines a database, a web and a worker service', () => {
    expect(Object.keys(postgres.services).sort()).toEqual(['postgres', 'web', 'worker']);
  });

  it('keeps PostgreSQL 15 on a volume of its own, with a health check the node services wait for', () => {
    expect(database?.image).toBe('postgres:15');
    const volume = database?.volumes?.[0]?.split(':')[0];
    expect(Object.keys(postgres.volumes)).toContain(volume);
    expect(database?.healthcheck?.test).toEqual(expect.arrayContaining(['pg_isready']));
    for (const service of [web, worker]) expect(service?.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it('gives web and worker the same image, hardening and environment file (DATABASE_URL and the KEK)', () => {
    for (const service of [web, worker]) {
      expect(service?.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
      expect(service?.read_only).toBe(true);
      expect(service?.cap_drop).toEqual(['ALL']);
      expect(service?.env_file).toEqual(['node.env']);
    }
    for (const key of ['DATABASE_URL', 'REFERRAL_NODE_KEK', 'REFERRAL_NODE_URL', 'REFERRAL_NODE_NAME', 'REFERRAL_NODE_COUNTRY']) {
      expect(postgresText, `node.env's ${key} is described`).toMatch(new RegExp(`#\\s+(node\\.env\\s+)?${key}=`));
    }
  });

  it('publishes the web service on 127.0.0.1 with a /healthz check on the container port, and the worker not at all', () => {
    expect(web?.ports).toHaveLength(1);
    expect(String(web?.ports?.[0])).toMatch(/^127\.0\.0\.1:\d+:8080$/);
    expect(web?.healthcheck?.test?.join(' ')).toContain('http://127.0.0.1:8080/healthz');
    expect(worker?.ports).toBeUndefined();
    expect(worker?.healthcheck?.disable).toBe(true);
  });

  it('gives web and worker one data folder, so that they share the keyring', () => {
    const folder = (service: Service | undefined) => service?.volumes?.find((v) => v.endsWith(':/var/lib/referral-node'));
    expect(folder(web)).toBeDefined();
    expect(folder(worker)).toBe(folder(web));
    expect(Object.keys(postgres.volumes)).toContain(folder(web)!.split(':')[0]);
  });

  it('starts the worker only once the web service, which initialises the node, is healthy', () => {
    expect(worker?.depends_on?.web?.condition).toBe('service_healthy');
    // The entrypoint recognises the worker by the arguments the compose file gives it.
    expect(worker?.command).toEqual(['--role', 'worker']);
    expect(entrypoint).toContain('*" --role worker "*');
  });

  it('passes the entrypoint only options that `serve` has (the entrypoint hands them to serve)', () => {
    const serve = findCommand(['serve']);
    const known = new Set(serve?.options.map((o) => o.long));
    expect(web?.command).toEqual(['--role', 'web']);
    for (const service of [web, worker]) {
      for (const option of (service?.command ?? []).filter((a) => a.startsWith('--'))) {
        expect(known.has(option), `serve has no ${option}`).toBe(true);
      }
    }
  });
});
