// Adds lockfile entries for optional platform binaries (e.g. @swc/core-darwin-arm64) that npm could not
// record because the registry it ran against does not serve them. Without the entries, `npm ci` (npm 11)
// refuses the lockfile as "out of sync". Each entry carries the os/cpu/libc its name says, so npm installs it
// on that platform only and skips it everywhere else. Run after `npm install`: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'openharmony'];
const CPU = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 'ppc64le', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = tokens.find((token) => OS.includes(token)) ?? (tokens.includes('win') ? 'win32' : undefined);
  let cpu = tokens.find((token) => CPU.includes(token));
  if (tokens.includes('gnueabihf') || tokens.includes('musleabihf') || tokens.includes('eabi')) cpu = 'arm';
  const libc = tokens.includes('musl') || tokens.includes('musleabihf') ? 'musl' : tokens.includes('gnu') || tokens.includes('gnueabihf') ? 'glibc' : undefined;
  return { os, cpu, libc };
}

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[hoisted]) continue;
    const { os, cpu, libc } = platformOf(name);
    if (!os && !cpu) continue;
    const record = { version: spec.replace(/^[\^~=]/, ''), optional: true };
    if (os) record.os = [os];
    if (cpu) record.cpu = [cpu];
    if (libc) record.libc = [libc];
    lock.packages[hoisted] = record;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entries`);
