// The `referral-node` program, started by bin/referral-node.js: the node's command line, whose
// `serve` serves the server's composition (the node's APIs with the web interface).
import { buildProgram } from '../node/cli/program.js';
import { defaultIo } from '../node/cli/output.js';
import { runProgram } from '../node/cli/run.js';
import { createServerApp } from './app.js';

await runProgram(buildProgram(defaultIo, createServerApp));
