// The server's composition: the node's own APIs (node/http/app.ts) with the web interface under
// /ui. It lives above both, so that the node never depends on its interface, and the interface
// reaches the node only through the node's functions. The interface is loaded on the first
// request for one of its pages, not at start: a node that only federates never loads it.
import { Hono, type Handler } from 'hono';
import { createHttpApp, notFound, type HttpAppBuilder } from '../node/http/app.js';

export const createServerApp: HttpAppBuilder = (ctx, onQueued) => {
  const app = createHttpApp(ctx, onQueued);
  let ui: Promise<Hono> | undefined;
  const loadInterface = () =>
    (ui ??= import('../admin-ui/routes.js').then(({ uiRoutes }) =>
      // Not strict: an address with a trailing slash is the page without it (`/ui/`, which the
      // README and the demo print, is `/ui`).
      new Hono({ strict: false })
        .route('/ui', uiRoutes(ctx, onQueued))
        .notFound(notFound)
        // Thrown on to the node's app, whose one error handler logs it and answers as for the APIs.
        .onError((error) => {
          throw error;
        }),
    ));
  const toInterface: Handler = async (c) => (await loadInterface()).fetch(c.req.raw, c.env);
  // On the node's own app rather than beside it: its error handler and its request metrics see
  // the interface's requests too.
  app.all('/ui', toInterface);
  app.all('/ui/*', toInterface);
  return app;
};
