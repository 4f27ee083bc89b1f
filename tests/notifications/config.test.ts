// The mail settings in the node's configuration: read from the environment only by
// node/config/env.ts, checked by node/config/config.ts with an error that says what to set (and
// never repeats a URL's password); no mail server, no e-mail.
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../node/config/config.js';
import { readEnv } from '../../node/config/env.js';
import { addressProblem } from '../../node/notifications/address.js';

const resolve = (env: NodeJS.ProcessEnv) => resolveConfig({ data: '/tmp/refnet-config-test' }, readEnv(env));

const refusal = (env: NodeJS.ProcessEnv): string => {
  try {
    resolve(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('the mail settings', () => {
  it('are absent without a mail server: notifications in the interface only', () => {
    expect(resolve({}).mail).toBeUndefined();
    expect(resolve({ REFERRAL_NODE_MAIL_FROM: 'referrals@example.org', REFERRAL_NODE_PUBLIC_URL: 'https://referrals.example.org' }).mail).toBeUndefined();
  });

  it('are read from the three variables', () => {
    expect(
      resolve({
        REFERRAL_NODE_SMTP_URL: 'smtps://mailer:s3cret@mail.example.org:465',
        REFERRAL_NODE_MAIL_FROM: 'referrals@example.org',
        REFERRAL_NODE_PUBLIC_URL: 'https://referrals.example.org/',
      }).mail,
    ).toEqual({ smtpUrl: 'smtps://mailer:s3cret@mail.example.org:465', from: 'referrals@example.org', publicUrl: 'https://referrals.example.org/', everySeconds: 60 });
    expect(resolve({ REFERRAL_NODE_SMTP_URL: 'smtp://127.0.0.1:2525', REFERRAL_NODE_MAIL_FROM: 'referrals@example.org', REFERRAL_NODE_MAIL_SECONDS: '5' }).mail).toEqual({
      smtpUrl: 'smtp://127.0.0.1:2525',
      from: 'referrals@example.org',
      everySeconds: 5,
    });
  });

  it('refuse a mail interval that is not a whole number of seconds from 1 to 3600', () => {
    for (const seconds of ['0', '3601', 'soon', '1.5']) {
      expect(refusal({ REFERRAL_NODE_SMTP_URL: 'smtp://mail.example.org', REFERRAL_NODE_MAIL_FROM: 'a@example.org', REFERRAL_NODE_MAIL_SECONDS: seconds })).toContain(
        'REFERRAL_NODE_MAIL_SECONDS must be a whole number from 1 to 3600',
      );
    }
  });

  it('refuse a URL that is not an SMTP server\'s, without repeating its password', () => {
    for (const url of ['mail.example.org', 'https://user:s3cret@mail.example.org', 'smtp://', 'smtps:///nohost']) {
      const message = refusal({ REFERRAL_NODE_SMTP_URL: url, REFERRAL_NODE_MAIL_FROM: 'referrals@example.org' });
      expect(message).toContain('REFERRAL_NODE_SMTP_URL must be an smtp:// or smtps:// URL');
      expect(message).not.toContain('s3cret');
    }
  });

  it('need the address mails come from, and an address it is', () => {
    expect(refusal({ REFERRAL_NODE_SMTP_URL: 'smtp://mail.example.org' })).toContain('set REFERRAL_NODE_MAIL_FROM too');
    expect(refusal({ REFERRAL_NODE_SMTP_URL: 'smtp://mail.example.org', REFERRAL_NODE_MAIL_FROM: 'Referrals <referrals@example.org>' })).toContain(
      'REFERRAL_NODE_MAIL_FROM must be an e-mail address',
    );
  });

  it('refuse a public address that is not the web interface\'s base', () => {
    for (const url of ['referrals.example.org', 'ftp://referrals.example.org', 'https://referrals.example.org/?x=1', 'https://u:p@referrals.example.org']) {
      expect(refusal({ REFERRAL_NODE_SMTP_URL: 'smtp://mail.example.org', REFERRAL_NODE_MAIL_FROM: 'a@example.org', REFERRAL_NODE_PUBLIC_URL: url })).toContain(
        'REFERRAL_NODE_PUBLIC_URL must be the web interface\'s base address',
      );
    }
  });
});

describe('an e-mail address', () => {
  it('is one line, one @ and a domain, with nothing that could add a header or a recipient', () => {
    for (const ok of ['anna@example.org', 'anna.berger+refnet@mail.example.co.uk', 'ΑΝΝΑ@παράδειγμα.ελ']) expect(addressProblem(ok), ok).toBeUndefined();
    for (const bad of ['anna', 'anna@', '@example.org', 'anna@example', 'anna@@example.org', 'anna example@example.org', 'a@example.org\r\nBcc: b@example.org', 'Anna <anna@example.org>', 'a,b@example.org', '.anna@example.org', 'an..na@example.org']) {
      expect(addressProblem(bad), bad).toBe('invalid');
    }
    expect(addressProblem(`${'a'.repeat(250)}@example.org`)).toBe('too-long');
  });
});
