// Last step of `npm test`: adds up the JSON reports every vitest run wrote to
// .test-results/ and prints one closing line, "total: N passed, N failed".
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const dir = ".test-results";
if (process.argv.includes("--clear")) {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of readdirSync(dir).filter((name) => name.endsWith(".json")).sort()) {
  const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
  const fileSkipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(`${file.replace(/\.json$/, "").padEnd(18)} ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${fileSkipped} skipped`);
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += fileSkipped;
}
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
