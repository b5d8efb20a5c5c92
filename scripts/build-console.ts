/** `npm run console:build [-- DIR]`: writes the HQ console's static files (default web/console/dist/). */
import { join } from 'node:path';
import { consoleRoot, writeConsole } from '../web/console/build.ts';

const outdir = writeConsole(process.argv[2] ?? join(consoleRoot, 'dist'));
console.log(`console built into ${outdir} (add a config.json with {"apiUrl", "mqttUrl"} beside it)`);
