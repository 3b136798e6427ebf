/**
 * Hostile MAT v7.3 files that h5wasm cannot write as such, made at test time: h5wasm writes a file in HDF5's
 * earliest format (superblock 0, version 1 object headers, the root group as a symbol table with a local heap:
 * no checksums), then a few bytes are edited, then MATLAB's user block goes in front:
 * - writeBadName: a dataset whose name is the bytes e9 74 e9 (Latin-1, not UTF-8), beside 'X';
 * - writeDeflateTwice: 'X', 1024 doubles in one chunk behind two deflate filters, 256 MiB once inflated twice;
 * - writeExternalStorage: 'e', 8 uint8 values in the raw file 'zz-npset-efl-target' (external storage, a name
 *   HDF5 resolves against the working directory).
 * Each layout is HDF5's file format specification's (version 1 object headers, messages 0x0007, 0x0008, 0x000B,
 * 0x0010).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createDeflate, deflateSync } from 'node:zlib';
import { mat73UserBlock } from './mat73-writer';

type H5 = typeof import('h5wasm/node', { with: { 'resolution-mode': 'import' } });
type H5File = InstanceType<H5['File']>;

/** The raw file that writeExternalStorage's dataset names. */
export const EFL_TARGET = 'zz-npset-efl-target';
/** An attribute written only to make room in an object header for the messages an edit adds; dropped by the edit. */
const ROOM = 'npset-room';
const UNDEFINED_ADDRESS = 0xffffffffffffffffn;

async function writeEarliest(file: string, fill: (f: H5File) => void): Promise<Buffer> {
  const h5: H5 = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(file, 'w', { libver: ['earliest', 'v110'] });
  try {
    fill(f);
  } finally {
    f.close();
  }
  return readFileSync(file);
}

/** A double dataset with MATLAB_class, and room in its object header when asked. */
function doubles(f: H5File, name: string, values: Float64Array, room = false, chunks?: number[]): void {
  const d = f.create_dataset({ name, data: values, ...(chunks ? { chunks, compression: 'gzip' as const, compression_opts: 9 } : {}) });
  d.create_attribute('MATLAB_class', 'double');
  if (room) d.create_attribute(ROOM, new Float64Array(16));
}

const address = (b: Buffer, at: number) => Number(b.readBigUInt64LE(at));

/** The root group's links (name -> object header address) and its local heap, from superblock 0's root symbol table entry. */
function rootGroup(b: Buffer): { links: Map<string, { header: number; nameAt: number }>; heap: number; heapData: number } {
  if (b.toString('latin1', 0, 8) !== '\x89HDF\r\n\x1a\n' || b[8] !== 0) throw new Error('expected HDF5 superblock version 0');
  if (b.readUInt32LE(72) !== 1) throw new Error('expected the root group cached as a symbol table');
  const [tree, heap] = [address(b, 80), address(b, 88)];
  if (b.toString('latin1', heap, heap + 4) !== 'HEAP' || b.toString('latin1', tree, tree + 4) !== 'TREE') throw new Error('expected a local heap and a B-tree');
  if (b[tree + 5] !== 0 || b.readUInt16LE(tree + 6) !== 1) throw new Error('expected a B-tree of one leaf');
  const node = address(b, tree + 24 + 8); // after the header and key 0: child 0, a symbol table node
  if (b.toString('latin1', node, node + 4) !== 'SNOD') throw new Error('expected a symbol table node');
  const heapData = address(b, heap + 24);
  const links = new Map<string, { header: number; nameAt: number }>();
  for (let i = 0; i < b.readUInt16LE(node + 6); i++) {
    const entry = node + 8 + 40 * i;
    const nameAt = heapData + address(b, entry);
    links.set(b.toString('latin1', nameAt, b.indexOf(0, nameAt)), { header: address(b, entry + 8), nameAt });
  }
  return { links, heap, heapData };
}

interface Message {
  type: number;
  flags: number;
  data: Buffer;
}

/**
 * Rewrites the messages of the version 1 object header at `at` as `edit` returns them, in the header's own blocks
 * (the first, then those its continuation messages chain): each block but the last ends with the continuation to
 * the next, and what a block has left over becomes a null message.
 */
function editHeader(b: Buffer, at: number, edit: (messages: Message[]) => Message[]): void {
  if (b[at] !== 1) throw new Error('expected a version 1 object header');
  const blocks = [{ start: at + 16, size: b.readUInt32LE(at + 8) }];
  const messages: Message[] = [];
  for (let i = 0; i < blocks.length; i++) {
    for (let p = blocks[i].start; p < blocks[i].start + blocks[i].size; ) {
      const type = b.readUInt16LE(p);
      const length = b.readUInt16LE(p + 2);
      if (type === 0x10) blocks.push({ start: address(b, p + 8), size: address(b, p + 16) });
      else if (type !== 0) messages.push({ type, flags: b[p + 4], data: Buffer.from(b.subarray(p + 8, p + 8 + length)) });
      p += 8 + length;
    }
  }
  const out = edit(messages);
  let next = 0;
  let count = 0;
  blocks.forEach((block, i) => {
    const buf = Buffer.alloc(block.size);
    let p = 0;
    const put = (type: number, flags: number, data: Buffer) => {
      const length = Math.ceil(data.length / 8) * 8;
      buf.writeUInt16LE(type, p);
      buf.writeUInt16LE(length, p + 2);
      buf[p + 4] = flags;
      data.copy(buf, p + 8);
      p += 8 + length;
      count++;
    };
    const room = i === blocks.length - 1 ? block.size : block.size - 24; // 24: the continuation message
    while (next < out.length && p + 8 + Math.ceil(out[next].data.length / 8) * 8 <= room) put(out[next].type, out[next].flags, out[next++].data);
    if (i < blocks.length - 1) {
      const continuation = Buffer.alloc(16);
      continuation.writeBigUInt64LE(BigInt(blocks[i + 1].start), 0);
      continuation.writeBigUInt64LE(BigInt(blocks[i + 1].size), 8);
      put(0x10, 0, continuation);
    }
    if (p < block.size) put(0, 0, Buffer.alloc(block.size - p - 8)); // a null message over the rest
    buf.copy(b, block.start);
  });
  if (next < out.length) throw new Error('the edited messages do not fit in the object header');
  b.writeUInt16LE(count, at + 2);
}

/** The messages but the room attribute (an attribute message, 0x000C, whose name is ROOM). */
const withoutRoom = (messages: Message[]) =>
  messages.filter((m) => !(m.type === 0x0c && m.data.toString('latin1', 8, 8 + ROOM.length + 1) === `${ROOM}\0`));

function only(messages: Message[], type: number): Message {
  const found = messages.filter((m) => m.type === type);
  if (found.length !== 1) throw new Error(`expected one message of type ${type}, found ${found.length}`);
  return found[0];
}

function finish(file: string, bytes: Buffer): void {
  writeFileSync(file, Buffer.concat([mat73UserBlock(), bytes]));
}

/** 'X', a 2-vector of doubles, and a dataset of 3 doubles whose name is the bytes e9 74 e9 (not UTF-8). */
export async function writeBadName(file: string): Promise<void> {
  const b = await writeEarliest(file, (f) => {
    doubles(f, 'X', Float64Array.from([0, 1]));
    doubles(f, 'ztz', Float64Array.from([0, 1, 2])); // sorts after 'X', as the new name does
  });
  const { links } = rootGroup(b);
  b.set([0xe9, 0x74, 0xe9], links.get('ztz')!.nameAt);
  finish(file, b);
}

/** zlib's deflate of `count` x 16 MiB of zero bytes, at level 9 (a stream of ~1/1000 of its input). */
async function deflatedZeros(count: number): Promise<Buffer> {
  const z = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  z.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise<void>((resolve, reject) => {
    z.on('end', resolve);
    z.on('error', reject);
  });
  const zeros = Buffer.alloc(16 * 2 ** 20);
  for (let i = 0; i < count; i++) z.write(zeros);
  z.end();
  await done;
  return Buffer.concat(parts);
}

/**
 * 'X', 1024 doubles in one chunk behind two deflate filters (a valid HDF5 pipeline), the chunk a deflate of a
 * deflate of 256 MiB of zeros: a file of about 5 KiB.
 */
export async function writeDeflateTwice(file: string): Promise<void> {
  // Values that do not compress, so that the chunk h5wasm stores has room for the one put in its place.
  let s = 1;
  const noise = Float64Array.from({ length: 1024 }, () => (s = (s * 48271) % 2147483647) / 2147483647);
  const b = await writeEarliest(file, (f) => doubles(f, 'X', noise, true, [1024]));
  const { links } = rootGroup(b);
  let tree = 0;
  editHeader(b, links.get('X')!.header, (messages) => {
    const pipeline = only(messages, 0x0b);
    if (pipeline.data[0] !== 1 || pipeline.data[1] !== 1) throw new Error('expected a version 1 filter pipeline of one filter');
    const filter = pipeline.data.subarray(8);
    const twice = Buffer.concat([Buffer.from([1, 2, 0, 0, 0, 0, 0, 0]), filter, filter]);
    const layout = only(messages, 0x08).data;
    if (layout[0] !== 3 || layout[1] !== 2) throw new Error('expected a version 3 chunked layout');
    tree = address(layout, 3);
    return withoutRoom(messages).map((m) => (m === pipeline ? { ...m, data: twice } : m));
  });
  // The chunk B-tree's one leaf: key 0 is the chunk's stored size (4 bytes), its filter mask and offsets; then its address.
  if (b.toString('latin1', tree, tree + 4) !== 'TREE' || b[tree + 4] !== 1 || b[tree + 5] !== 0 || b.readUInt16LE(tree + 6) !== 1) {
    throw new Error('expected a chunk B-tree of one chunk');
  }
  const key = tree + 24;
  const chunk = address(b, key + 8 + 2 * 8);
  const bomb = deflateSync(await deflatedZeros(16), { level: 9 });
  if (bomb.length > b.readUInt32LE(key)) throw new Error(`the chunk of ${bomb.length} bytes does not fit in ${b.readUInt32LE(key)}`);
  bomb.copy(b, chunk);
  b.writeUInt32LE(bomb.length, key);
  finish(file, b);
}

/** 'e', 8 uint8 values stored in the raw file EFL_TARGET (external storage), none in this file. */
export async function writeExternalStorage(file: string): Promise<void> {
  const b = await writeEarliest(file, (f) => {
    const d = f.create_dataset({ name: 'e', data: new Uint8Array(8) });
    d.create_attribute('MATLAB_class', 'uint8');
    d.create_attribute(ROOM, new Float64Array(16));
  });
  const { links, heap, heapData } = rootGroup(b);
  // The raw file's name goes in the root group's local heap, past the header of its free block (16 bytes).
  const free = address(b, heap + 16);
  const name = Buffer.from(`${EFL_TARGET}\0`, 'latin1');
  if (address(b, heapData + free + 8) < 16 + name.length) throw new Error('expected room for the name in the local heap');
  name.copy(b, heapData + free + 16);
  editHeader(b, links.get('e')!.header, (messages) => {
    // Contiguous storage at no address in this file (version 3 layout: version, class 1, address, size).
    const layout = only(messages, 0x08);
    if (layout.data[0] !== 3 || layout.data[1] !== 1) throw new Error('expected a version 3 contiguous layout');
    layout.data.writeBigUInt64LE(UNDEFINED_ADDRESS, 2);
    // The external file list: version 1, 1 slot allocated and used, the heap; the slot: name offset, offset, size.
    const efl = Buffer.alloc(40);
    efl[0] = 1;
    efl.writeUInt16LE(1, 4);
    efl.writeUInt16LE(1, 6);
    efl.writeBigUInt64LE(BigInt(heap), 8);
    efl.writeBigUInt64LE(BigInt(free + 16), 16);
    efl.writeBigUInt64LE(0n, 24);
    efl.writeBigUInt64LE(8n, 32);
    return [...withoutRoom(messages), { type: 0x07, flags: 1, data: efl }];
  });
  finish(file, b);
}
