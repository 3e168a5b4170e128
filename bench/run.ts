import { benchCodec, codecTable } from './codec.js';
import { benchGateway, gatewayTable } from './gateway.js';
import { compare } from './compare.js';
import { benchLink, linkTable } from './link.js';
import { benchRecon, reconTable } from './recon.js';
import { benchEvents, eventsTable } from './events.js';
import { authTable, benchAuth } from './auth.js';
import { adminTable, assertAdminTargets, benchAdmin } from './admin.js';
import { assertConsoleLoad, benchConsoleLoad, consoleLoadTable } from './console-load.js';

/** `npm run bench`: every benchmark, printed as the Markdown tables the README quotes. `npm run bench -- codec` runs one. */
async function main(): Promise<void> {
  const only = process.argv[2];
  if (only === 'compare') {
    const base = process.argv[3];
    if (!base) throw new Error('usage: npm run bench -- compare BASE_COMMIT [ROUNDS]');
    console.log(await compare(base, process.argv[4] ? Number(process.argv[4]) : undefined));
    return;
  }
  console.log(`firmbank benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
  if (!only || only === 'codec') console.log(codecTable(benchCodec()) + '\n');
  if (!only || only === 'link') console.log(linkTable(await benchLink()) + '\n');
  if (!only || only === 'gateway') console.log(gatewayTable([await benchGateway('sqlite'), await benchGateway('postgres'), await benchGateway('postgres-socket')]) + '\n');
  if (!only || only === 'auth') console.log(authTable(await benchAuth()) + '\n');
  if (!only || only === 'events') console.log(eventsTable(await benchEvents(process.argv[3] ? Number(process.argv[3]) : undefined)) + '\n');
  if (!only || only === 'recon') {
    const n = process.argv[3] ? Number(process.argv[3]) : undefined;
    console.log(reconTable([await benchRecon('postgres', n), await benchRecon('sqlite', n)]));
  }
  if (!only || only === 'admin') {
    const r = await benchAdmin(process.argv[3] ? Number(process.argv[3]) : undefined);
    console.log(adminTable(r) + '\n');
    const load = await benchConsoleLoad();
    console.log(consoleLoadTable(load) + '\n');
    assertAdminTargets(r);
    assertConsoleLoad(load);
  }
}

await main();
process.exit(process.exitCode ?? 0);
