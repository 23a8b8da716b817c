// The e2e tests drive Debian's Chromium (never a downloaded browser). Installs it when missing and
// running as root; otherwise stops with the exact command to run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const command = 'apt-get update && apt-get install -y chromium';
  if (process.getuid?.() === 0) {
    console.log(`${CHROMIUM} is missing: installing Debian's chromium package…`);
    execFileSync('sh', ['-c', `DEBIAN_FRONTEND=noninteractive ${command}`], { stdio: 'inherit' });
  } else {
    console.error(`${CHROMIUM} is missing. The e2e tests need Debian's Chromium; install it with:\n\n  sudo ${command}\n`);
    process.exit(1);
  }
}
