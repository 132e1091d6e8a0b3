/**
 * An exclusive lock on an output folder, so that two gradflow processes never write one folder's
 * results at once (two appenders at their own offsets corrupt a JSON-lines file). The lock is a
 * file created with O_EXCL holding the holder's pid, host, command and start time; a lock left by
 * a process that no longer runs on this host is taken over. Released when the command ends (and,
 * as a last resort, when the process exits).
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { inputError } from '../util/errors.js';

export const LOCK_FILE = '.gradflow.lock';

interface Holder { readonly pid: number; readonly host: string; readonly command: string; readonly since: string }

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, command: String(h.command ?? '?'), since: String(h.since ?? '?') } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Held locks of this process, by path: a command may lock a folder it already holds (demo → check). */
const held = new Map<string, number>();

/** Takes the folder's lock (the folder must exist); returns the release function. */
export function lockFolder(dir: string, command: string): () => void {
  const path = join(dir, LOCK_FILE);
  const mine = held.get(path);
  if (mine !== undefined) {
    held.set(path, mine + 1);
    return () => unlock(path);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw inputError(`cannot lock the output folder '${dir}': ${code ?? (e as Error).message}.`);
      const h = readHolder(path);
      if (h && h.host === hostname() && !alive(h.pid)) { rmSync(path, { force: true }); continue; } // left by a process that died
      const who = h ? `gradflow pid ${h.pid} on ${h.host} (${h.command}, since ${h.since})` : 'another gradflow process (unreadable lock file)';
      throw inputError(`'${dir}' is in use by ${who}. Wait for it to finish, or choose another --out; if that process is gone, remove ${path}.`);
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), command, since: new Date().toISOString() }));
    closeSync(fd);
    held.set(path, 1);
    releaseOnExit();
    return () => unlock(path);
  }
  throw inputError(`cannot lock the output folder '${dir}'.`);
}

let exitHook = false;
/** A process that exits (or is interrupted) mid-command removes its locks; SIGKILL leaves a stale one, taken over later. */
function releaseOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => { for (const p of held.keys()) rmSync(p, { force: true }); });
}

/** One holder fewer; the last one removes the lock file. */
function unlock(path: string): void {
  const n = (held.get(path) ?? 1) - 1;
  if (n > 0) { held.set(path, n); return; }
  held.delete(path);
  rmSync(path, { force: true });
}

/** Runs `fn` holding the folder's lock. */
export async function withFolderLock<T>(dir: string, command: string, fn: () => Promise<T> | T): Promise<T> {
  const unlock = lockFolder(dir, command);
  try {
    return await fn();
  } finally {
    unlock();
  }
}
