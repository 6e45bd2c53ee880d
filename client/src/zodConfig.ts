import { z } from 'zod';

/*
 * The pages run under a Content-Security-Policy without 'unsafe-eval'. zod's fast path compiles
 * parsers with `new Function`, probing for it first; under the policy the probe is a reported
 * violation. jitless parsing needs no eval at all.
 */
z.config({ jitless: true });
