#!/usr/bin/env node
/**
 * The `codecell` executable of the published package (package.json "bin", compiled to `dist/bin/main.js`). A
 * source checkout runs `bin/codecell.mjs` instead, which loads the TypeScript through tsx.
 *
 * @module
 */
import { runAndExit } from "./codecell.ts";

await runAndExit();
