// The organisation's own services: described, changed, paused, resumed and removed by its
// administrators; availability (taking referrals now, places free) also set by caseworkers, who
// know it first. Each change is in the audit log. What is stored is what the directory publishes:
// no personal data, and no street address (spec ServiceFields).
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { insertionOrder } from '../db/dialect.js';
import type { components } from '../../spec/generated/local.js';
import type { components as federation } from '../../spec/generated/federation.js';
import type { Db } from '../db/database.js';
import type { ServicesTable } from '../db/schema.js';
import type { NodeContext } from '../context.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { DomainError } from '../errors.js';

export type ServiceInput = components['schemas']['ServiceInput'];
export type Service = components['schemas']['Service'];
export type ServiceAvailability = components['schemas']['ServiceAvailability'];
/** A service as a directory publishes it (this organisation's own, or a peer's). */
export type DirectoryService = federation['schemas']['DirectoryService'];
type ServiceAction = 'created' | 'updated' | 'paused' | 'resumed' | 'availability' | 'deleted';

export const noSuchService = () => new DomainError(404, 'not-found', 'No such service', 'This organisation has no service with this id.');

/** What the schema cannot say: ages and places that contradict each other. */
function contradictions(input: ServiceInput): string[] {
  const problems: string[] = [];
  const { eligibility, capacity } = input;
  if (eligibility?.minimum_age !== undefined && eligibility.maximum_age !== undefined && eligibility.minimum_age > eligibility.maximum_age) {
    problems.push('eligibility.minimum_age is above eligibility.maximum_age.');
  }
  if (capacity?.maximum !== undefined && capacity.available > capacity.maximum) problems.push('capacity.available is above capacity.maximum.');
  return problems;
}

function refuseContradictions(input: ServiceInput): void {
  const problems = contradictions(input);
  if (problems.length > 0) {
    throw new DomainError(422, 'invalid-request', 'Invalid service', problems.join(' '), { errors: problems.map((message) => ({ path: '', message })) });
  }
}

export function toService(row: Selectable<ServicesTable>): Service {
  return {
    id: row.id,
    ...(JSON.parse(row.description) as ServiceInput),
    status: row.status,
    accepting_referrals: row.accepting_referrals === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The description column: everything but the state, which has columns of its own. */
function descriptionOf(input: ServiceInput): string {
  const { status: _status, accepting_referrals: _accepting, ...description } = input;
  return JSON.stringify(description);
}

export async function listServices(db: Db): Promise<Service[]> {
  // In the order they were described (insertion order breaks ties within the same millisecond).
  return (await db.selectFrom('services').selectAll().orderBy('created_at').orderBy(insertionOrder(db)).execute()).map(toService);
}

/** The services as the directory publishes them (without when each was first described). */
export async function listDirectoryServices(db: Db): Promise<DirectoryService[]> {
  return (await listServices(db)).map(({ created_at: _created, ...service }) => service);
}

export { inOneLanguage } from './text.js';

/** Each own service's id, last change and status, by id: what says whether the matching index is stale. */
export async function ownServiceVersions(db: Db): Promise<Array<{ id: string; updated_at: string; status: string }>> {
  return db.selectFrom('services').select(['id', 'updated_at', 'status']).orderBy('id').execute();
}

export async function getService(db: Db, id: string): Promise<Service> {
  const row = await db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw noSuchService();
  return toService(row);
}

/** What one directory may hold (spec DirectoryClaims), so that peers can always read it. */
export const MAX_SERVICES = 500;
export const MAX_DESCRIPTIONS_BYTES = 1_500_000;

/** Refuses a change after which the directory would be more than peers accept. */
async function refuseOverLimits(db: Db, replacing: string | undefined, input: ServiceInput): Promise<void> {
  const rows = await db.selectFrom('services').select(['id', 'description']).execute();
  const others = rows.filter((r) => r.id !== replacing);
  if (others.length + 1 > MAX_SERVICES) {
    throw new DomainError(422, 'invalid-request', 'Too many services', `A directory holds at most ${MAX_SERVICES} services; remove one first.`);
  }
  const bytes = others.reduce((sum, r) => sum + Buffer.byteLength(r.description), 0) + Buffer.byteLength(descriptionOf(input));
  if (bytes > MAX_DESCRIPTIONS_BYTES) {
    throw new DomainError(422, 'invalid-request', 'Directory too large', `The services would take ${bytes} bytes; a directory holds at most ${MAX_DESCRIPTIONS_BYTES}. Shorten the descriptions.`);
  }
}

export async function createService(ctx: NodeContext, actor: AuditActor, input: ServiceInput): Promise<Service> {
  refuseContradictions(input);
  await refuseOverLimits(ctx.database.db, undefined, input);
  const at = ctx.clock.now();
  const row = {
    id: randomUUID(),
    description: descriptionOf(input),
    status: input.status ?? 'active',
    accepting_referrals: input.accepting_referrals === false ? 0 : 1,
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
  } as const;
  await ctx.database.transaction(async (tx) => {
    await tx.insertInto('services').values(row).execute();
    await appendAuditEvent(tx, at, actor, { type: 'service.changed', service_id: row.id, action: 'created' });
  });
  return toService(row);
}

/**
 * Describes a service anew. What the description leaves out is removed, except its state: a
 * service paused or not taking referrals stays so unless the description says otherwise (a typo
 * fixed must not reopen a full shelter to every peer).
 */
export async function replaceService(ctx: NodeContext, actor: AuditActor, id: string, input: ServiceInput): Promise<Service> {
  refuseContradictions(input);
  await refuseOverLimits(ctx.database.db, id, input);
  return change(ctx, actor, id, 'updated', (current) => ({
    description: descriptionOf(input),
    status: input.status ?? current.status,
    accepting_referrals: input.accepting_referrals === undefined ? current.accepting_referrals : input.accepting_referrals ? 1 : 0,
  }));
}

export function pauseService(ctx: NodeContext, actor: AuditActor, id: string): Promise<Service> {
  return change(ctx, actor, id, 'paused', () => ({ status: 'paused' }));
}

export function resumeService(ctx: NodeContext, actor: AuditActor, id: string): Promise<Service> {
  return change(ctx, actor, id, 'resumed', () => ({ status: 'active' }));
}

export async function setAvailability(ctx: NodeContext, actor: AuditActor, id: string, availability: ServiceAvailability): Promise<Service> {
  return change(ctx, actor, id, 'availability', (current) => {
    const description = JSON.parse(current.description) as ServiceInput;
    if (availability.available !== undefined) {
      const maximum = description.capacity?.maximum;
      if (maximum !== undefined && availability.available > maximum) {
        throw new DomainError(422, 'invalid-request', 'Invalid availability', `available is above the service's maximum of ${maximum} places.`);
      }
      description.capacity = { ...description.capacity, available: availability.available };
    }
    return {
      description: JSON.stringify(description),
      ...(availability.accepting_referrals !== undefined ? { accepting_referrals: availability.accepting_referrals ? 1 : 0 } : {}),
    };
  });
}

export async function deleteService(ctx: NodeContext, actor: AuditActor, id: string): Promise<void> {
  const at = ctx.clock.now();
  await ctx.database.transaction(async (tx) => {
    const deleted = await tx.deleteFrom('services').where('id', '=', id).executeTakeFirst();
    if (deleted.numDeletedRows !== 1n) throw noSuchService();
    await appendAuditEvent(tx, at, actor, { type: 'service.changed', service_id: id, action: 'deleted' });
  });
}

/** One change to a service, read and written under one lock, with its audit entry. */
async function change(
  ctx: NodeContext,
  actor: AuditActor,
  id: string,
  action: ServiceAction,
  update: (current: Selectable<ServicesTable>) => Partial<Pick<ServicesTable, 'description' | 'status' | 'accepting_referrals'>>,
): Promise<Service> {
  const at = ctx.clock.now();
  return ctx.database.transaction(async (tx) => {
    const current = await tx.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
    if (!current) throw noSuchService();
    const next = { ...current, ...update(current), updated_at: at.toISOString() };
    await tx.updateTable('services').set(next).where('id', '=', id).execute();
    await appendAuditEvent(tx, at, actor, { type: 'service.changed', service_id: id, action });
    return toService(next);
  });
}
