/** Repository root and the shared corpora folder, found from wherever the bundled test runs. */
import fs from 'node:fs';
import path from 'node:path';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'related-work') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no related-work package.json above ${start}`);
  }
}

export const repoRoot = findRoot(__dirname);
/** `../shared/corpora` next to the repository (read-only real data; never copied into the repo). */
export const corporaDir = path.resolve(repoRoot, '..', 'shared', 'corpora');
