import { benchCodec, codecTable } from './codec.js';
import { benchLink, linkTable } from './link.js';

/** `npm run bench`: every benchmark, printed as the Markdown tables the README quotes. */
async function main(): Promise<void> {
  console.log(`firmbank benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
  console.log(codecTable(benchCodec()) + '\n');
  console.log(linkTable(await benchLink()));
}

await main();
