/**
 * The server's node id: names the live sessions this server runs in the store, so that
 * after a restart it restores its own sessions and never those of another server sharing
 * the database ([RS3]). Kept in the data directory (`node.id`), created at first start.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The file in the data directory that holds the node id. */
export const NODE_ID_FILE_NAME = 'node.id';

/** The node id and whether it outlives this process (false: the data directory is not writable). */
export interface LoadedNodeId {
  id: string;
  persistent: boolean;
}

/** Reads the node id from the data directory, or creates it there. */
export function loadOrCreateNodeId(dataDir: string): LoadedNodeId {
  const file = path.join(dataDir, NODE_ID_FILE_NAME);
  const read = (): string | undefined => {
    try {
      const id = readFileSync(file, 'utf8').trim();
      return /^[A-Za-z0-9_.-]{1,100}$/.test(id) ? id : undefined;
    } catch {
      return undefined;
    }
  };
  const existing = read();
  if (existing) return { id: existing, persistent: true };
  const id = randomUUID();
  try {
    mkdirSync(dataDir, { recursive: true });
    // 'wx': a server starting at the same moment on this directory keeps its id; read it.
    writeFileSync(file, `${id}\n`, { flag: 'wx' });
    return { id, persistent: true };
  } catch {
    const raced = read();
    if (raced) return { id: raced, persistent: true };
    return { id, persistent: false };
  }
}
