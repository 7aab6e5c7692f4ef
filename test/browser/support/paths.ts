import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** The built UMD bundles (`npm run build`): what a <script> tag loads. */
export const distBrowser = join(repoRoot, "dist", "browser");
