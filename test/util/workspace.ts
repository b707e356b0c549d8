/** Temporary workspaces for LSP tests: a directory with the workspace folder `ws/` in it, and files written into both. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface TempWorkspace {
  /** The temporary directory (files outside the workspace folder live here). */
  dir: string;
  /** The workspace folder, `dir/ws`. */
  ws: string;
  /** A path in the workspace folder. */
  file(rel: string): string;
  /** The `file:` URI of a path in the workspace folder. */
  uri(rel: string): string;
  dispose(): void;
}

/** Writes `files` (paths relative to the temporary directory; `ws/…` is the workspace folder). */
export function tempWorkspace(prefix: string, files: Record<string, string>): TempWorkspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const ws = path.join(dir, 'ws');
  fs.mkdirSync(ws);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const file = (rel: string) => path.join(ws, rel);
  return { dir, ws, file, uri: rel => pathToFileURL(file(rel)).href, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
