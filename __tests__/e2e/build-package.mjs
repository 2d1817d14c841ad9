// Builds the package before the end-to-end tests, which run dist/ as users receive it. Jest runs
// this only when at least one e2e test is selected, so unit and integration runs skip the build.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function buildPackage() {
  execFileSync('npm', ['run', 'build', '--silent'], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    stdio: 'inherit',
  });
}
