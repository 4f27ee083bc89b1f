// Both OpenAPI documents pass Spectral's OpenAPI ruleset (`spectral:oas`, .spectral.yaml) with
// nothing to report: no error, no warning, no hint. Every operation described, every tag declared,
// every schema of the protocol referenced where it travels (x-jws-payload, x-decodes-to, ...).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../_util/processes.js';

interface SpectralResult {
  code: string;
  message: string;
  path: string[];
  severity: number;
  source?: string;
}

describe('spectral lint with spectral:oas', () => {
  it.each(['federation', 'local'])('reports nothing for spec/%s.yaml', (name) => {
    const spectral = join(repoRoot, 'node_modules', '.bin', 'spectral');
    const run = spawnSync(spectral, ['lint', `spec/${name}.yaml`, '--ruleset', '.spectral.yaml', '--format', 'json', '--quiet', '--fail-severity', 'hint'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.error).toBeUndefined();
    const results = JSON.parse(run.stdout || '[]') as SpectralResult[];
    expect(results.map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`)).toEqual([]);
    expect(run.status, run.stderr).toBe(0);
  }, 180_000);
});
