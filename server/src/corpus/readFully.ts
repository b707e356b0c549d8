/** Positioned reads that fill the whole target, for the paper store, parts and chunks of files. */
import fs from 'node:fs';

/** Fills `target` from `fd` at `position`; throws `Error(shortMessage)` if the file ends first. */
export function readFully(fd: number, target: Uint8Array, position: number, shortMessage = 'file shrank while being read'): Uint8Array {
  for (let done = 0; done < target.length;) {
    const n = fs.readSync(fd, target, done, target.length - done, position + done);
    if (n <= 0) throw new Error(shortMessage);
    done += n;
  }
  return target;
}
