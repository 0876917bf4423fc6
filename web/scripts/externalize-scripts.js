// The server's Content-Security-Policy is `script-src 'self'`: no inline script may run. SvelteKit puts
// its start-up code inline in index.html, so after the build this moves every inline <script> into a
// file of its own (named by content hash) loaded from the same place, which keeps its behaviour
// (document.currentScript still points at it).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dir = path.resolve(process.argv[2] ?? 'build');
let moved = 0;
for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.html'))) {
  const file = path.join(dir, name);
  const html = fs.readFileSync(file, 'utf8').replace(/<script>([\s\S]*?)<\/script>/g, (_, code) => {
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 12);
    const rel = `_app/immutable/boot.${hash}.js`;
    fs.writeFileSync(path.join(dir, rel), code);
    moved++;
    return `<script src="/${rel}"></script>`;
  });
  fs.writeFileSync(file, html);
}
if (!moved) {
  console.error('externalize-scripts: no inline script found; has the SvelteKit output changed?');
  process.exit(1);
}
console.log(`externalize-scripts: moved ${moved} inline script(s) out of the HTML`);
