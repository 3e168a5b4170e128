import { resourceUsage } from 'node:process';
import { reconcileDay } from '../src/batch/reconcile-day.js';
import { loadInstitution } from '../src/institution/load-profile.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { projectRoot } from '../src/paths.js';
import { join } from 'node:path';

/** One reconciliation in a fresh process (see bench/recon.ts): prints its time, peak RSS and break count. */
const [url, file, spec, date, dataDir] = process.argv.slice(2) as [string, string, string, string, string];
const { profile } = loadInstitution(join(projectRoot(), 'specs/hecto.profile.yaml'));
const t0 = process.hrtime.bigint();
const ds = await openDatabase({ url });
const result = await reconcileDay({ ds, institution: { id: 'hecto', bankCode: '004', companyId: 'FIRMBANK01' }, profile, date, file: { path: file, spec }, dataDir, ...(process.env['BENCH_TRACE'] ? { progress: (w: string) => process.stderr.write(`${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB rss, ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB heap: ${w}\n`) } : {}) });
await ds.destroy();
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(JSON.stringify({ seconds, peakRssMB: resourceUsage().maxRSS / 1024, breaks: result.breaks.length }));
process.exit(0);
