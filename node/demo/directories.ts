// The demo organisations describe their services (as their administrators would, through the
// local API) and every node fetches the others' directories at once, so matching works as soon
// as the demo is ready.
import type { DemoNode } from './credentials.js';
import { DemoError } from './errors.js';
import { callLocalApi, expectStatus } from './referrals.js';
import { demoServices } from './services.js';

export async function seedDemoServices(nodes: readonly DemoNode[], say: (line: string) => void): Promise<void> {
  for (const node of nodes) {
    const held = await expectStatus<{ items: unknown[] }>(await callLocalApi(node, 'GET', '/api/v1/services'), 200, `Listing the services of the ${node.key} node`);
    if (held.items.length > 0) continue;
    const services = demoServices[node.key];
    if (!services) throw new DemoError(`No sample services for the ${node.key} node.`);
    for (const service of services) {
      await expectStatus(await callLocalApi(node, 'POST', '/api/v1/services', service, 'admin'), 201, `A sample service of the ${node.key} node`);
    }
    say(`${node.key} describes ${services.length} services`);
  }
}

/** Every node fetches every other's directory now (a serving node would within five minutes). */
export async function syncDemoDirectories(nodes: readonly DemoNode[], say: (line: string) => void): Promise<void> {
  for (const node of nodes) {
    const { items } = await expectStatus<{ items: Array<{ peer_id: string; freshness: string; services: number }> }>(
      await callLocalApi(node, 'POST', '/api/v1/directories/sync'),
      200,
      `Syncing the directories on the ${node.key} node`,
    );
    const missing = items.filter((d) => d.freshness !== 'current');
    if (missing.length > 0) throw new DemoError(`The ${node.key} node could not fetch the directory of ${missing.map((d) => d.peer_id).join(', ')}.`);
    say(`${node.key} holds the directories of ${items.length} peers (${items.reduce((n, d) => n + d.services, 0)} services)`);
  }
}
