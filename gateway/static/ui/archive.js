// What is in an upload, found in the browser (the gateway extracts nothing): the names
// inside a ZIP (its central directory, read without decompressing anything) or a tar.gz
// (the tar headers, streamed through DecompressionStream('gzip')), and a dropped or
// chosen folder packed into a tar.gz the upload API accepts (CompressionStream('gzip')).
// From the names come the root-module and var-file pickers, laid out exactly as the
// worker unpacks an upload (workers/workspace.py), so the paths offered are paths the
// job options accept.

export class ArchiveReadError extends Error {}

const TEXT = new TextDecoder('utf-8');
const UTF8 = new TextEncoder();

/** 'a//b/./c/' -> 'a/b/c'; '' for the top. */
export function normalise(path) {
  return path.split('/').filter((part) => part && part !== '.').join('/');
}

// --- ZIP: the central directory only ---------------------------------------------------------

async function slice(file, start, end) {
  return new Uint8Array(await file.slice(start, end).arrayBuffer());
}

function u16(b, o) {
  return b[o] | (b[o + 1] << 8);
}

function u32(b, o) {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}

function u64(b, o) {
  return u32(b, o) + u32(b, o + 4) * 0x100000000;
}

/** The member names of a ZIP, from its central directory (no member is decompressed). */
export async function listZip(file, { maxEntries = 100000 } = {}) {
  const tailSize = Math.min(file.size, 65536 + 22);
  const tail = await slice(file, file.size - tailSize, file.size);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i -= 1) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ArchiveReadError(`${file.name}: not a ZIP file (no end of central directory)`);
  let count = u16(tail, eocd + 10);
  let size = u32(tail, eocd + 12);
  let offset = u32(tail, eocd + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    // ZIP64: the locator sits just before the end record and points at the ZIP64 record.
    const locator = eocd - 20;
    if (locator < 0 || u32(tail, locator) !== 0x07064b50) throw new ArchiveReadError(`${file.name}: damaged ZIP64 directory`);
    const recordAt = u64(tail, locator + 8);
    const record = await slice(file, recordAt, recordAt + 56);
    if (u32(record, 0) !== 0x06064b50) throw new ArchiveReadError(`${file.name}: damaged ZIP64 directory`);
    count = u64(record, 32);
    size = u64(record, 40);
    offset = u64(record, 48);
  }
  if (count > maxEntries) throw new ArchiveReadError(`${file.name}: ${count} entries is more than ${maxEntries}`);
  if (offset + size > file.size) throw new ArchiveReadError(`${file.name}: the ZIP directory points past the end of the file`);
  const directory = await slice(file, offset, offset + size);
  const names = [];
  let at = 0;
  for (let n = 0; n < count; n += 1) {
    if (at + 46 > directory.length || u32(directory, at) !== 0x02014b50) {
      throw new ArchiveReadError(`${file.name}: damaged ZIP directory`);
    }
    const nameLength = u16(directory, at + 28);
    const extraLength = u16(directory, at + 30);
    const commentLength = u16(directory, at + 32);
    names.push(TEXT.decode(directory.subarray(at + 46, at + 46 + nameLength)));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

// --- tar.gz: headers streamed through gzip ----------------------------------------------------

function cString(block, start, length) {
  let end = start;
  while (end < start + length && block[end] !== 0) end += 1;
  return TEXT.decode(block.subarray(start, end));
}

function octal(block, start, length) {
  // Base-256 for big sizes (GNU): the high bit of the first byte is set.
  if (block[start] & 0x80) {
    let value = block[start] & 0x7f;
    for (let i = start + 1; i < start + length; i += 1) value = value * 256 + block[i];
    return value;
  }
  const text = cString(block, start, length).trim();
  return text ? parseInt(text, 8) : 0;
}

function paxPath(data) {
  // Records are "<length> <key>=<value>\n" where length counts bytes (UTF-8), not
  // characters: walk the bytes, decode each record on its own.
  let at = 0;
  let found = null;
  while (at < data.length) {
    let space = at;
    while (space < data.length && data[space] !== 0x20) space += 1;
    const length = parseInt(TEXT.decode(data.subarray(at, space)), 10);
    if (!length || space >= data.length) break;
    const record = TEXT.decode(data.subarray(space + 1, at + length - 1));
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') found = record.slice(eq + 1);
    at += length;
  }
  return found;
}

/** The member names of a tar.gz (directories end in '/'). Member data is decompressed
 * and thrown away as it streams by; nothing is kept but the names. */
export async function listTarGz(file, { maxBytes = 1024 * 1024 * 1024, maxEntries = 100000 } = {}) {
  if (typeof DecompressionStream === 'undefined') throw new ArchiveReadError('this browser cannot read gzip (no DecompressionStream)');
  const reader = file.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const names = [];
  let buffer = new Uint8Array(0);
  let skip = 0; // bytes of member data still to pass over
  let total = 0;
  let longName = null;
  let paxName = null;
  let collect = null; // {kind, size, parts} while reading a PAX or GNU long-name payload
  let zeroBlocks = 0;
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (err) {
      throw new ArchiveReadError(`${file.name}: not a valid gzip stream (${err.message})`);
    }
    if (chunk.done) break;
    total += chunk.value.length;
    if (total > maxBytes) {
      reader.cancel();
      throw new ArchiveReadError(`${file.name}: more than ${maxBytes} bytes once decompressed`);
    }
    let data = chunk.value;
    if (buffer.length) {
      const joined = new Uint8Array(buffer.length + data.length);
      joined.set(buffer);
      joined.set(data, buffer.length);
      data = joined;
    }
    let at = 0;
    while (at < data.length) {
      if (skip > 0) {
        const n = Math.min(skip, data.length - at);
        if (collect) collect.parts.push(data.slice(at, at + n));
        skip -= n;
        at += n;
        if (skip === 0 && collect) {
          const payload = new Uint8Array(collect.parts.reduce((a, p) => a + p.length, 0));
          let o = 0;
          for (const p of collect.parts) {
            payload.set(p, o);
            o += p.length;
          }
          const value = payload.subarray(0, collect.size);
          if (collect.kind === 'x') paxName = paxPath(value);
          else longName = cString(value, 0, value.length);
          collect = null;
        }
        continue;
      }
      if (data.length - at < 512) break;
      const block = data.subarray(at, at + 512);
      at += 512;
      if (block.every((b) => b === 0)) {
        zeroBlocks += 1;
        if (zeroBlocks >= 2) {
          reader.cancel();
          return names;
        }
        continue;
      }
      zeroBlocks = 0;
      const size = octal(block, 124, 12);
      const type = String.fromCharCode(block[156] || 48);
      const padded = Math.ceil(size / 512) * 512;
      if (type === 'x' || type === 'L') {
        collect = { kind: type, size, parts: [] };
        skip = padded;
        continue;
      }
      if (type === 'g') {
        skip = padded;
        continue;
      }
      let name = cString(block, 0, 100);
      const magic = cString(block, 257, 6);
      if (magic.startsWith('ustar')) {
        const prefix = cString(block, 345, 155);
        if (prefix) name = `${prefix}/${name}`;
      }
      name = paxName || longName || name;
      paxName = null;
      longName = null;
      names.push(type === '5' && !name.endsWith('/') ? `${name}/` : name);
      if (names.length > maxEntries) {
        reader.cancel();
        throw new ArchiveReadError(`${file.name}: more than ${maxEntries} entries`);
      }
      skip = padded;
    }
    buffer = data.slice(at);
  }
  return names;
}

// --- the layout of an upload, as the worker unpacks it ---------------------------------------

export const ARCHIVE_SUFFIXES = ['.zip', '.tar.gz', '.tgz'];

export function isArchive(name) {
  const lowered = name.toLowerCase();
  return ARCHIVE_SUFFIXES.some((suffix) => lowered.endsWith(suffix));
}

function archiveStem(name) {
  const lowered = name.toLowerCase();
  for (const suffix of ['.tar.gz', '.tgz', '.zip']) {
    if (lowered.endsWith(suffix)) return name.slice(0, name.length - suffix.length) || 'archive';
  }
  return name;
}

function isTerraform(path) {
  return path.endsWith('.tf') || path.endsWith('.tf.json');
}

function isVarFile(path) {
  return path.endsWith('.tfvars') || path.endsWith('.tfvars.json');
}

function hidden(path) {
  const base = path.split('/').pop();
  return !base || base.startsWith('.') || base.endsWith('~');
}

/**
 * The folders a root module can be chosen from and the var files, for a selection of
 * uploaded items ({name, names: [member paths]} for archives and packed folders,
 * {name} for single files). Like the worker: a lone archive is unpacked at the top,
 * several files each into a folder named after it; an upload that is one folder is
 * stepped into, so "examples/simple" names what "repo/examples/simple" does.
 */
export function layout(items) {
  const lone = items.length === 1 && items[0].names;
  const paths = [];
  for (const item of items) {
    if (item.names) {
      const base = lone ? '' : `${archiveStem(item.name)}/`;
      for (const name of item.names) {
        if (!name.endsWith('/')) paths.push(normalise(base + name));
      }
    } else {
      paths.push(item.name);
    }
  }
  const tops = new Set(paths.map((p) => (p.includes('/') ? p.split('/')[0] : null)));
  let root = '';
  if (tops.size === 1 && !tops.has(null)) root = [...tops][0];
  const inside = root ? paths.map((p) => p.slice(root.length + 1)) : paths;
  const folders = new Set();
  const varFiles = [];
  let plan = false;
  for (const path of inside) {
    if (path.split('/').some((part) => part === '.terraform' || part === '.git')) continue;
    if (hidden(path)) continue;
    if (isTerraform(path)) folders.add(path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.');
    else if (isVarFile(path)) varFiles.push(path);
    else if (path.endsWith('.json') && !path.includes('/')) plan = true;
  }
  const sortedFolders = [...folders].sort((a, b) => (a === '.' ? -1 : b === '.' ? 1 : a.localeCompare(b)));
  return { root, folders: sortedFolders, varFiles: varFiles.sort(), plan, count: paths.length };
}

// --- packing a folder ------------------------------------------------------------------------

// Names that announce an archive: the upload API refuses an archive inside an archive
// (tfquote/archives.py, nested_archive), so a folder's own .zip files are left out, and
// the page says so.
const NESTED_SUFFIXES = [
  '.zip', '.jar', '.war', '.ear', '.apk', '.aar', '.whl', '.nupkg', '.ipa', '.xpi', '.tar', '.tgz',
  '.taz', '.tbz', '.tbz2', '.tb2', '.txz', '.tlz', '.tzst', '.gz', '.bz2', '.xz', '.lz', '.lzma',
  '.lz4', '.zst', '.z', '.7z', '.rar', '.cab', '.ace', '.arj', '.lzh', '.lha', '.cpio', '.deb',
  '.rpm', '.iso', '.dmg', '.xar', '.sz',
];

function globToRegExp(glob) {
  let out = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // '**/' matches any number of folders, a trailing '**' everything below.
        if (glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return out;
}

/** A matcher for .terraformignore (gitignore syntax, the common part of it: globs,
 * '**', a leading '/', a trailing '/' for folders, '!' to re-include, '#' comments). */
export function ignoreMatcher(text) {
  const rules = [];
  for (let line of String(text || '').split(/\r?\n/)) {
    if (!line.trim() || line.startsWith('#')) continue;
    line = line.replace(/\s+$/, '');
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1);
    }
    const dirOnly = line.endsWith('/');
    if (dirOnly) line = line.slice(0, -1);
    const anchored = line.startsWith('/') || line.includes('/');
    line = line.replace(/^\//, '');
    const body = globToRegExp(line);
    const re = new RegExp(anchored ? `^${body}(?:/.*)?$` : `(?:^|/)${body}(?:/.*)?$`);
    rules.push({ re, negate, dirOnly });
  }
  return (path) => {
    let ignored = false;
    for (const rule of rules) {
      // A folder rule ("logs/") matches what is inside the folder, never a file of that name.
      if (rule.dirOnly && !path.includes('/')) continue;
      if (rule.dirOnly) {
        const parts = path.split('/');
        const folders = parts.slice(0, -1);
        let hit = false;
        for (let i = 1; i <= folders.length; i += 1) {
          if (rule.re.test(folders.slice(0, i).join('/'))) hit = true;
        }
        if (hit) ignored = !rule.negate;
      } else if (rule.re.test(path)) ignored = !rule.negate;
    }
    return ignored;
  };
}

/**
 * Which files of a folder go into the upload, as `tfquote estimate DIR` packs one
 * (tfquote/client/pack.py): not .git/, not .terraform/ but its modules/ (code fetched
 * by terraform init), not what .terraformignore names; and here also not archives
 * (refused inside an archive) or OS droppings. `entries` is [{path, file}] with paths
 * relative to the folder. Returns {kept, skipped: [{path, why}]}.
 */
export async function selectFolderFiles(entries) {
  const ignoreFile = entries.find((e) => e.path === '.terraformignore');
  const ignored = ignoreMatcher(ignoreFile ? await ignoreFile.file.text() : '');
  const kept = [];
  const skipped = [];
  for (const entry of entries) {
    const parts = entry.path.split('/');
    if (parts.includes('.git')) continue;
    const tf = parts.indexOf('.terraform');
    if (tf >= 0 && parts[tf + 1] !== 'modules') continue;
    const base = parts[parts.length - 1];
    if (base === '.DS_Store' || base === 'Thumbs.db') continue;
    if (ignored(entry.path)) {
      skipped.push({ path: entry.path, why: '.terraformignore' });
      continue;
    }
    if (NESTED_SUFFIXES.some((suffix) => base.toLowerCase().endsWith(suffix))) {
      skipped.push({ path: entry.path, why: 'an archive (the server never opens an archive inside an archive)' });
      continue;
    }
    kept.push(entry);
  }
  kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { kept, skipped };
}

function writeString(block, offset, length, text) {
  const bytes = UTF8.encode(text);
  block.set(bytes.subarray(0, length), offset);
}

function writeOctal(block, offset, length, value) {
  writeString(block, offset, length, value.toString(8).padStart(length - 1, '0'));
}

function header(name, size, type = '0') {
  const block = new Uint8Array(512);
  const encoded = UTF8.encode(name);
  let prefix = '';
  let short = name;
  if (encoded.length > 100) {
    // ustar splits a long path at a '/' into prefix (155) and name (100).
    const cut = name.lastIndexOf('/', name.length - 1);
    prefix = name.slice(0, cut);
    short = name.slice(cut + 1);
  }
  writeString(block, 0, 100, short);
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0); // mtime 0: the same files always pack to the same bytes
  block.fill(0x20, 148, 156);
  block[156] = type.charCodeAt(0);
  writeString(block, 257, 6, 'ustar');
  writeString(block, 263, 2, '00');
  writeString(block, 345, 155, prefix);
  let checksum = 0;
  for (const b of block) checksum += b;
  writeString(block, 148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

function fitsUstar(name) {
  if (!/^[\x20-\x7e]*$/.test(name)) return false;
  if (name.length <= 100) return true;
  const cut = name.lastIndexOf('/', name.length - 1);
  return cut > 0 && cut <= 155 && name.length - cut - 1 <= 100 && name.length - cut - 1 > 0;
}

function paxRecord(key, value) {
  const body = ` ${key}=${value}\n`;
  // The record's length counts its own digits: settle on the length that does.
  const bodyLength = UTF8.encode(body).length;
  let length = bodyLength + 1;
  while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
  return UTF8.encode(`${length}${body}`);
}

function padding(size) {
  const rest = size % 512;
  return rest ? new Uint8Array(512 - rest) : null;
}

/** A tar.gz of `entries` ([{path, file}]) under the folder `name`, as a Blob. ustar
 * headers, with a PAX record for a path ustar cannot hold (long or not ASCII). */
export async function packTarGz(name, entries) {
  if (typeof CompressionStream === 'undefined') throw new ArchiveReadError('this browser cannot write gzip (no CompressionStream)');
  const parts = [];
  for (const entry of entries) {
    const path = `${name}/${entry.path}`;
    if (!fitsUstar(path)) {
      const record = paxRecord('path', path);
      parts.push(header(`PaxHeader/${path.slice(-80).replace(/[^\x20-\x7e]/g, '_')}`, record.length, 'x'), record, padding(record.length));
    }
    parts.push(header(fitsUstar(path) ? path : path.slice(-100).replace(/[^\x20-\x7e]/g, '_'), entry.file.size), entry.file, padding(entry.file.size));
  }
  parts.push(new Uint8Array(1024));
  const tar = new Blob(parts.filter(Boolean));
  return new Response(tar.stream().pipeThrough(new CompressionStream('gzip'))).blob();
}

/** Every file under a dropped FileSystemEntry, as [{path, file}] relative to it. */
export async function readEntry(entry) {
  const out = [];
  async function walk(current, prefix) {
    if (current.isFile) {
      const file = await new Promise((resolve, reject) => current.file(resolve, reject));
      out.push({ path: prefix + current.name, file });
      return;
    }
    const reader = current.createReader();
    // readEntries answers in batches (100 in Chromium) until it answers an empty one.
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const child of batch) await walk(child, `${prefix + current.name}/`);
    }
  }
  if (entry.isFile) await walk(entry, '');
  else {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const child of batch) await walk(child, '');
    }
  }
  return out;
}
