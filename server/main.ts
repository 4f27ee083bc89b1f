// The `referral-node` program, started by bin/referral-node.js: the node's command line, whose
// `serve` serves the server's composition (the node's APIs with the web interface), loaded only
// for `serve`: the other commands never load the HTTP layer.
import { buildProgram } from '../node/cli/program.js';
import { defaultIo } from '../node/cli/output.js';
import { runProgram } from '../node/cli/run.js';

await runProgram(buildProgram(defaultIo, async () => (await import('./app.js')).createServerApp));
