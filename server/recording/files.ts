import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** The folder of one recording: RECORDING_DIR/<recordingId>. */
export function recordingFolder(recordingDir: string, recordingId: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(recordingId)) throw new Error(`not a recording id: ${recordingId}`);
  return path.join(recordingDir, recordingId);
}

/** A path stored on a row (relative to the recording's folder), resolved; never outside the folder. */
export function fileIn(folder: string, relative: string): string {
  const resolved = path.resolve(folder, relative);
  if (!resolved.startsWith(folder + path.sep)) throw new Error(`path outside the recording folder: ${relative}`);
  return resolved;
}

export const COMPOSED_NAME = 'composed.webm';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Size of a file, or null if it is not there. */
export async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch {
    return null;
  }
}
