// The layering rules (docs/architecture.md), checked in CI by `npm run check:deps`. Type-only
// imports count: a cycle through types is still a cycle for a reader.
/** The node's domain folders: below the HTTP layer, the CLI and the web interface. */
const DOMAIN = '^node/(audit-log|consents|crypto|db|delivery|directory|envelope|identity|logging|metrics|net|notifications|peers|referrals|schema|users|config)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'conformance-kit-alone',
      comment:
        'The conformance kit checks a node black-box: it builds and checks every JWS, envelope, proof and note itself. Sharing the code it checks would prove nothing; it may use the spec\'s compiled schemas only.',
      severity: 'error',
      from: { path: '^node/conformance/' },
      to: { path: '^node/', pathNot: '^node/(conformance|schema)/' },
    },
    {
      name: 'no-cycles',
      comment: 'An import cycle, type-only ones included, makes the order of modules unreadable.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'node-not-to-interface',
      comment: 'The node does not depend on its own web interface; the server composition above both puts them together.',
      severity: 'error',
      from: { path: '^node/' },
      to: { path: '^admin-ui/' },
    },
    {
      name: 'nothing-below-to-server',
      comment: 'The server composition (server/) puts the node and its interface together; neither imports it (the node is handed what to serve).',
      severity: 'error',
      from: { path: '^(node|admin-ui)/' },
      to: { path: '^server/' },
    },
    {
      name: 'domain-not-to-http',
      comment: 'Domain modules refuse with a DomainError (node/errors.ts); only the HTTP layer speaks HTTP.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: '^node/http/' },
    },
    {
      name: 'domain-not-to-hono',
      comment: 'Domain modules know nothing of the web framework.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: 'node_modules/hono/' },
    },
    {
      name: 'interface-no-sql',
      comment: 'The web interface reads and writes only through node functions (table ownership: node/db/ownership.ts).',
      severity: 'error',
      from: { path: '^admin-ui/' },
      to: { path: ['node_modules/kysely/', '^node/db/database\\.ts$'] },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.tsx?$', '^node/db/migrations/'] },
  },
};
