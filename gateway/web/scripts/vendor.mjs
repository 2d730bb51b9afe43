// Copies the pinned packages' browser files (node_modules, from `npm ci`) into static/vendor/, which is
// committed: a machine without node still serves the same, pinned files. `npm run vendor` after an upgrade.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const dest = join(here, "static", "vendor", "leaflet");
rmSync(dest, { recursive: true, force: true });
mkdirSync(dest, { recursive: true });
const dist = join(here, "node_modules", "leaflet", "dist");
for (const name of ["leaflet.js", "leaflet.css", "images"]) {
  cpSync(join(dist, name), join(dest, name), { recursive: true });
}
cpSync(join(here, "node_modules", "leaflet", "LICENSE"), join(dest, "LICENSE"));
console.log(`vendored leaflet into ${dest}`);
