/**
 * Building the app and serving dist/ with `vite preview` on a free port. The preview server is
 * started in its own process group so that stop() ends npx and the vite process under it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Commands started by runCommand that have not ended yet (killRunning() ends them). */
const running = new Set<ChildProcess>();

/** SIGKILL to every command runCommand started that is still running (for cleanup). */
export function killRunning(): void {
  for (const child of running) killGroup(child, 'SIGKILL');
}

/** Runs a command to completion, collecting stdout and stderr together. */
export function runCommand(cmd: string, args: string[], opts: { cwd: string; timeoutMs: number; env?: Record<string, string> }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: opts.env ? { ...process.env, ...opts.env } : process.env });
    running.add(child);
    child.on('exit', () => running.delete(child));
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`\`${cmd} ${args.join(' ')}\` took longer than ${opts.timeoutMs / 1000} s and was stopped.\n${tail(output)}`));
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`could not start \`${cmd}\`: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * `npx vite build` into `outDir`. The bench builds into a private folder, not dist/: the e2e tests
 * (and people working in the repo) rebuild dist/ at any time, which would pull the files out
 * from under the preview server in the middle of a run.
 */
export async function buildApp(root: string, outDir: string): Promise<void> {
  const args = ['vite', 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'];
  const r = await runCommand('npx', args, { cwd: root, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`\`npx ${args.join(' ')}\` failed (exit ${r.code}):\n${tail(r.output)}`);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port found'))));
    });
  });
}

export interface PreviewServer {
  url: string;
  pid: number;
  /** SIGTERM to the server's process group at once, SIGKILL after 3 s; resolves when it is gone. */
  stop(): Promise<void>;
  /** SIGKILL to the group, synchronously (for a process 'exit' handler). */
  killNow(): void;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole group: npx and the vite process it started
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** Starts `vite preview` of `outDir` on a free port; resolves once it answers HTTP requests. */
export async function startPreview(root: string, outDir: string, timeoutMs = 30_000): Promise<PreviewServer> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const child = spawn('npx', ['vite', 'preview', '--outDir', outDir, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const stop = async () => {
      killGroup(child, 'SIGTERM');
      const gone = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
      if (!gone) {
        killGroup(child, 'SIGKILL');
        await Promise.race([exited, sleep(2000)]);
      }
    };
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return { url, pid: child.pid!, stop, killNow: () => killGroup(child, 'SIGKILL') };
      } catch {
        /* not listening yet */
      }
      await sleep(150);
    }
    await stop();
    lastError = child.exitCode !== null ? `vite preview exited with code ${child.exitCode}:\n${tail(output)}` : `vite preview did not answer on ${url} within ${timeoutMs / 1000} s:\n${tail(output)}`;
    if (!/already in use|EADDRINUSE/i.test(output)) break; // only a port race is worth a retry
  }
  throw new Error(lastError);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function tail(text: string, lines = 25): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
