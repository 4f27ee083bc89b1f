// The organisation's own services in the local API: everyone signed in reads them; administrators
// describe, change, pause, resume and remove them; caseworkers and administrators set whether a
// service takes referrals now and how many places are free.
import { Hono } from 'hono';
import type { NodeContext } from '../context.js';
import {
  createService,
  deleteService,
  getService,
  listServices,
  pauseService,
  replaceService,
  resumeService,
  setAvailability,
  type ServiceAvailability,
  type ServiceInput,
} from '../directory/services.js';
import { requireRole, type LocalEnv } from './auth.js';
import { jsonBody, uuidParam } from './request.js';

export function serviceRoutes(ctx: NodeContext): Hono<LocalEnv> {
  const api = new Hono<LocalEnv>();
  const { db } = ctx.database;
  const admin = (user: LocalEnv['Variables']['user']) => {
    requireRole(user, 'admin');
    return { kind: 'user' as const, id: user.id };
  };
  const id = (raw: string) => uuidParam(raw, 'service');

  api.get('/services', async (c) => c.json({ items: await listServices(db) }));
  api.get('/services/:id', async (c) => c.json(await getService(db, id(c.req.param('id')))));

  api.post('/services', async (c) => {
    const actor = admin(c.get('user'));
    const service = await createService(ctx, actor, await jsonBody<ServiceInput>(c, 'ServiceInput'));
    c.header('location', `/api/v1/services/${service.id}`);
    return c.json(service, 201);
  });
  api.put('/services/:id', async (c) => {
    const actor = admin(c.get('user'));
    const serviceId = id(c.req.param('id'));
    return c.json(await replaceService(ctx, actor, serviceId, await jsonBody<ServiceInput>(c, 'ServiceInput')));
  });
  api.delete('/services/:id', async (c) => {
    const actor = admin(c.get('user'));
    await deleteService(ctx, actor, id(c.req.param('id')));
    return c.body(null, 204);
  });
  api.post('/services/:id/pause', async (c) => c.json(await pauseService(ctx, admin(c.get('user')), id(c.req.param('id')))));
  api.post('/services/:id/resume', async (c) => c.json(await resumeService(ctx, admin(c.get('user')), id(c.req.param('id')))));
  api.post('/services/:id/availability', async (c) => {
    const user = c.get('user');
    requireRole(user, 'admin', 'caseworker');
    const serviceId = id(c.req.param('id'));
    return c.json(await setAvailability(ctx, { kind: 'user', id: user.id }, serviceId, await jsonBody<ServiceAvailability>(c, 'ServiceAvailability')));
  });
  return api;
}
