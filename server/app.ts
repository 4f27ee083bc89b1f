// The server's composition: the node's own APIs (node/http/app.ts) with the web interface under
// /ui. It lives above both, so that the node never depends on its interface, and the interface
// reaches the node only through the node's functions.
import { createHttpApp, type HttpAppBuilder } from '../node/http/app.js';
import { uiRoutes } from '../admin-ui/routes.js';

export const createServerApp: HttpAppBuilder = (ctx, onQueued) => {
  const app = createHttpApp(ctx, onQueued);
  // On the node's own app rather than beside it: its error handler and its 404 answer for the
  // interface's paths too, as they did when the node mounted the interface itself.
  app.route('/ui', uiRoutes(ctx, onQueued));
  return app;
};
