// Copies the pinned browser builds from node_modules into the package's static folder.
// Run: npm ci --prefix gui && npm run --prefix gui vendor
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "g4f", "gui", "static", "vendor");
mkdirSync(target, { recursive: true });

const files = [
  ["marked/lib/marked.umd.js", "marked.js"],
  ["dompurify/dist/purify.min.js", "purify.min.js"],
  ["@highlightjs/cdn-assets/highlight.min.js", "highlight.min.js"],
  ["@highlightjs/cdn-assets/styles/github-dark.min.css", "highlight-github-dark.min.css"],
];
const licenses = [
  ["marked/LICENSE.md", "marked.LICENSE.md"],
  ["dompurify/LICENSE", "dompurify.LICENSE"],
  ["@highlightjs/cdn-assets/LICENSE", "highlight.js.LICENSE"],
];
for (const [from, to] of [...files, ...licenses]) {
  copyFileSync(join(here, "node_modules", from), join(target, to));
}
const versions = Object.fromEntries(
  ["marked", "dompurify", "@highlightjs/cdn-assets"].map((name) => [
    name,
    JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8")).version,
  ]),
);
console.log("vendored", versions);
