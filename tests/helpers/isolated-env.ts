/**
 * Import first in an integration test file: gives the process its own data and shared dirs
 * (the lib reads configuration once, on first use).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const testRoot = fs.mkdtempSync(path.join(os.tmpdir(), "hakuriver-it-"));
process.env.HAKURIVER_DATA_DIR = path.join(testRoot, "data");
process.env.HAKURIVER_SHARED_DIR = path.join(testRoot, "shared");
process.env.HAKURIVER_CONTAINER_DIR = "hakuriver-containers";
process.env.HAKURIVER_TAR_KEEP ??= "2";
export const containerDir = path.join(testRoot, "shared", "hakuriver-containers");
