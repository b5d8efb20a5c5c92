import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { signLocalToken } from '../../../infra/local/auth.ts';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../../..');
/** `npm run token -- ...args`, without npm's banner. */
const tokenCli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'infra/local/token.ts', ...args], { cwd: repoRoot });

describe('local tokens', () => {
  it('always carry exp, since the authorizer refuses a token without one', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(decodeJwt(await signLocalToken({ role: 'admin' })).exp).toBeGreaterThan(now);
    expect(decodeJwt(await signLocalToken({ role: 'admin', expiresIn: -60 })).exp).toBeLessThan(now);
    const printed = decodeJwt((await tokenCli('--role', 'store', '--location', 'STORE-1', '--expires-in', '60')).stdout.trim());
    expect(printed).toMatchObject({ role: 'store', locations: 'STORE-1' });
    expect(printed.exp! - printed.iat!).toBe(60);
    expect(decodeJwt((await tokenCli('--role', 'admin')).stdout.trim()).exp).toBeGreaterThan(now);
  });

  it('npm run token refuses a lifetime that is not a number instead of signing without one', async () => {
    await expect(tokenCli('--role', 'admin', '--expires-in', 'forever')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--expires-in') });
  });
});
