// A caseworker's work contact in Settings (issue 18 item 3): what partners are told with her name
// when she is responsible for a referral they sent. Saved, taken away, refused when it cannot be
// one (said beside the field, nothing changed); an auditor is not offered it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNetwork, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { noticeLeft, signedInAs, textOf, type UiBrowser } from '../_util/ui-browser.js';
import { attribute, control, expectMarked } from '../_util/field-marks.js';

let net: TestNetwork;
let node: TestNode;
let carla: UiBrowser;

const contactOf = async (username: string) =>
  (await node.ctx.database.db.selectFrom('users').select('work_contact').where('username', '=', username).executeTakeFirstOrThrow()).work_contact;

beforeAll(async () => {
  net = await createTestNetwork(1);
  node = net.nodes[0]!;
  carla = await signedInAs(node, 'caseworker', net.clock.now(), 'carla');
});
afterAll(() => net.close());

describe('the work contact in Settings', () => {
  it('is saved, shown in the field, and taken away when emptied; the audit log says so without the contact', async () => {
    const saved = await carla.submit('/ui/settings/contact', { work_contact: '  carla@casa-donna.example.org  ' }, '/ui/settings');
    expect(saved.status).toBe(303);
    expect(noticeLeft(saved)).toBe('settingsWorkContactSaved');
    expect(await contactOf('carla')).toBe('carla@casa-donna.example.org');
    const page = await carla.html('/ui/settings');
    expect(attribute(control(page, 'settings-work-contact'), 'value')).toBe('carla@casa-donna.example.org');
    expect(textOf(page)).toContain('Work contact (optional)');

    expect((await carla.submit('/ui/settings/contact', { work_contact: '' }, '/ui/settings')).status).toBe(303);
    expect(await contactOf('carla')).toBeNull();
    const log = await node.ctx.database.db.selectFrom('audit_log').select(['type', 'entry']).where('type', '=', 'user.work-contact-changed').execute();
    expect(log).toHaveLength(2);
    expect(log.map((r) => r.entry).join('\n')).not.toContain('casa-donna');
  });

  it('refuses a contact that is too long or not one line, says so beside the field, and changes nothing', async () => {
    for (const [given, sentence] of [
      ['9'.repeat(201), 'A work contact is at most 200 characters.'],
      ['+39 06\n555 0100', 'A work contact is one line of text.'],
    ] as const) {
      const refused = await carla.submit('/ui/settings/contact', { work_contact: given }, '/ui/settings');
      expect(refused.status).toBe(422);
      const html = await refused.text();
      expectMarked(html, 'settings-work-contact', sentence);
      expect(await contactOf('carla')).toBeNull();
    }
  });

  it('is not offered to an auditor, and refused if she sends it anyway', async () => {
    const auditor = await signedInAs(node, 'auditor', net.clock.now(), 'audrey');
    expect(await auditor.html('/ui/settings')).not.toContain('settings-work-contact');
    expect((await auditor.submit('/ui/settings/contact', { work_contact: '+39 06 555 0100' }, '/ui/settings')).status).toBe(403);
    expect(await contactOf('audrey')).toBeNull();
  });
});
