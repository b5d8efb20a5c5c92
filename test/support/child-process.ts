import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';

export interface Child<T> {
  readonly process: ChildProcess;
  /** What the script printed as its first line, parsed as JSON. */
  readonly ready: T;
  /** The last 20,000 characters it printed, stdout and stderr: for a failing test's message. */
  readonly output: () => string;
}

/** Runs a TypeScript script of test/support in its own Node process, as `npm start` would run; resolves once it printed its first line. */
export const startScript = async <T>(script: string, args: string[]): Promise<Child<T>> => {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let printed = '';
  const keep = (chunk: Buffer) => {
    printed = (printed + chunk.toString('utf8')).slice(-20_000);
  };
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    keep(chunk);
  });
  child.stdout.on('data', keep);
  const ready = await new Promise<T>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n');
      if (line.length > 1) resolve(JSON.parse(line[0]!) as T);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready: ${stderr}`)));
  });
  return { process: child, ready, output: () => printed };
};

/** Whether something accepts TCP connections on this host and port. */
export const answers = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

/** Polls until check holds; the deadline is generous, the check is the point. */
export const waitUntil = async (check: () => Promise<boolean>, what: string, deadlineMs = 60_000): Promise<void> => {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};
