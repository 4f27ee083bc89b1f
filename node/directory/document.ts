// The signed directory (spec/federation.yaml, DirectoryClaims): this organisation's services as a
// compact JWS by its signing key, served to trusted peers at GET /federation/v1/directory with an
// ETag, and a peer's directory checked before it is kept: signed with the key pinned for it,
// issued by it, of the protocol's form, unexpired, and not older than the one held.
import { CompactSign } from 'jose';
import type { components } from '../../spec/generated/federation.js';
import type { NodeContext } from '../context.js';
import { nowSeconds } from '../context.js';
import { readCompactJws } from '../crypto/compact-jws.js';
import { b64u, sha256, utf8 } from '../crypto/encoding.js';
import { verifyWithKeyNamed, type OkpPublicJwk } from '../identity/keys.js';
import { describeErrors, validatorFor } from '../schema/validators.js';
import { listDirectoryServices, type DirectoryService } from './services.js';
import { taxonomy } from './taxonomy.js';

export type DirectoryClaims = components['schemas']['DirectoryClaims'];

export const DIRECTORY_TYP = 'referral-directory+jwt';
/** A directory is valid for a day and signed again after half of it, or at once when a service changes. */
export const DIRECTORY_LIFETIME_SECONDS = 24 * 60 * 60;
/** A directory of 500 services is well under a megabyte; anything larger is refused unread. */
export const MAX_DIRECTORY_BYTES = 2 * 1024 * 1024;

async function directoryClaims(ctx: NodeContext, now: number): Promise<DirectoryClaims> {
  const { self } = ctx;
  const services = await listDirectoryServices(ctx.database.db);
  return {
    iss: self.nodeId,
    iat: now,
    exp: now + DIRECTORY_LIFETIME_SECONDS,
    taxonomy_version: taxonomy().version,
    organization: { name: self.name, country: self.country, languages: self.languages, ...(self.contact ? { contact: self.contact } : {}) },
    services,
  };
}

interface Served {
  jws: string;
  etag: string;
  signedAt: number;
  /** What it lists, to notice a change: the services and the key that signed them. */
  contents: string;
}

const served = new WeakMap<NodeContext, Served>();

/**
 * The directory for GET /federation/v1/directory: kept (so conditional requests get 304 until it
 * changes) and signed again when the services or the signing key change, or half its life passed.
 */
export async function servedDirectory(ctx: NodeContext): Promise<{ jws: string; etag: string }> {
  const now = nowSeconds(ctx.clock);
  const claims = await directoryClaims(ctx, now);
  const contents = `${ctx.self.signingKey.kid} ${JSON.stringify(claims.services)} ${JSON.stringify(claims.organization)}`;
  const held = served.get(ctx);
  if (held && held.contents === contents && now - held.signedAt < DIRECTORY_LIFETIME_SECONDS / 2 && now >= held.signedAt) return held;
  const jws = await new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: DIRECTORY_TYP, kid: ctx.self.signingKey.kid })
    .sign(ctx.self.signingKey.privateKey);
  const fresh = { jws, etag: `"${b64u.encode(sha256(jws)).slice(0, 27)}"`, signedAt: now, contents };
  served.set(ctx, fresh);
  return fresh;
}

/** `leftOut`: what of a directory on a newer taxonomy was not kept, said for the administrator. */
export type DirectoryVerification = { ok: true; claims: DirectoryClaims; leftOut: string | null } | { ok: false; reason: string };

/** Checks a peer's directory before it is kept (see the module comment). */
export async function verifyDirectory(
  jws: string,
  peer: { id: string; signingKey: OkpPublicJwk },
  options: { nowSeconds: number; clockSkewSeconds: number; notBefore?: number | undefined },
): Promise<DirectoryVerification> {
  const read = readCompactJws(jws);
  if (!read.ok) return { ok: false, reason: 'The directory is not a compact JWS with a JSON payload.' };
  if (read.header.alg !== 'EdDSA' || read.header.typ !== DIRECTORY_TYP) return { ok: false, reason: `The directory header is not that of a ${DIRECTORY_TYP}.` };
  if (read.header.kid !== peer.signingKey.kid) return { ok: false, reason: 'The directory is not signed with the key pinned for the peer.' };
  if (!(await verifyWithKeyNamed(jws, new Map([[peer.signingKey.kid, peer.signingKey]])))) return { ok: false, reason: 'The directory signature does not verify.' };
  // A peer on a newer taxonomy: its categories this node does not know are left out (and a
  // service with none left), rather than the whole directory refused.
  const leftOut = forgetUnknownCategories(read.payload);
  const check = validatorFor('federation', 'DirectoryClaims');
  if (!check(read.payload)) {
    const where = describeErrors(check.errors).slice(0, 3).map((e) => `${e.path || '/'} ${e.message}`).join('; ');
    return { ok: false, reason: `The directory does not match the protocol schema (${where}).` };
  }
  const claims = read.payload as DirectoryClaims;
  const ids = new Set(claims.services.map((s) => s.id));
  if (ids.size !== claims.services.length) return { ok: false, reason: 'The directory lists the same service id twice.' };
  if (claims.iss !== peer.id) return { ok: false, reason: `The directory was issued by ${claims.iss}, not by ${peer.id}.` };
  if (claims.exp <= options.nowSeconds) return { ok: false, reason: 'The directory has expired.' };
  if (claims.iat > options.nowSeconds + options.clockSkewSeconds) return { ok: false, reason: 'The directory is dated in the future.' };
  if (options.notBefore !== undefined && claims.iat < options.notBefore) return { ok: false, reason: 'The directory is older than the one held.' };
  return { ok: true, claims, leftOut };
}

function forgetUnknownCategories(payload: unknown): string | null {
  const claims = payload as { taxonomy_version?: unknown; services?: unknown };
  if (typeof claims.taxonomy_version !== 'number' || claims.taxonomy_version <= taxonomy().version || !Array.isArray(claims.services)) return null;
  const known = new Set<string>(taxonomy().categories.map((c) => c.code));
  let categories = 0;
  const kept = claims.services.filter((service: { categories?: unknown }) => {
    if (!Array.isArray(service?.categories)) return true;
    const before = service.categories.length;
    service.categories = service.categories.filter((code) => known.has(code as string));
    categories += before - (service.categories as unknown[]).length;
    return (service.categories as unknown[]).length > 0;
  });
  const services = claims.services.length - kept.length;
  claims.services = kept;
  if (categories === 0) return null;
  return `kept; the directory uses taxonomy version ${claims.taxonomy_version}, this node ${taxonomy().version}: ${categories} unknown categor${categories === 1 ? 'y' : 'ies'} left out${services > 0 ? `, and ${services} service${services === 1 ? '' : 's'} with no other` : ''}`;
}
