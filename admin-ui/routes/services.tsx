// This organisation's own services, and the directory's state. Roles as in the local API
// (node/http/service-api.ts, directory-api.ts): administrators describe, change, pause, resume and
// delete services; caseworkers and administrators see them and say whether one takes referrals
// now and how many places are free (caseworkers know it first), see how fresh each peer's
// directory is and sync them now. Auditors, whom the API lets read these, are not shown them:
// they have nothing to do with them, and what they read is the audit log, where every change is.
// Exporting the peers' directories too is for administrators, as in the API. The partners'
// services (every service of the trusted peers' current directories, filtered, and each on a page
// of its own) are for those who refer: caseworkers and administrators, as the directory page is.
import type { Role } from '../../node/users/service.js';
import {
  createService, deleteService, getService, listServices, pauseService, replaceService, resumeService, setAvailability, type Service, type ServiceAvailability,
} from '../../node/directory/services.js';
import { currentPeerDirectories, directoryStatus, heldDirectoryOf, syncPeerDirectories } from '../../node/directory/sync.js';
import { exportHsds } from '../../node/directory/hsds.js';
import { DomainError } from '../../node/errors.js';
import { validatorFor } from '../../node/schema/validators.js';
import { format } from '../i18n/catalogue.js';
import { explainOrThrow, notFound, redirect, render, userActor, type Explained, type UiRequest, type UiRouter } from '../router.js';
import { ServicesListPage } from '../pages/services/list.js';
import { ServiceFormPage } from '../pages/services/form.js';
import { DeleteServicePage, ServicePage, type AvailabilityEntered } from '../pages/services/detail.js';
import { DirectoryPage } from '../pages/services/directory.js';
import { draftFromForm, draftOf, emptyDraft, serviceInputOf } from '../pages/services/service-input.js';
import { isUuid } from '../../node/http/request.js';
import { browseServices, filterChoices, filtersFrom, type PeerService } from '../pages/directory/filters.js';
import { BrowsePage } from '../pages/directory/browse.js';
import { PeerServicePage } from '../pages/directory/service.js';

const ADMIN: readonly Role[] = ['admin'];
const STAFF: readonly Role[] = ['admin', 'caseworker'];

type Failure = Explained;

export function servicePages(ui: UiRouter): void {
  const { ctx } = ui;
  const { db } = ctx.database;
  /** The service the path names, or undefined (a path that is no UUID names none). */
  const serviceOf = async (r: UiRequest): Promise<Service | undefined> => {
    const id = r.c.req.param('id') ?? '';
    if (!isUuid(id)) return undefined;
    try {
      return await getService(db, id);
    } catch (error) {
      if (error instanceof DomainError && error.status === 404) return undefined;
      throw error;
    }
  };
  const withService = (handler: (r: UiRequest, service: Service) => Promise<Response>) => async (r: UiRequest) => {
    const service = await serviceOf(r);
    return service ? handler(r, service) : notFound(r);
  };

  ui.get('/services', STAFF, async (r) => render(r.c, <ServicesListPage page={r.page} services={await listServices(db)} />));

  ui.get('/services/new', ADMIN, (r) => render(r.c, <ServiceFormPage page={r.page} draft={emptyDraft()} />));

  ui.post('/services', ADMIN, async (r) => {
    const draft = draftFromForm(r.form);
    const checked = serviceInputOf(r.t, draft, true);
    if ('problems' in checked) return render(r.c, <ServiceFormPage page={r.page} draft={draft} problems={checked.problems} />, 422);
    try {
      const service = await createService(ctx, userActor(r), checked.input);
      return redirect(r.c, `/ui/services/${service.id}`, 'svcCreated');
    } catch (error) {
      return render(r.c, <ServiceFormPage page={r.page} draft={draft} error={explainOrThrow(r.t, error)} />, 422);
    }
  });

  ui.get('/services/:id', STAFF, withService(async (r, service) => render(r.c, <ServicePage page={r.page} service={service} />)));

  ui.get('/services/:id/edit', ADMIN, withService(async (r, service) => render(r.c, <ServiceFormPage page={r.page} draft={draftOf(service)} serviceId={service.id} />)));

  ui.post(
    '/services/:id',
    ADMIN,
    withService(async (r, service) => {
      const draft = draftFromForm(r.form);
      const checked = serviceInputOf(r.t, draft, false);
      if ('problems' in checked) return render(r.c, <ServiceFormPage page={r.page} draft={draft} serviceId={service.id} problems={checked.problems} />, 422);
      try {
        await replaceService(ctx, userActor(r), service.id, checked.input);
        return redirect(r.c, `/ui/services/${service.id}`, 'svcSaved');
      } catch (error) {
        return render(r.c, <ServiceFormPage page={r.page} draft={draft} serviceId={service.id} error={explainOrThrow(r.t, error)} />, 422);
      }
    }),
  );

  // Pausing and publishing again: the service page again with a sentence if the node refused.
  for (const [action, change, notice] of [
    ['pause', pauseService, 'svcPaused'],
    ['resume', resumeService, 'svcResumed'],
  ] as const) {
    ui.post(
      `/services/:id/${action}`,
      ADMIN,
      withService(async (r, service) => {
        try {
          await change(ctx, userActor(r), service.id);
          return redirect(r.c, `/ui/services/${service.id}`, notice);
        } catch (error) {
          return render(r.c, <ServicePage page={r.page} service={service} error={explainOrThrow(r.t, error)} />, 422);
        }
      }),
    );
  }

  ui.post(
    '/services/:id/availability',
    STAFF,
    withService(async (r, service) => {
      const entered: AvailabilityEntered = { accepting: r.form.text('accepting'), available: r.form.text('available') };
      const again = (error: Failure) => render(r.c, <ServicePage page={r.page} service={service} availability={{ entered, error }} />, 422);
      const availability: Record<string, unknown> = {};
      if (entered.accepting === 'yes' || entered.accepting === 'no') availability.accepting_referrals = entered.accepting === 'yes';
      if (entered.available !== '') availability.available = /^\d{1,9}$/.test(entered.available) ? Number(entered.available) : entered.available;
      if (Object.keys(availability).length === 0) return again({ sentence: r.t.svcAvailabilityEmpty });
      // The local API's own check of the same request.
      if (!validatorFor('local', 'ServiceAvailability')(availability)) {
        return again({ sentence: `${format(r.t.svcCheckField, { field: r.t.svcFieldAvailable })} ${r.t.svcHintPlaces}` });
      }
      const maximum = service.capacity?.maximum;
      if (maximum !== undefined && typeof availability.available === 'number' && availability.available > maximum) {
        return again({ sentence: format(r.t.svcAvailableAboveMaximum, { maximum }) });
      }
      try {
        await setAvailability(ctx, userActor(r), service.id, availability as ServiceAvailability);
        return redirect(r.c, `/ui/services/${service.id}`, 'svcAvailabilitySaved');
      } catch (error) {
        return again(explainOrThrow(r.t, error));
      }
    }),
  );

  ui.get('/services/:id/delete', ADMIN, withService(async (r, service) => render(r.c, <DeleteServicePage page={r.page} service={service} />)));

  ui.post(
    '/services/:id/delete',
    ADMIN,
    withService(async (r, service) => {
      // Only from the page that said what deleting means.
      if (r.form.text('confirm') !== 'yes') return render(r.c, <DeleteServicePage page={r.page} service={service} />, 422);
      try {
        await deleteService(ctx, userActor(r), service.id);
      } catch (error) {
        return render(r.c, <ServicePage page={r.page} service={service} error={explainOrThrow(r.t, error)} />, 422);
      }
      return redirect(r.c, '/ui/services', 'svcDeleted');
    }),
  );

  ui.get('/directory', STAFF, async (r) => {
    const own = (await listServices(db)).length;
    return render(r.c, <DirectoryPage page={r.page} peers={await directoryStatus(ctx)} ownServices={own} />);
  });

  ui.post('/directory/sync', STAFF, async (r) => {
    await syncPeerDirectories(ctx, { force: true });
    return redirect(r.c, '/ui/directory', 'dirSynced');
  });

  ui.get('/directory/services', STAFF, async (r) => {
    const entries: PeerService[] = (await currentPeerDirectories(ctx)).flatMap((d) => d.services.map((service) => ({ peer: { id: d.id, name: d.name, country: d.country }, service })));
    const choices = filterChoices(entries);
    const query = r.c.req.query();
    const { filters, ageInvalid } = filtersFrom(query, choices);
    const found = browseServices(entries, filters, r.language);
    // An age that is not one is shown again as typed (cut short), beside the sentence that says so.
    const ageEntered = ageInvalid ? (query.age ?? '').trim().slice(0, 20) : (filters.age?.toString() ?? '');
    return render(r.c, <BrowsePage page={r.page} data={{ filters, choices, ageEntered, ageInvalid, held: entries.length, ...found }} />);
  });

  // The service's id is in the path and its organisation's node id (an address) in the query; both
  // come from the network, and anything that names no service held now is a plain 404.
  ui.get('/directory/services/:id', STAFF, async (r) => {
    const id = r.c.req.param('id') ?? '';
    const peer = r.c.req.query('peer') ?? '';
    if (!isUuid(id) || peer === '' || peer.length > 2048) return notFound(r);
    const directory = await heldDirectoryOf(ctx, peer);
    const service = directory?.services.find((s) => s.id === id);
    return directory && service ? render(r.c, <PeerServicePage page={r.page} directory={directory} service={service} />) : notFound(r);
  });

  const download = (r: UiRequest, body: unknown, filename: string) =>
    r.c.json(body, 200, { 'content-disposition': `attachment; filename="${filename}"`, 'cache-control': 'no-store' });

  ui.get('/directory/hsds', STAFF, async (r) => download(r, await exportHsds(ctx, { peers: false }), 'hsds-own.json'));
  // The peers' directories were served to this node as a trusted peer: copying them out is an
  // administrator's decision (as in the local API).
  ui.get('/directory/hsds/network', ADMIN, async (r) => download(r, await exportHsds(ctx, { peers: true }), 'hsds-network.json'));
}
