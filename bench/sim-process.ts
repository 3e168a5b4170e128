import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** `firmbank sim` in a process of its own, as a bank would be; resolves once it listens. */
export async function spawnSimulator(root: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(root, 'bin/firmbank.js'), 'sim', '--spec', join(root, 'specs/hecto.yaml'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`simulator exited (${code}): ${out}`)));
  });
  return { child, port };
}
