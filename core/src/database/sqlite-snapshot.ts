// A consistent, committed image of a SQLite database file, read without taking a lock and without
// writing anything. sql.js only sees the bytes it is given, so what SQLite itself would do on open
// is done here: a hot rollback journal is played back onto the image (the writer's uncommitted
// pages are undone), and the committed frames of a `-wal` file are folded in (uncommitted ones
// are not). A file that changes while it is being read is read again.
import * as fs from 'fs';

export class SqliteSnapshotError extends Error {
  constructor(
    message: string,
    readonly kind: 'missing' | 'busy' | 'corrupt',
  ) {
    super(message);
  }
}

export interface Snapshot {
  bytes: Uint8Array;
  /** The files' stamp when read: an equal stamp later means the snapshot is still current. */
  stamp: string;
  /** What was folded in, for logs: `journal rolled back`, `12 WAL frames`. */
  notes: string[];
}

const HEADER = 'SQLite format 3\0';
const JOURNAL_MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);

export async function readSnapshot(file: string, attempts = 5): Promise<Snapshot> {
  for (let i = 0; i < attempts; i++) {
    const before = stamp(file);
    if (!before.db) throw new SqliteSnapshotError(`${file} does not exist`, 'missing');
    const db = readOrEmpty(file);
    const journal = readOrEmpty(file + '-journal');
    const wal = readOrEmpty(file + '-wal');
    if (stamp(file).key === before.key) return { ...build(file, db, journal, wal), stamp: before.key };
    await new Promise((r) => setTimeout(r, 20 * (i + 1)));
  }
  throw new SqliteSnapshotError(`${file} kept changing while it was read (a migration is running?); try again when it is done`, 'busy');
}

/** The committed image from the three files' bytes (pure; exported for tests). */
export function build(file: string, db: Buffer, journal: Buffer, wal: Buffer): Omit<Snapshot, 'stamp'> {
  const notes: string[] = [];
  if (db.length === 0) return { bytes: new Uint8Array(), notes: ['empty file'] };
  if (db.length < 100 || db.toString('latin1', 0, 16) !== HEADER) {
    throw new SqliteSnapshotError(`${file} is not a SQLite database (bad header)`, 'corrupt');
  }
  let image: Buffer = Buffer.from(db);
  if (journal.length >= 28 && journal.subarray(0, 8).equals(JOURNAL_MAGIC)) {
    image = rollBack(image, journal);
    notes.push('hot journal rolled back');
  }
  if (wal.length >= 32) {
    const folded = foldWal(image, wal);
    if (folded.frames) notes.push(`${folded.frames} committed WAL frames`);
    image = folded.image;
  }
  // Present the image as a rollback-journal database so sql.js does not look for a WAL of its own.
  image[18] = 1;
  image[19] = 1;
  return { bytes: new Uint8Array(image.buffer, image.byteOffset, image.length), notes };
}

/**
 * Plays a hot journal back: each record holds a page as it was before the interrupted (or
 * still-running) transaction; the image is cut to its size at the start.
 */
function rollBack(image: Buffer, journal: Buffer): Buffer {
  let offset = 0;
  let out = image;
  let originalPages: number | undefined;
  while (offset + 28 <= journal.length && journal.subarray(offset, offset + 8).equals(JOURNAL_MAGIC)) {
    let records = journal.readUInt32BE(offset + 8);
    const nonce = journal.readUInt32BE(offset + 12);
    const initialPages = journal.readUInt32BE(offset + 16);
    const sector = journal.readUInt32BE(offset + 20) || 512;
    const pageSize = journal.readUInt32BE(offset + 24) || pageSizeOf(image);
    originalPages ??= initialPages;
    const recordSize = 4 + pageSize + 4;
    let pos = offset + sector;
    if (records === 0xffffffff || records === 0) records = Math.floor((journal.length - pos) / recordSize);
    for (let r = 0; r < records && pos + recordSize <= journal.length; r++, pos += recordSize) {
      const pgno = journal.readUInt32BE(pos);
      const page = journal.subarray(pos + 4, pos + 4 + pageSize);
      // SQLite's record checksum: the nonce plus every 200th byte from the end; a bad one ends the journal.
      let sum = nonce;
      for (let k = pageSize - 200; k > 0; k -= 200) sum = (sum + page[k]) >>> 0;
      if (sum !== journal.readUInt32BE(pos + 4 + pageSize) || pgno === 0) break;
      const at = (pgno - 1) * pageSize;
      if (at + pageSize > out.length) out = grow(out, at + pageSize);
      page.copy(out, at);
    }
    // The next segment's header starts on a sector boundary.
    offset = Math.ceil(pos / sector) * sector;
  }
  const pageSize = pageSizeOf(out);
  if (originalPages && originalPages * pageSize < out.length) out = out.subarray(0, originalPages * pageSize);
  return out;
}

/** Applies the WAL frames up to the last valid commit frame, as a reader opening the file would. */
function foldWal(image: Buffer, wal: Buffer): { image: Buffer; frames: number } {
  const magic = wal.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return { image, frames: 0 };
  const bigEndian = (magic & 1) === 1;
  const pageSize = wal.readUInt32BE(8) === 1 ? 65536 : wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let [s0, s1] = checksum(wal, 0, 24, bigEndian, 0, 0);
  if (s0 !== wal.readUInt32BE(24) || s1 !== wal.readUInt32BE(28)) return { image, frames: 0 };

  const frameSize = 24 + pageSize;
  const pending: Array<{ pgno: number; at: number }> = [];
  let committed: Array<{ pgno: number; at: number }> = [];
  let dbPages = 0;
  for (let at = 32; at + frameSize <= wal.length; at += frameSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    [s0, s1] = checksum(wal, at, 8, bigEndian, s0, s1);
    [s0, s1] = checksum(wal, at + 24, pageSize, bigEndian, s0, s1);
    if (s0 !== wal.readUInt32BE(at + 16) || s1 !== wal.readUInt32BE(at + 20)) break;
    pending.push({ pgno: wal.readUInt32BE(at), at: at + 24 });
    const commitSize = wal.readUInt32BE(at + 4);
    if (commitSize) {
      committed = committed.concat(pending.splice(0));
      dbPages = commitSize;
    }
  }
  if (!committed.length) return { image, frames: 0 };
  let out = grow(image, dbPages * pageSize).subarray(0, dbPages * pageSize);
  for (const f of committed) {
    const dest = (f.pgno - 1) * pageSize;
    if (dest + pageSize > out.length) out = grow(out, dest + pageSize);
    wal.copy(out, dest, f.at, f.at + pageSize);
  }
  return { image: out, frames: committed.length };
}

function checksum(buf: Buffer, start: number, length: number, bigEndian: boolean, s0: number, s1: number): [number, number] {
  for (let i = start; i < start + length; i += 8) {
    const x0 = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const x1 = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

function pageSizeOf(image: Buffer): number {
  const v = image.readUInt16BE(16);
  return v === 1 ? 65536 : v;
}

function grow(buf: Buffer, size: number): Buffer {
  if (buf.length >= size) return Buffer.from(buf);
  const out = Buffer.alloc(size);
  buf.copy(out);
  return out;
}

function readOrEmpty(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw new SqliteSnapshotError(`cannot read ${file}: ${(err as Error).message}`, 'busy');
  }
}

/** Size, mtime and inode of the three files: equal before and after the read means the read is whole. */
export function stamp(file: string): { db: boolean; key: string } {
  const parts = ['', '-journal', '-wal'].map((s) => {
    try {
      const st = fs.statSync(file + s);
      return `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch {
      return '-';
    }
  });
  return { db: parts[0] !== '-', key: parts.join('|') };
}
