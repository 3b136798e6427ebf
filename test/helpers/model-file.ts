/** Helpers of the model-file tests: a saved file's header and data start, forged headers, and load's refusal. */
import { writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { ModelFileError, SparseMLP } from '../../lib/model';

export type ForgedHeader = Record<string, unknown> & { arrays: { name: string; dtype: string; offset: number; length: number }[] };

/** The JSON header of a saved model file and where its data starts. */
export function parseModelFile(bytes: Buffer): { header: ForgedHeader; dataStart: number } {
  const length = bytes.readUInt32LE(12);
  return { header: JSON.parse(bytes.toString('utf8', 16, 16 + length)), dataStart: Math.ceil((16 + length) / 8) * 8 };
}

/** A saved model's bytes with its JSON header edited (the data moved to the new alignment). */
export function withHeader(bytes: Buffer, edit: (h: ForgedHeader) => void): Buffer {
  const { header, dataStart } = parseModelFile(bytes);
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(Math.ceil((16 + json.length) / 8) * 8);
  bytes.copy(head, 0, 0, 12);
  head.writeUInt32LE(json.length, 12);
  json.copy(head, 16);
  return Buffer.concat([head, bytes.subarray(dataStart)]);
}

/** The ModelFileError `SparseMLP.load(file)` rejects with, after writing `bytes` to `file` when given. */
export async function modelFileError(file: string, bytes?: Buffer | string): Promise<ModelFileError> {
  if (bytes !== undefined) writeFileSync(file, bytes);
  const e = await SparseMLP.load(file).then(
    (m) => {
      m.dispose();
      return null;
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelFileError);
  expect((e as ModelFileError).code).toBe('ERR_NPSET_MODEL_FILE');
  expect((e as ModelFileError).file).toBe(file);
  return e as ModelFileError;
}
