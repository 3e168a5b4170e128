#!/usr/bin/env node
// The CLI entry point. The TypeScript is compiled to dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('firmbank: not built yet: run `npm install` (or `npm run build`) in the project folder first\n');
  process.exit(2);
}
const { main: run } = await import(main.href);
await run(process.argv.slice(2));
