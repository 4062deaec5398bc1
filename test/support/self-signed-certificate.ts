import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed certificate for localhost and 127.0.0.1 (one day), or why there is none. */
export function makeCertificate(): { key: string; cert: string } | { skip: string } {
  const probe = spawnSync('openssl', ['version'], { stdio: 'ignore', timeout: 10000 });
  if (probe.error || probe.status !== 0)
    return { skip: 'SKIPPED: openssl is not installed (apt install openssl)' };
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-wamp-wss-'));
  try {
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        // so that `ca: cert` verifies the connection to 127.0.0.1 by name too
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000 },
    );
    if (r.status !== 0) return { skip: `SKIPPED: openssl req failed: ${r.stderr?.toString().trim()}` };
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
