// Where the key-encryption key comes from: from one place only. REFERRAL_NODE_KEK (the key
// itself), REFERRAL_NODE_KEK_FILE (a file outside the data folder), or the systemd credential
// `referral-node-kek` (LoadCredential=, which systemd reads as root and hands to the service alone);
// when none of them is given, kek.key in the data folder, as `init` makes it by default. A key given
// in two of these places, or given elsewhere while kek.key is still in the data folder, is refused:
// it would be unclear which key is meant, and a kek.key left behind travels with every backup of
// the data folder, which then decrypts everything on its own.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createKekFile, parseKek, readKekFile } from '../crypto/kek.js';
import { ConfigError, KEK_CREDENTIAL, type NodeConfig } from './config.js';

export type KekSource =
  | { kind: 'environment' }
  | { kind: 'file'; path: string }
  | { kind: 'credential'; path: string }
  | { kind: 'data-folder'; path: string };

/** The source in words, for messages: "REFERRAL_NODE_KEK", "/etc/referral-node/kek (REFERRAL_NODE_KEK_FILE)", ... */
export function describeKekSource(source: KekSource): string {
  switch (source.kind) {
    case 'environment':
      return 'REFERRAL_NODE_KEK';
    case 'file':
      return `${source.path} (REFERRAL_NODE_KEK_FILE)`;
    case 'credential':
      return `the systemd credential ${KEK_CREDENTIAL} (${source.path})`;
    case 'data-folder':
      return `${source.path} in the data folder`;
  }
}

/** The one place the KEK comes from in this configuration; a ConfigError when it is given in several. */
export function kekSourceOf(config: NodeConfig): KekSource {
  const given: KekSource[] = [
    ...(config.kekFromEnv ? [{ kind: 'environment' } as const] : []),
    ...(config.kekFromFile ? [{ kind: 'file', path: config.kekFromFile } as const] : []),
    // systemd sets CREDENTIALS_DIRECTORY for any credential: the KEK is there only if it is one of them.
    ...(config.kekCredential && existsSync(config.kekCredential) ? [{ kind: 'credential', path: config.kekCredential } as const] : []),
  ];
  if (given.length > 1) {
    throw new ConfigError(`The key-encryption key is given in ${given.length} places (${given.map(describeKekSource).join(', ')}): give it in one only, so that it is clear which key the node uses.`);
  }
  const [source] = given;
  if (!source) return { kind: 'data-folder', path: config.kekFile };
  if (existsSync(config.kekFile)) {
    throw new ConfigError(
      `The key-encryption key comes from ${describeKekSource(source)}, but the data folder still holds ${config.kekFile}: check that both are the same key, then delete ${config.kekFile} (a backup of the data folder would otherwise carry the key with it).`,
    );
  }
  return source;
}

/** The KEK's 32 bytes, from where this configuration says. */
export function readKek(config: NodeConfig): Uint8Array {
  const source = kekSourceOf(config);
  return source.kind === 'environment' ? parseKek(config.kekFromEnv ?? '', 'REFERRAL_NODE_KEK') : readKekFile(source.path, source.kind === 'data-folder' ? undefined : describeKekSource(source));
}

/**
 * For `init`, before it makes anything: where the KEK will be, or a ConfigError now if it is given
 * ambiguously or cannot be written where it is to be.
 */
export function kekSourceForInit(config: NodeConfig): KekSource {
  const source = kekSourceOf(config);
  if (source.kind === 'file' && !existsSync(source.path) && !existsSync(dirname(source.path))) {
    throw new ConfigError(`The folder ${dirname(source.path)} does not exist: create it (mode 0700) for the key-encryption key, or set REFERRAL_NODE_KEK_FILE to a file in another.`);
  }
  return source;
}

/**
 * For `init`: makes the KEK where `source` says (mode 0600), unless it is there already
 * (REFERRAL_NODE_KEK, a credential, or a REFERRAL_NODE_KEK_FILE made beforehand, which is checked).
 * Whether the key was made now.
 */
export async function provideKek(source: KekSource): Promise<boolean> {
  if (source.kind === 'environment' || source.kind === 'credential') return false;
  if (source.kind === 'file' && existsSync(source.path)) {
    readKekFile(source.path, describeKekSource(source));
    return false;
  }
  await createKekFile(source.path);
  return true;
}
