import { benchCodec, codecTable } from './codec.js';

/** `npm run bench`: every benchmark, printed as the Markdown tables the README quotes. */
function main(): void {
  console.log(`firmbank benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
  console.log(codecTable(benchCodec()));
}

main();
